"""Load benchmark: N users chatting at once with the real bot process through the fake Bot API.

    python tests/bench_telegram.py                      # 50 users, 1-3 s between messages
    python tests/bench_telegram.py --users 50 --think 0 # no pause at all: the saturation point

The bot runs as its own process (`python -m bot.cli`, polling 127.0.0.1). Each simulated user asks
questions (some with figures), runs /check through buttons and typed amounts to the estimate, and
asks for an article, pausing a random "think time" between messages as people do. Latency is
measured per message from the moment the update is queued at the fake server to the bot's first
reply in that chat; memory is the bot process's resident set size (peak, from /proc).
Not a test: it prints figures (bar: p99 <= 100 ms, RSS <= 150 MB).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotApi  # noqa: E402

QUESTIONS = ["房租补贴怎么算", "我们营收1.3亿能拿多少", "第二年房租交了100万能补多少", "人才奖励给谁",
             "上市有什么奖励", "政策什么时候到期", "今天天气怎么样", "品牌机构奖励多少"]


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process in kB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


class User:
    def __init__(self, api: FakeBotApi, user_id: int, think: tuple[float, float], rng: random.Random):
        self.api, self.id, self.think, self.rng = api, user_id, think, rng
        self.latencies: list[float] = []
        self.steps: list[tuple[int, float, float]] = []

    async def pause(self) -> None:
        if self.think[1] > 0:
            await asyncio.sleep(self.rng.uniform(*self.think))

    async def step(self, inject, ends=lambda m: True):
        """Inject one update; wait for the reply that ends this step; record the first reply's latency."""
        before = len(self.api.messages(self.id))
        start = time.perf_counter()
        inject()
        first = await self.api.next_message(self.id, after=before, timeout=30)
        self.latencies.append(first.time - start)
        self.steps.append((len(self.latencies) - 1, first.time - start, start))
        try:
            messages = await self.api.wait_for(
                lambda: [m for m in self.api.messages(self.id)[before:] if not m.method.startswith("edit")
                         and ends(m)], timeout=30, chat=self.id)
        except TimeoutError:
            print("stuck:", [(m.text[:80], m.button_labels()) for m in self.api.messages(self.id)[-3:]])
            raise
        await self.pause()
        return messages[-1]

    async def run(self) -> None:
        say = lambda text: (lambda: self.api.send_text(self.id, text))  # noqa: E731
        # People arrive over the first moments rather than in the same millisecond.
        await asyncio.sleep(self.rng.uniform(0, max(self.think[1], 0)))
        await self.step(say("/start"))
        for question in self.rng.sample(QUESTIONS, 3):
            await self.step(say(question))
        is_step_end = lambda m: any(b["callback_data"].startswith("ctl:") or b["callback_data"] == "tg:doc"
                                    for row in m.buttons for b in row)  # noqa: E731
        last = await self.step(say("/check"), is_step_end)
        for _ in range(40):
            data = [b["callback_data"] for row in last.buttons for b in row]
            if "tg:doc" in data or not re.search(r"[（(]\d+/\d+[）)]", last.text):
                break  # the estimate, or the interview stopped (an applicant who does not qualify)
            answers = [d for d in data if d.startswith("ans:") and not d.endswith(":no")]
            hint = re.search(r"可以这样回答：(\S+)", last.text)
            if answers and (not hint or self.rng.random() < 0.5):
                choice = self.rng.choice(answers)
                last = await self.step(lambda: self.api.press(last, choice), is_step_end)
            else:
                text = hint.group(1) if hint else "跳过"
                last = await self.step(say(text), is_step_end)
        if any(b["callback_data"] == "tg:doc" for row in last.buttons for b in row):
            await self.step(lambda: self.api.press(last, "tg:doc"))
        await self.step(say(f"/clause {self.rng.randint(1, 19)}"))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", default="1-3", help="seconds between a user's messages, e.g. 1-3 or 0")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))

    api = FakeBotApi().start()
    workdir = tempfile.mkdtemp(prefix="policybot-bench-")
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
               POLICYBOT_DB=str(Path(workdir) / "bench.sqlite3"), POLICYBOT_LOG_LEVEL="WARNING",
               PYTHONPATH=str(ROOT))
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli"], cwd=ROOT, env=env)
    try:
        await api.wait_for(lambda: api.methods("getUpdates"), timeout=60, what="the bot to start polling")
        # Warm up (first question loads the matcher's caches), not measured.
        warm = User(api, 1, (0, 0), random.Random(0))
        await warm.step(lambda: api.send_text(1, "房租补贴怎么算"))
        idle_rss, _ = rss_kb(bot.pid)

        rng = random.Random(args.seed)
        users = [User(api, 10_000 + i, think, random.Random(rng.random())) for i in range(args.users)]
        started = time.perf_counter()
        peak = [0]

        async def watch_memory():
            while True:
                peak[0] = max(peak[0], rss_kb(bot.pid)[0])
                await asyncio.sleep(0.2)

        watcher = asyncio.create_task(watch_memory())
        await asyncio.gather(*(user.run() for user in users))
        watcher.cancel()
        elapsed = time.perf_counter() - started
        current, hwm = rss_kb(bot.pid)
    finally:
        bot.terminate()
        bot.wait(20)
        api.stop()

    if os.environ.get("BENCH_DEBUG"):
        slow = sorted((lat, idx, t - started) for user in users for idx, lat, t in user.steps)[-15:]
        for lat, idx, t in slow:
            print(f"  slow: {lat * 1000:.0f} ms at step {idx}, t={t:.2f}s")
    latencies = sorted(x * 1000 for user in users for x in user.latencies)
    q = statistics.quantiles(latencies, n=100)
    print(f"users {args.users}, think {args.think} s, {len(latencies)} messages in {elapsed:.1f} s "
          f"({len(latencies) / elapsed:.1f} msg/s)")
    print(f"reply latency ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {latencies[-1]:.1f}")
    print(f"bot RSS MB: idle {idle_rss / 1024:.1f}  peak under load {max(peak[0], current) / 1024:.1f}  "
          f"(VmHWM {hwm / 1024:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
