"""Exactly once across kills: the bot as its own process, killed with SIGKILL at random points
while 20 users run their interviews at once, restarted each time; the users carry on.

For each seed: every user receives every reply of the engine's transcript, in order, with nothing
missing; no question is answered before it was shown (each user answers only the question on
screen, and a reply to a wrong question would break the transcript); no question is logged twice.
The fake Bot API re-delivers every update the bot did not confirm with a later getUpdates offset,
as Telegram does, and drops every request from the moment of the kill (the bot is dead).

The one duplicate the Bot API cannot prevent is counted, not hidden: a reply Telegram accepted in
the last instant before the kill, before the bot recorded it as sent, is sent again after the
restart. The test finds each such reply in the store right after the kill (sent to the server,
unmarked in the outbox) and allows exactly that copy; any other duplicate fails.

    python -m pytest tests/test_telegram_killtest.py -q           # 5 seeds (about 1-2 minutes)
    python tests/test_telegram_killtest.py --seeds 10 --kills 3   # script form, prints figures
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dialogs  # noqa: E402
from bot.telegram.render import DOC_ACTION, compose_messages, split_message  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402

SEEDS = [1, 2, 3, 4, 5]
USERS = 20
KILLS = 2
FIRST_USER = 7000
STEP_TIMEOUT = 90.0     # a step may span a kill and a restart (the bot starts in a few seconds)


@dataclass
class Step:
    kind: str            # "type" or "press"
    value: str
    texts: list[str]     # the messages the engine's replies make, as the channel sends them
    asked: list[str]     # questions this step puts into the question log


@functools.lru_cache(maxsize=None)
def script(user_index: int) -> tuple[Step, ...]:
    """One applicant's conversation, from the engine itself: a question, then /check answered
    with the buttons shown (mostly the first, sometimes another) or the example the question
    gives, to the estimate (or to the end an answer leads to)."""
    rng = random.Random(user_index)
    state = dialogs.new_state(lang="zh")
    moves = [("type", "房租补贴怎么算"), ("type", "/check")]
    steps: list[Step] = []
    while len(steps) < len(moves):
        kind, value = moves[len(steps)]
        state, replies = (dialogs.press if kind == "press" else dialogs.respond)(state, value)
        messages = compose_messages(replies, "📄 保存测算结果")
        texts = [chunk for text, _ in messages for chunk in split_message(text)]
        asked = [str(e.get("query", "")) for r in replies for e in r.events if e.get("type") == "asked"]
        steps.append(Step(kind, value, texts, asked))
        actions = [action for row in messages[-1][1] for _, action in row]
        if len(steps) < len(moves) or DOC_ACTION in actions or not any(a.startswith("ctl:") for a in actions):
            continue
        answers = [a for a in actions if a.startswith("ans:")]
        if answers:
            moves.append(("press", answers[0] if rng.random() < 0.8 else rng.choice(answers)))
        else:
            hint = re.search(r"(?:可以这样回答|For example)[:：]\s*(\S+)", texts[-1])
            moves.append(("type", hint.group(1) if hint else "跳过"))
        assert len(moves) < 60, "a scripted interview that does not end"
    return tuple(steps)


@dataclass
class Run:
    """One seed: the bot process, its kills and what was found at each."""

    api: FakeBotApi
    db: Path
    seed: int
    kills: int
    log: Path
    thresholds: list[int] = field(default_factory=list)
    process: subprocess.Popen | None = None
    killed: asyncio.Event | None = None
    killed_loop: asyncio.AbstractEventLoop | None = None
    in_flight: dict[int, list[int]] = field(default_factory=dict)   # chat -> positions sent twice
    kill_log: list[str] = field(default_factory=list)
    restarts: int = 0

    def start(self) -> None:
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=self.api.token, TELEGRAM_API_BASE_URL=self.api.base_url,
                   POLICYBOT_DB=str(self.db), PYTHONPATH=str(ROOT), POLICYBOT_SEND_RATE="10000",
                   POLICYBOT_LOG_LEVEL="WARNING")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=log)

    def intercept(self, method: str, params: dict) -> bool:
        """In the server's thread, at every request: past the next threshold of messages sent,
        kill the bot right now; this request and every later one go unanswered."""
        if not self.thresholds or self.process is None:
            return False
        sent = sum(1 for m, _, _ in self.api.calls if m == "sendMessage")
        if sent < self.thresholds[0]:
            return False
        self.thresholds.pop(0)
        self.api.down = True
        os.kill(self.process.pid, signal.SIGKILL)
        self.kill_log.append(f"killed at {method} after {sent} messages")
        self.killed_loop.call_soon_threadsafe(self.killed.set)
        return True

    async def supervise(self) -> None:
        """Restart the bot after each kill, once the store shows what was in flight."""
        while True:
            await self.killed.wait()
            self.killed.clear()
            await asyncio.get_running_loop().run_in_executor(None, self.process.wait)
            await asyncio.sleep(0.2)    # requests the dead process had sent are drained (dropped)
            self.note_in_flight()
            self.api.down = False
            self.restarts += 1
            self.start()

    def note_in_flight(self) -> None:
        """Replies the server recorded but the outbox still has as unsent: Telegram took them in
        the instant before the kill; the restarted bot sends them again (allowed once each)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            for chat in range(FIRST_USER, FIRST_USER + USERS):
                received = [m.text for m in self.api.messages(chat) if m.method == "sendMessage"]
                twice = self.in_flight.setdefault(chat, [])
                logical = [t for i, t in enumerate(received) if i not in twice]
                rows = conn.execute("SELECT text, sent_at FROM outbox WHERE chat_id = ? ORDER BY id",
                                    [chat]).fetchall()
                assert [r[0] for r in rows[:len(logical)]] == logical, f"chat {chat}: server and outbox disagree"
                for position, (text, sent_at) in enumerate(rows[:len(logical)]):
                    if sent_at is None:
                        # Its second copy will be the next message after everything received so far.
                        twice.append(len(received) + len([p for p in twice if p >= len(received)]))
                        self.kill_log.append(f"chat {chat}: reply {position + 1} was in flight")
        finally:
            conn.close()


def logical_texts(run: Run, chat: int) -> list[str]:
    received = [m.text for m in run.api.messages(chat) if m.method == "sendMessage"]
    return [t for i, t in enumerate(received) if i not in run.in_flight.get(chat, [])]


async def applicant(run: Run, index: int) -> None:
    """One user: each step only once the replies of the step before are all on screen."""
    chat = FIRST_USER + index
    expected = 0
    for step in script(index):
        if step.kind == "press":
            question = [m for m in run.api.messages(chat) if m.method == "sendMessage"][-1]
            run.api.press(question, step.value)
        else:
            run.api.send_text(chat, step.value)
        expected += len(step.texts)
        await run.api.wait_for(lambda: len(logical_texts(run, chat)) >= expected, timeout=STEP_TIMEOUT,
                               what=f"user {chat}: step {step.value!r}")


async def run_seed(seed: int, workdir: Path, kills: int = KILLS, users: int = USERS) -> dict:
    api = FakeBotApi().start()
    run = Run(api=api, db=workdir / f"seed{seed}.sqlite3", seed=seed, kills=kills, log=workdir / f"seed{seed}.log")
    total = sum(len(step.texts) for i in range(users) for step in script(i))
    rng = random.Random(seed)
    run.thresholds = sorted(rng.sample(range(total // 10, total * 9 // 10), kills))
    run.killed, run.killed_loop = asyncio.Event(), asyncio.get_running_loop()
    api.intercept = run.intercept
    started = time.monotonic()
    run.start()
    supervisor = asyncio.ensure_future(run.supervise())
    try:
        await asyncio.gather(*(applicant(run, i) for i in range(users)))
        await asyncio.sleep(0.5)   # anything sent late (a duplicate) arrives
    finally:
        supervisor.cancel()
        if run.process and run.process.poll() is None:
            run.process.send_signal(signal.SIGTERM)
            try:
                run.process.wait(30)
            except subprocess.TimeoutExpired:
                run.process.kill()
        api.stop()

    problems = []
    for i in range(users):
        chat = FIRST_USER + i
        expected = [text for step in script(i) for text in step.texts]
        got = logical_texts(run, chat)
        if got != expected:
            first = next((k for k, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
            problems.append(f"user {chat}: {len(got)} replies, expected {len(expected)}; first difference at {first}: "
                            f"got {got[first:first + 1]!r}, expected {expected[first:first + 1]!r}")
    conn = sqlite3.connect(workdir / f"seed{seed}.sqlite3")
    try:
        for i in range(users):
            chat = FIRST_USER + i
            logged = [q for (q,) in conn.execute("SELECT question FROM question_log WHERE user_id = ? ORDER BY id", [chat])]
            expected = [q for step in script(i) for q in step.asked]
            if logged != expected:
                problems.append(f"user {chat}: question log {logged!r}, expected {expected!r}")
        unsent = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
        inbox = conn.execute("SELECT count(*) FROM inbox").fetchone()[0]
    finally:
        conn.close()
    if unsent or inbox:
        problems.append(f"left behind: {unsent} unsent replies, {inbox} unhandled updates")
    if run.restarts != kills:
        problems.append(f"{run.restarts} restarts for {kills} kills")
    return {"seed": seed, "seconds": round(time.monotonic() - started, 1), "replies": total,
            "kills": run.kill_log, "sent_twice": sum(len(v) for v in run.in_flight.values()),
            "problems": problems}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
async def test_every_reply_exactly_once_across_kills(seed, tmp_path):
    result = await run_seed(seed, tmp_path)
    assert not result["problems"], "\n".join(result["problems"] + result["kills"])
    # Each kill was followed by a restart and the users finished: the kills really happened.
    assert sum(1 for line in result["kills"] if line.startswith("killed")) == KILLS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds 1..N (default 5)")
    parser.add_argument("--kills", type=int, default=KILLS, help="kills per seed (default 2)")
    parser.add_argument("--users", type=int, default=USERS, help="users at once (default 20)")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as workdir:
        for seed in range(1, args.seeds + 1):
            result = asyncio.run(run_seed(seed, Path(workdir), args.kills, args.users))
            print(f"seed {seed}: {result['replies']} replies, {len(result['kills'])} events, "
                  f"{result['sent_twice']} sent twice (in flight at a kill), {result['seconds']} s: "
                  f"{'OK' if not result['problems'] else 'FAILED'}")
            for line in result["kills"] + result["problems"]:
                print("   ", line)
            failed += bool(result["problems"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
