"""Benchmark: how long the first question after a start waits, against later ones.

    python tests/bench_telegram_first_question.py            # 5 starts, 5 questions each

Starts the bot as its own process (`python -m bot.cli`, polling the fake Bot API on 127.0.0.1)
with a fresh database, waits until it fetches updates (it is then "online" for users), and
measures, per question, the time from queuing the update to the bot's reply. The matcher's disk
cache is left as it is (warm), as on a server that restarts. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotApi  # noqa: E402

QUESTIONS = ["房租补贴第二年按多少比例补？", "人才奖励给谁", "上市有什么奖励", "政策什么时候到期", "品牌机构奖励多少"]


async def one_start(questions: list[str]) -> list[float]:
    api = FakeBotApi().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
                       POLICYBOT_DB=str(Path(folder) / "bot.sqlite3"), PYTHONPATH=str(ROOT))
            process = subprocess.Popen([sys.executable, "-m", "bot.cli"], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                await api.wait_for(lambda: api.methods("getUpdates"), timeout=60, what="the bot to poll")
                latencies = []
                for i, question in enumerate(questions):
                    user = 7000 + i
                    api.send_text(user, question)
                    reply = await api.next_message(user, after=0, timeout=30)
                    latencies.append(reply.latency)
                return latencies
            finally:
                process.terminate()
                process.wait(20)
    finally:
        api.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    runs = [await one_start(QUESTIONS) for _ in range(args.starts)]
    first = [run[0] for run in runs]
    later = [latency for run in runs for latency in run[1:]]
    print(f"{args.starts} starts: first question median {statistics.median(first) * 1000:.0f} ms "
          f"(max {max(first) * 1000:.0f}); later questions median {statistics.median(later) * 1000:.0f} ms "
          f"(max {max(later) * 1000:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
