"""Do Word files cost the web's replies anything? Reply latency while files are made non-stop.

    python tests/bench_document.py process     # files in the worker process (what servers do now)
    python tests/bench_document.py thread      # files in a thread of the server (as before)
    python tests/bench_document.py none        # no files: the baseline

In one process, the web app (in-process ASGI, no network) answers visitors one after another,
each running bench_web's script (questions, the check to the estimate, an article), while a task
asks for a file again 50 ms after each one is done. Latency is each API reply's (downloads left
out). Not a test: it prints figures; compare the three modes on the same machine, one after
another. In "thread" mode the file is made by the same code, only in a thread: python-docx then
holds the server's GIL for ~75 ms a file, and every reply waits for its turn.
"""
from __future__ import annotations

import asyncio
import gc
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from dialogs.document import EstimateDocument  # noqa: E402
from tests.bench_web import Visitor, percentile  # noqa: E402

PROFILE = {"role": "institution", "registered_in_park": True, "origin": "new", "revenue": 300_000_000,
           "contribution": 250_000, "brand_selected": True, "manager_contributions": [500_000, 300_000],
           "park_year": 1, "rent_paid": 500_000}


class TimedVisitor(Visitor):
    replies_ms: list[float] = []

    async def call(self, method: str, path: str, body: dict | None = None):
        start = time.perf_counter()
        result = await super().call(method, path, body)
        if not path.startswith("/api/document"):
            self.replies_ms.append((time.perf_counter() - start) * 1000)
        return result


async def main(mode: str, visitors: int) -> None:
    from knowledge import match_question

    match_question("房租补贴怎么算")       # as policybot serve does before it listens
    gc.collect()
    gc.freeze()
    document = EstimateDocument("x.docx", {"profile": PROFILE, "as_of": "2026-11-30", "lang": "zh"})
    thread = ThreadPoolExecutor(max_workers=1)
    made = 0

    async def files() -> None:
        nonlocal made
        while True:
            if mode == "thread":
                await asyncio.get_running_loop().run_in_executor(thread, document._build_and_release)
            else:
                await document.build_off_loop()
            made += 1
            await asyncio.sleep(0.05)

    background = None
    if mode != "none":
        if mode == "process":
            await document.build_off_loop()  # the worker is up before anything is timed
        background = asyncio.create_task(files())
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(db_path=Path(folder) / "bench.sqlite3")
        app = create_app(settings, Store.open(settings.db_path))
        base = "http://127.0.0.1"
        began = time.perf_counter()
        for number in range(visitors):
            visitor = TimedVisitor(base, number, (0, 0), random.Random(number))
            visitor.client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(f"127.0.0.{number + 1}", 1234)),
                base_url=base, headers={"Origin": base})
            await visitor.run()
        elapsed = time.perf_counter() - began
    if background is not None:
        background.cancel()
    ms = TimedVisitor.replies_ms
    print(f"{mode:8s} {len(ms)} replies in {elapsed:.1f} s, {made} files meanwhile: p50 {percentile(ms, 0.5):.1f} ms, "
          f"p90 {percentile(ms, 0.9):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms")


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "process"
    if chosen not in ("process", "thread", "none"):
        sys.exit("usage: python tests/bench_document.py [process|thread|none] [visitors]")
    asyncio.run(main(chosen, int(sys.argv[2]) if len(sys.argv) > 2 else 15))
