"""Load benchmark of the web channel: N browser sessions at once through the JSON API, with the
Telegram bot running in the same process against the fake Bot API.

    python tests/bench_web.py                       # 50 sessions, 1-3 s between requests
    python tests/bench_web.py --sessions 50 --think 0   # no pause at all: the saturation point

The server runs as its own process (`python -m bot serve` on 127.0.0.1, with a token pointing at
tests/fake_bot_api.py and a help-desk chat, so the web and Telegram share the loop). Each session
has its own client and its own loopback source address (127.0.0.x: one visitor, one address, as
the per-address limit expects), opens a session, asks questions, runs the eligibility check by
buttons and typed amounts to the estimate, downloads the document and asks for an article;
meanwhile --tg-users Telegram users ask questions through the fake Bot API. Latency is the round
trip of each API request as the client sees it; memory is the server's resident set size (peak,
from /proc), and beside it that of its child processes (the worker that makes the Word files,
``python -m dialogs.document_worker``) and the sum. Not a test: it prints figures (bar: p99 <= 20 ms,
the peaks of the server and its child processes summed <= 170 MB).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotApi  # noqa: E402

REPLY_ROUTES = ("/api/session", "/api/message", "/api/press")
QUESTIONS = ["房租补贴怎么算", "我们营收1.3亿能拿多少", "第二年房租交了100万能补多少", "人才奖励给谁",
             "上市有什么奖励", "政策什么时候到期", "今天天气怎么样", "品牌机构奖励多少", "How is the rent subsidy computed?"]
TYPED = [("经济贡献", "500万"), ("第几年", "第二年"), ("缴纳的房租", "120万"), ("营业收入", "3.2亿")]
HELPDESK = -100900
# Plain http on loopback; one shared context spares each client loading the CA bundle (which
# would stall this process's loop, and so every other visitor's measured latency).
SSL_CONTEXT = ssl.create_default_context()


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process in kB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


CHILDREN_FILES = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()   # CONFIG_PROC_CHILDREN


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (and theirs), from /proc/<pid>/task/<tid>/children: a read per
    thread. The sampler below runs on the visitors' event loop every 0.2 s, and scanning every
    /proc/<n>/stat of the machine instead took ~10 ms there, added to the latency of every reply
    that arrived meanwhile (the p99 is the slowest 1%). Kernels without those files: that scan."""
    if not CHILDREN_FILES:
        return children_by_scan(pid)
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:     # ended meanwhile
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                kids = listing.read().split()
        except OSError:
            continue
        for child in map(int, kids):
            found += [child] + children(child)
    return found


def children_by_scan(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found += [child] + children_by_scan(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Visitor:
    def __init__(self, base: str, number: int, think: tuple[float, float], rng: random.Random):
        self.base, self.think, self.rng = base, think, rng
        # One loopback address per visitor (Linux routes all of 127.0.0.0/8 to lo).
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + number // 250}.{1 + number % 250}",
                                             verify=SSL_CONTEXT)
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=30,
                                        headers={"Origin": base})
        self.latencies: list[float] = []
        self.by_route: dict[str, list[float]] = {}
        self.app_by_route: dict[str, list[float]] = {}
        self.failures: list[str] = []
        self.csrf = ""

    async def pause(self) -> None:
        if self.think[1] > 0:
            await asyncio.sleep(self.rng.uniform(*self.think))

    async def call(self, method: str, path: str, body: dict | None = None) -> dict | bytes | None:
        start = time.perf_counter()
        response = await self.client.request(method, path, json=body, headers={"X-CSRF-Token": self.csrf})
        self.latencies.append(time.perf_counter() - start)
        route = path.split("?")[0] if not path.startswith("/api/document") else "/api/document"
        self.by_route.setdefault(route, []).append((time.perf_counter() - start) * 1000)
        timing = response.headers.get("server-timing", "")
        if timing.startswith("app;dur="):
            self.app_by_route.setdefault(route, []).append(float(timing[8:]))
        if response.status_code != 200:
            self.failures.append(f"{method} {path} {response.status_code} {response.text[:100]}")
            return None
        return response.json() if response.headers["content-type"].startswith("application/json") else response.content

    async def replies(self, path: str, body: dict) -> list[dict]:
        await self.pause()
        data = await self.call("POST", path, body)
        return data["replies"] if data else []

    def answer(self, question: dict) -> tuple[str, dict]:
        offered = [b["action"] for b in question["buttons"]]
        for preferred in ("ans:role:institution", "ans:origin:new", "ans:ranking:none"):
            if preferred in offered:
                return "/api/press", {"action": preferred}
        if "ans:events:none" in offered:
            return "/api/message", {"text": "10万、30万"}
        for action in offered:
            if action.endswith((":yes", ":0")):
                return "/api/press", {"action": action}
        for words, typed in TYPED:
            if words in question["text"]:
                return "/api/message", {"text": typed}
        return "/api/press", {"action": "ctl:skip"}

    async def run(self) -> None:
        async with self.client:
            await self.pause()              # visitors arrive within the first think time, not in one instant
            session = await self.call("POST", "/api/session", {"lang": "zh"})
            if not session:
                return
            self.csrf = session["csrf"]
            for question in self.rng.sample(QUESTIONS, 3):
                await self.replies("/api/message", {"text": question})
            replies = await self.replies("/api/press", {"action": "check"})
            for _ in range(40):
                if not replies or replies[-1]["kind"] != "question":
                    break
                path, body = self.answer(replies[-1])
                replies = await self.replies(path, body)
            estimate = replies[-1] if replies else None
            if not estimate or estimate["kind"] != "estimate":
                self.failures.append(f"interview did not end in an estimate: {estimate and estimate['text'][:80]}")
            elif estimate["document"]:
                await self.pause()
                await self.call("GET", estimate["document"]["url"])
            await self.replies("/api/message", {"text": f"/clause {self.rng.randint(1, 19)}"})
            await self.pause()
            await self.call("GET", "/api/events?after=0")


async def telegram_user(api: FakeBotApi, user_id: int, think: tuple[float, float], rng: random.Random,
                        latencies: list[float]) -> None:
    for question in rng.sample(QUESTIONS, 4):
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))
        before = len(api.messages(user_id))
        start = time.perf_counter()
        api.send_text(user_id, question)
        first = await api.next_message(user_id, after=before, timeout=30)
        latencies.append(first.time - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--think", default="1-3", help="seconds between a visitor's requests, e.g. 1-3 or 0")
    parser.add_argument("--tg-users", type=int, default=10, help="Telegram users chatting at the same time")
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    rng = random.Random(7)

    api = FakeBotApi().start()
    api.chat(HELPDESK, "supergroup")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
                   POLICYBOT_DB=str(Path(folder) / "bench.sqlite3"), POLICYBOT_HELPDESK_CHAT=str(HELPDESK),
                   POLICYBOT_WEB_PORT=str(port), POLICYBOT_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        env.pop("POLICYBOT_WEBHOOK_URL", None)
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            async with httpx.AsyncClient() as probe:
                while True:
                    try:
                        if (await probe.get(f"{base}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if server.poll() is not None or time.perf_counter() - started > 60:
                        print("the server did not start", file=sys.stderr)
                        return 1
                    await asyncio.sleep(0.1)
            idle_rss, _ = rss_kb(server.pid)
            print(f"server up in {time.perf_counter() - started:.1f} s, RSS {idle_rss / 1024:.0f} MB idle")

            visitors = [Visitor(base, i, think, random.Random(i)) for i in range(args.sessions)]
            tg_latencies: list[float] = []
            peak_rss = [0]
            peak_sum = [0]
            child_peaks: dict[int, int] = {}     # pid -> peak RSS (kB) of each child seen
            child_names: dict[int, str] = {}

            async def sample_memory() -> None:
                while True:
                    server_now = rss_kb(server.pid)[0]
                    total = server_now
                    for child in children(server.pid):
                        try:
                            now, high = rss_kb(child)
                        except (OSError, KeyError):    # ended meanwhile (or a zombie)
                            continue
                        child_peaks[child] = max(child_peaks.get(child, 0), high)
                        if child not in child_names:
                            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                            child_names[child] = ("resource tracker" if "resource_tracker" in command else
                                                  "document worker" if "dialogs.document_worker" in command
                                                  else command[:60])
                        total += now
                    peak_rss[0] = max(peak_rss[0], server_now)
                    peak_sum[0] = max(peak_sum[0], total)
                    await asyncio.sleep(0.2)

            sampler = asyncio.create_task(sample_memory())
            began = time.perf_counter()
            cpu_before = cpu_seconds(server.pid)
            await asyncio.gather(*(v.run() for v in visitors),
                                 *(telegram_user(api, 5000 + i, think, rng, tg_latencies)
                                   for i in range(args.tg_users)))
            elapsed = time.perf_counter() - began
            sampler.cancel()
            current, high_water = rss_kb(server.pid)
            server_cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            status = server.wait(30)
            api.stop()

    latencies = [x for v in visitors for x in v.latencies]
    failures = [f for v in visitors for f in v.failures]
    ms = [x * 1000 for x in latencies]
    print(f"{args.sessions} web sessions at once (think {args.think} s) + {args.tg_users} Telegram users, "
          f"{len(ms)} API requests in {elapsed:.1f} s ({len(ms) / elapsed:.0f}/s)")
    print(f"all API requests: p50 {percentile(ms, 0.5):.1f} ms, p90 {percentile(ms, 0.9):.1f} ms, "
          f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms, mean {statistics.mean(ms):.1f} ms")
    # The bar is on replies: the requests that return the assistant's replies. The estimate's Word
    # file (made when downloaded, ~0.1 s of CPU) and the help-desk poll are reported apart.
    reply_ms = [x for v in visitors for route in REPLY_ROUTES for x in v.by_route.get(route, [])]
    print(f"web reply latency ({', '.join(REPLY_ROUTES)}): p50 {percentile(reply_ms, 0.5):.1f} ms, "
          f"p90 {percentile(reply_ms, 0.9):.1f} ms, p99 {percentile(reply_ms, 0.99):.1f} ms, "
          f"max {max(reply_ms):.1f} ms")
    # the same replies' time inside the app (the Word file's ~0.1 s is in its own line below)
    app_ms = [x for v in visitors for route in REPLY_ROUTES for x in v.app_by_route.get(route, [])]
    if app_ms:
        print(f"  of which inside the app (Server-Timing): p50 {percentile(app_ms, 0.5):.1f} ms, "
              f"p99 {percentile(app_ms, 0.99):.1f} ms, max {max(app_ms):.1f} ms")
    for route in sorted({r for v in visitors for r in v.by_route}):
        values = [x for v in visitors for x in v.by_route.get(route, [])]
        inside = [x for v in visitors for x in v.app_by_route.get(route, [])]
        print(f"  {route:16s} {len(values):5d} requests: p50 {percentile(values, 0.5):6.1f} ms, "
              f"p99 {percentile(values, 0.99):6.1f} ms"
              + (f"   (inside the app: p50 {percentile(inside, 0.5):6.1f} ms, p99 {percentile(inside, 0.99):6.1f} ms)"
                 if inside else ""))
    # The server's own CPU time per API request (all its work: web, Telegram, checkpoints): unlike
    # the latencies, hardly moved by what else runs on the machine, so runs at different moments compare.
    print(f"server CPU time: {server_cpu:.1f} s, {server_cpu / len(ms) * 1000:.2f} ms per API request")
    with open("/proc/loadavg") as load:
        print(f"machine load average at the end: {load.read().split()[0]} ({os.cpu_count()} CPUs)")
    if tg_latencies:
        tg = [x * 1000 for x in tg_latencies]
        print(f"Telegram reply latency (same process): p50 {percentile(tg, 0.5):.0f} ms, "
              f"p99 {percentile(tg, 0.99):.0f} ms over {len(tg)} messages")
    print(f"server RSS: {current / 1024:.0f} MB at the end, peak {high_water / 1024:.0f} MB (VmHWM); "
          f"sampled max {peak_rss[0] / 1024:.0f} MB")
    for child, high in sorted(child_peaks.items()):
        print(f"  child process {child} ({child_names[child]}): peak {high / 1024:.0f} MB (VmHWM)")
    tree = high_water + sum(child_peaks.values())   # each at its own peak (more than at any one moment)
    print(f"server and its child processes together: sampled max {peak_sum[0] / 1024:.0f} MB, "
          f"sum of the peaks {tree / 1024:.0f} MB")
    print(f"failures: {len(failures)}" + "".join(f"\n  {f}" for f in failures[:10]))
    print(f"server exit status after SIGTERM: {status}")
    bar_ok = percentile(reply_ms, 0.99) <= 20 and tree <= 170 * 1024 and not failures
    print("bar (reply p99 <= 20 ms, RSS of the server and its children <= 170 MB, no failures):",
          "met" if bar_ok else "NOT met")
    return 0 if bar_ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
