"""Memory benchmark: does the bot's memory stay flat as distinct users come and go?

    python tests/bench_memory.py                       # 1,000 then 100,000 users, 3 messages each
    python tests/bench_memory.py --users 20000         # a quicker look
    python tests/bench_memory.py --messages 1          # one message each (a third of the time)

Measured (2 shared cores, load 5-9): RSS 118.9 MB after 1,000 users, 121.2 MB after 100,000
(+2.3 MB); 300,000 messages took 27 minutes, nearly all of it python-telegram-bot's own work per
update (parsing updates and answers into objects), about 4 ms of CPU a message.

The real Application (build_application: handlers, persistence, the inbox/outbox, the per-user
processor, flood guard) runs in this process with a Bot whose HTTP layer answers locally (no
network, no server), so only the bot's own costs are measured. Synthetic updates go through PTB's
update queue exactly as polled ones do: received into the inbox, loaded, handled by the engine,
committed, sent, marked. Each user sends /start, a question and /help, with a few hundred users
in flight at once. Printed: resident set size (RSS, after a garbage collection) once the first
1,000 users are done and once all are done, and the difference (bar: under 20 MB).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.request import BaseRequest, RequestData  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402

TOKEN = "123456:BENCH"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "西青政策助手", "username": "xiqing_policy_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
MESSAGES = ["/start", "房租补贴怎么算", "/help"]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class LocalBotApi(BaseRequest):
    """Answers every Bot API call at once, as Telegram would shape the answer."""

    def __init__(self):
        self.message_ids = itertools.count(1)
        self.calls = 0

    @property
    def read_timeout(self):
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url, method, request_data: RequestData | None = None, read_timeout=None,
                         write_timeout=None, connect_timeout=None, pool_timeout=None):
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            result = BOT_USER
        elif name in ("sendMessage", "sendDocument", "editMessageText"):
            chat_id = int(params["chat_id"])
            result = {"message_id": next(self.message_ids), "date": int(time.time()), "from": BOT_USER,
                      "chat": {"id": chat_id, "type": "private", "first_name": "x"}, "text": params.get("text", "")}
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def message_update(update_id: int, user_id: int, text: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": "zh-hans"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private",
               "first_name": user["first_name"]}, "from": user, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def run(users: int, baseline: int, in_flight: int, db: Path, messages: int = len(MESSAGES)) -> dict:
    application = build_application(Settings(token=TOKEN, db_path=db, send_rate=1_000_000))
    local = LocalBotApi()
    with application.bot._unfrozen():   # the HTTP layer only; everything above it is the real bot
        application.bot._request = (local, local)
    durable = application.update_queue.durable
    await application.initialize()
    await application.post_init(application)
    await application.start()
    update_ids = itertools.count(1)
    waiting: dict[int, asyncio.Future] = {}
    finished = durable.finished

    async def finished_and_told(update, handle) -> None:
        await finished(update, handle)
        if (future := waiting.pop(update.update_id, None)) is not None:
            future.set_result(None)

    durable.finished = finished_and_told
    figures = {}
    started = time.monotonic()

    async def user(user_id: int) -> None:
        for text in MESSAGES[:messages]:
            update = Update.de_json(message_update(next(update_ids), user_id, text), application.bot)
            before = local.calls
            waiting[update.update_id] = asyncio.get_running_loop().create_future()
            done = waiting[update.update_id]
            await application.update_queue.put(update)
            await done                       # processed (and replied) before the user's next message
            assert local.calls > before, "no reply"

    async def batch(first: int, last: int) -> None:
        pending: set[asyncio.Task] = set()
        for user_id in range(first, last):
            if len(pending) >= in_flight:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            pending.add(asyncio.ensure_future(user(1_000_000 + user_id)))
            if user_id and user_id % 10_000 == 0:
                print(f"{user_id:,} users, {time.monotonic() - started:.0f} s, RSS {rss_kb() / 1024:.1f} MB",
                      file=sys.stderr, flush=True)
        if pending:
            for task in (await asyncio.wait(pending))[0]:
                task.result()

    await batch(0, baseline)
    gc.collect()
    figures["rss_after_baseline_kb"] = rss_kb()
    figures["baseline_seconds"] = round(time.monotonic() - started, 1)
    await batch(baseline, users)
    gc.collect()
    figures["rss_after_all_kb"] = rss_kb()
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["user_data_in_memory"] = len(application.user_data)
    figures["chat_data_in_memory"] = len(application.chat_data)
    await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--in-flight", type=int, default=200, help="users being served at once")
    parser.add_argument("--messages", type=int, default=len(MESSAGES), choices=range(1, len(MESSAGES) + 1),
                        help="messages per user: /start, a question, /help (default all 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(run(args.users, args.baseline, args.in_flight, Path(workdir) / "bench.sqlite3",
                                  args.messages))
    growth = (figures["rss_after_all_kb"] - figures["rss_after_baseline_kb"]) / 1024
    print(f"RSS after {args.baseline:,} users: {figures['rss_after_baseline_kb'] / 1024:.1f} MB")
    print(f"RSS after {args.users:,} users: {figures['rss_after_all_kb'] / 1024:.1f} MB")
    print(f"growth: {growth:+.1f} MB (bar: under 20 MB); {args.users * args.messages:,} messages in "
          f"{figures['seconds']} s; user data held in memory afterwards: {figures['user_data_in_memory']}")
    return 0 if growth < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
