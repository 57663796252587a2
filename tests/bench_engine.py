"""Per-step cost of the dialog engine: scripted eligibility interviews through dialogs.press/respond.

    python tests/bench_engine.py                 # 30 interviews of each kind, p50/p99 per step (ms)
    python tests/bench_engine.py --profile       # one cProfile run over the same interviews

Each interview answers as tests/bench_web.py's visitors do (institution, newly brought in, not a
500 firm, yes / none buttons, typed amounts where the question names them, else skip), plus a
variant that types an amount at every money question. In one process, no web server: the figure
is the engine's own time per step, less sensitive to the machine's load than the web benchmark.
"press" and "respond" are the question steps; "estimate" the last step of each interview, which
also writes the estimate's .docx. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs import new_state, press, respond  # noqa: E402

TYPED = [("经济贡献", "500万"), ("第几年", "第二年"), ("缴纳的房租", "120万"), ("营业收入", "3.2亿")]


def answer(question, typing: bool) -> tuple[str, str]:
    """("press", action) or ("respond", text): the reply a scripted visitor gives to a question."""
    offered = [button.action for row in question.buttons for button in row]
    for preferred in ("ans:role:institution", "ans:origin:new", "ans:ranking:none"):
        if preferred in offered:
            return "press", preferred
    if "ans:events:none" in offered:
        return "respond", "10万、30万"
    if typing and question.expects == "money":
        return "respond", "50万"
    for action in offered:
        if action.endswith((":yes", ":0")):
            return "press", action
    for words, typed in TYPED:
        if words in question.text:
            return "respond", typed
    return "press", "ctl:skip"


def interview(typing: bool, times: dict[str, list[float]]) -> dict:
    state = new_state("zh")
    start = time.perf_counter()
    state, replies = press(state, "check")
    times["press"].append(time.perf_counter() - start)
    for _ in range(40):
        if replies[-1].kind != "question":
            break
        how, what = answer(replies[-1], typing)
        start = time.perf_counter()
        state, replies = (press if how == "press" else respond)(state, what)
        # The last step also builds the estimate and its .docx: counted apart from the questions.
        times["estimate" if replies[-1].kind == "estimate" else how].append(time.perf_counter() - start)
    assert replies[-1].kind == "estimate", replies[-1].text
    return state


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="interviews of each kind")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the runs instead")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"press": [], "respond": [], "estimate": []}
    interview(False, times)  # warm up: load the interview file, the matcher
    times = {"press": [], "respond": [], "estimate": []}
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for _ in range(args.runs):
        interview(False, times)
        interview(True, times)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return 0
    for kind, values in times.items():
        ms = [v * 1000 for v in values]
        print(f"{kind:8s} {len(ms):5d} steps: p50 {percentile(ms, 0.5):6.2f} ms, "
              f"p99 {percentile(ms, 0.99):6.2f} ms, mean {statistics.mean(ms):6.2f} ms")
    with open("/proc/loadavg") as load:
        print(f"load average: {load.read().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
