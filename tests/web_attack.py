"""Attack the web channel as a hostile visitor would, against the real server process.

    python tests/web_attack.py                 # 10,000 random bodies
    python tests/web_attack.py --bodies 2000   # quicker

Starts `python -m bot serve` on 127.0.0.1 (its own SQLite file; rate limits raised so that the
random bodies reach the engine instead of stopping at 429) and checks:

1. Injection: ``<img src=x onerror=alert(1)>`` asked as a question comes back as JSON data
   (application/json, nosniff), stored and returned verbatim in the transcript, never inside the
   HTML page; the page and the API carry a CSP without inline scripts; the page's JavaScript puts
   no text into HTML (no innerHTML, insertAdjacentHTML, document.write, eval).
2. Cross-site requests: posts without the session token, with a wrong one, from another origin
   or with no Origin/Referer are refused (403) and change no row.
3. Random bodies: N requests with random bytes, random JSON, real and mutated button actions,
   odd content types and lying Content-Length to every API route, with a valid session, a forged
   one and none: no 500, the server stays up, a bystander session is byte-for-byte unchanged and
   the SQLite file passes its integrity check.

Prints the figures; exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
XSS = "<img src=x onerror=alert(1)>"
ROUTES = ["/api/message", "/api/press", "/api/session", "/api/forget"]
ACTIONS = ["check", "help", "list", "human", "askhint", "lang:en", "lang:zh", "ask:a05", "text:a05", "fb:+:a05",
           "fb:-:a05", "ans:role:institution", "ans:registered_in_park:yes", "ctl:back", "ctl:skip", "ctl:why",
           "ctl:review", "ctl:restart", "ctl:cancel", "ctl:cancel_yes", "ctl:finish", "ctl:resume", "edit:revenue"]
WORDS = ["房租补贴怎么算", "营收1.3亿", "第二年", "是", "否", "八十万", "/clause 5", "/check", "/lang en", "/start",
         "人工", "取消", "上一步", XSS, "'; DROP TABLE web_sessions; --", "{{7*7}}", "${jndi:ldap://x}", "\u202e",
         "\x00", "𠀀" * 50, "🙂" * 300]

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def db_rows(path: Path, session_id: str) -> list:
    db = sqlite3.connect(path)
    try:
        return (db.execute("SELECT * FROM web_sessions WHERE id = ?", [session_id]).fetchall()
                + db.execute("SELECT * FROM web_log WHERE session_id = ? ORDER BY id", [session_id]).fetchall())
    finally:
        db.close()


def random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2 ** 70, 1e308, 3.5, float("nan")]) if rng.random() < 0.5 else rng.randint(-9, 9)
    if kind in (2, 3):
        return rng.choice(WORDS + ACTIONS)
    if kind == 4:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x4e00, 0x9fff), rng.randrange(0, 0x110000)]))
                       for _ in range(rng.randrange(0, 80)))
    if kind == 5:
        return rng.choice(ACTIONS)[: rng.randrange(1, 20)] + rng.choice(["", ":", "::", "x" * 60, "\n", "é"])
    if kind == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = ["text", "action", "lang", "reply_to", "csrf", "__proto__", ""]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(0, 4))}


def random_body(rng: random.Random) -> tuple[bytes, str]:
    """(body, content type)"""
    kind = rng.randrange(10)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300))), "application/octet-stream"
    if kind == 1:
        return ("[" * rng.randrange(1, 5000)).encode(), "application/json"
    if kind == 2:
        return json.dumps({"text": "".join(rng.choice(string.printable) for _ in range(rng.randrange(900, 1200)))}).encode(), \
            "application/json"
    if kind == 3:
        return json.dumps({"text": rng.choice(WORDS)}, ensure_ascii=rng.random() < 0.5).encode(), \
            rng.choice(["application/json", "text/plain", "application/x-www-form-urlencoded", ""])
    if kind == 4:
        return json.dumps({"action": rng.choice(ACTIONS)}).encode(), "application/json"
    if kind == 5:
        return b'{"text": "\\ud800\\udfff\\ud800"}', "application/json"
    if kind == 6:
        return b"text=" + rng.choice(WORDS).encode() + b"&action=check", "application/x-www-form-urlencoded"
    try:
        return json.dumps(random_json(rng), ensure_ascii=rng.random() < 0.5, allow_nan=True).encode(
            "utf-8", "surrogatepass"), "application/json"
    except (ValueError, UnicodeEncodeError):
        return b"{}", "application/json"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(2026)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "attack.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
        env.update(POLICYBOT_DB=str(db_path), POLICYBOT_WEB_PORT=str(port), POLICYBOT_LOG_LEVEL="ERROR",
                   POLICYBOT_WEB_SESSION_RATE="1000000", POLICYBOT_WEB_ADDRESS_RATE="10000000",
                   PYTHONPATH=str(ROOT))
        log_file = Path(folder) / "server.log"
        with open(log_file, "w") as log:
            server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stderr=log)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as probe:
                for _ in range(600):
                    try:
                        if (await probe.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        if server.poll() is not None:
                            break
                        await asyncio.sleep(0.1)
                else:
                    server.poll()
                if server.returncode is not None:
                    print("the server did not start:", log_file.read_text()[-500:], file=sys.stderr)
                    return 1
            await attack(base, db_path, args, rng)
            check(server.poll() is None, "the server is still running")
        finally:
            server.terminate()
            server.wait(30)
        errors = [line for line in log_file.read_text().splitlines() if "Traceback" in line or " ERROR " in line]
        check(not errors, f"no errors or tracebacks in the server log ({len(errors)})")
        db = sqlite3.connect(db_path)
        check(db.execute("PRAGMA integrity_check").fetchone() == ("ok",), "the SQLite file passes its integrity check")
        db.close()
    print(f"\n{len(failures)} check(s) failed" if failures else "\nall checks passed")
    return 1 if failures else 0


async def attack(base: str, db_path: Path, args, rng: random.Random) -> None:
    origin = {"Origin": base}
    # A bystander with a conversation and a half-done check: must come out unchanged.
    async with httpx.AsyncClient(base_url=base, headers=origin) as bystander:
        token = (await bystander.post("/api/session", json={"lang": "zh"})).json()["csrf"]
        headers = {"X-CSRF-Token": token}
        await bystander.post("/api/message", headers=headers, json={"text": "房租补贴怎么算"})
        await bystander.post("/api/press", headers=headers, json={"action": "check"})
        await bystander.post("/api/press", headers=headers, json={"action": "ans:role:institution"})
        bystander_id = bystander.cookies.get("policybot_session")
    bystander_before = db_rows(db_path, bystander_id)

    # 1. Injection ---------------------------------------------------------------------------
    print("1. injected HTML")
    async with httpx.AsyncClient(base_url=base, headers=origin) as victim:
        token = (await victim.post("/api/session")).json()["csrf"]
        response = await victim.post("/api/message", headers={"X-CSRF-Token": token}, json={"text": XSS})
        check(response.status_code == 200 and response.headers["content-type"] == "application/json",
              "the question is answered as application/json")
        check(response.headers.get("x-content-type-options") == "nosniff", "API responses carry nosniff")
        transcript = (await victim.post("/api/session")).json()["transcript"]
        check(any(item["from"] == "user" and item["text"] == XSS for item in transcript),
              "the transcript returns the text verbatim, as data")
        check(all(XSS not in item["text"] for item in transcript if item["from"] == "bot"),
              "no bot reply repeats the markup")
        page = await victim.get("/")
        csp = page.headers.get("content-security-policy", "")
        check("script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp,
              f"the page's CSP allows only its own scripts: {csp}")
        check(XSS not in page.text and "onerror" not in page.text, "the page HTML never contains user text")
        check("script-src 'self'" in response.headers.get("content-security-policy", ""), "the API carries the CSP too")
        script_files = sorted((ROOT / "bot" / "web" / "static").glob("*.js"))
        # Comments stripped first (a comment may well say "never innerHTML").
        code = {path.name: re.sub(r"/\*.*?\*/|(?:^|(?<=\s))//[^\n]*", "", path.read_text(), flags=re.S | re.M) for path in script_files}
        sinks = {name: len(re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", text))
                 for name, text in code.items()}
        check(bool(script_files) and not any(sinks.values()), f"the page's JavaScript has no HTML sinks: {sinks}")
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) + re.findall(r"\son[a-z]+=", page.text)
        check(not inline, f"the page has no inline script or handler attributes ({len(inline)})")

        # 2. Cross-site ----------------------------------------------------------------------
        print("2. cross-site and tokenless posts")
        victim_id = victim.cookies.get("policybot_session")
        before = db_rows(db_path, victim_id)
        refused = Counter()
        cookie = {"Cookie": f"policybot_session={victim_id}"}
        for headers in ({"Origin": "https://evil.example", "X-CSRF-Token": token},      # another site, even with the token
                        {"Origin": "null", "X-CSRF-Token": token},
                        {"Referer": "https://evil.example/x", "X-CSRF-Token": token},
                        {"X-CSRF-Token": token},                                        # no Origin, no Referer
                        {"Origin": base},                                               # no token
                        {"Origin": base, "X-CSRF-Token": token[:-1] + ("B" if token.endswith("A") else "A")}):  # a wrong token
            for path, body in (("/api/message", {"text": "资格自测"}), ("/api/press", {"action": "ctl:restart"}),
                               ("/api/forget", {})):
                async with httpx.AsyncClient(base_url=base) as raw:
                    answer = await raw.post(path, json=body, headers={**headers, **cookie})
                refused[answer.status_code] += 1
        check(set(refused) == {403}, f"every forged post is refused with 403: {dict(refused)}")
        check(db_rows(db_path, victim_id) == before, "the victim's session is unchanged")

    # 3. Random bodies -------------------------------------------------------------------------
    print(f"3. {args.bodies} random bodies")
    statuses: Counter = Counter()
    server_errors: list[str] = []
    started = time.perf_counter()
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(args.bodies):
        queue.put_nowait(i)

    async def worker(number: int) -> None:
        wrng = random.Random(number)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            token = (await client.post("/api/session", headers=origin)).json()["csrf"]
            while not queue.empty():
                queue.get_nowait()
                body, kind = random_body(wrng)
                path = wrng.choice(ROUTES[:3] * 5 + ROUTES[3:])    # /api/forget rarely: it ends the session
                headers = {"Content-Type": kind} if kind else {}
                roll = wrng.random()
                if roll < 0.8:
                    headers.update(origin)
                    headers["X-CSRF-Token"] = token if wrng.random() < 0.9 else "x"
                cookies = None
                if wrng.random() < 0.1:
                    cookies = {"policybot_session": wrng.choice(["A" * 43, "", "../x", bystander_id[:-1] + "x"])}
                try:
                    response = await client.post(path, content=body, headers=headers, cookies=cookies)
                    statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        server_errors.append(f"{path} {body[:80]!r} -> {response.status_code}")
                    elif response.headers.get("content-type") != "application/json":
                        server_errors.append(f"{path} {body[:80]!r} -> not JSON: {response.headers.get('content-type')}")
                    if path == "/api/session" and response.status_code == 200:
                        token = response.json()["csrf"]      # maybe a new session (after a forged cookie)
                    if path == "/api/forget" and response.status_code == 200:
                        token = (await client.post("/api/session", headers=origin)).json()["csrf"]
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                    server_errors.append(f"{path} {body[:80]!r} -> {exc!r}")

    await asyncio.gather(*(worker(n) for n in range(args.concurrency)))
    # Lying Content-Length headers, on raw connections (HTTP clients refuse to send them).
    host, port = base.removeprefix("http://").split(":")
    async with httpx.AsyncClient(base_url=base, headers=origin) as raw_session:
        raw_token = (await raw_session.post("/api/session")).json()["csrf"]
        raw_cookie = raw_session.cookies.get("policybot_session")
    for declared, body in (("99999999", b'{"text": "x"}'), ("5", b'{"text": "long enough"}'), ("abc", b"{}"),
                           ("-1", b"{}"), ("16385", b"{")):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"POST /api/message HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: {base}\r\n"
                     f"Cookie: policybot_session={raw_cookie}\r\nX-CSRF-Token: {raw_token}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {declared}\r\n\r\n".encode() + body)
        await writer.drain()
        try:
            line = await asyncio.wait_for(reader.readline(), 3)
            status = int(line.split()[1]) if line.startswith(b"HTTP/") else "closed"
        except asyncio.TimeoutError:
            status = "waiting"          # the server waits for the promised body: fine
        statuses[status] += 1
        if isinstance(status, int) and status >= 500:
            server_errors.append(f"Content-Length {declared} -> {status}")
        writer.close()
    elapsed = time.perf_counter() - started
    print(f"   {sum(statuses.values())} requests in {elapsed:.1f} s; answers: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    check(not server_errors, f"no 500 and every answer JSON ({len(server_errors)} bad)"
          + "".join(f"\n       {e}" for e in server_errors[:5]))
    check(db_rows(db_path, bystander_id) == bystander_before, "the bystander session is byte-for-byte unchanged")
    async with httpx.AsyncClient(base_url=base, headers=origin, cookies={"policybot_session": bystander_id}) as again:
        data = (await again.post("/api/session")).json()
        check(data["transcript"][-1]["reply"]["kind"] == "question", "the bystander's check is still pending")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
