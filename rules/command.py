"""The body of ``policybot estimate``: read a profile, print the estimate; bad input is one line, exit 2."""
from __future__ import annotations

import json
import sys

from .estimate import estimate
from .profile import ProfileError
from .render import render_text

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"policybot estimate: {message}", file=sys.stderr)
    return EXIT_USAGE


def _read_profile(source: str):
    if source == "-":
        try:
            text = sys.stdin.read()
        except UnicodeDecodeError:
            raise ValueError("standard input is not UTF-8 text / 档案不是 UTF-8 文本")
        where = "standard input"
    else:
        try:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise ValueError(f"cannot read profile file {source}: {reason} / 无法读取档案文件")
        where = source
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{where} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
                         " / 档案不是有效的 JSON")
    except RecursionError:
        raise ValueError(f"{where} is nested too deeply to be a profile / 档案嵌套过深")


def run_estimate_command(args) -> int:
    """`policybot estimate PROFILE [--json] [--as-of YYYY-MM-DD] [--lang zh|en]`; returns the exit status.

    --json prints the RULES.md shape (Chinese text by default, English with --lang en).
    """
    lang = getattr(args, "lang", "zh")
    try:
        profile = _read_profile(args.profile)
        as_of = args.as_of
        if as_of is None and not (isinstance(profile, dict) and "as_of" in profile):
            as_of = getattr(args, "default_as_of", None)  # (POLICYBOT_AS_OF, else the clock)
        result = estimate(profile, as_of=as_of, lang=lang)
    except ProfileError as error:
        if error.key == "as_of" and args.as_of is not None:
            return _fail(f"--as-of {args.as_of}: expected a date YYYY-MM-DD / 应为 YYYY-MM-DD 格式的日期")
        return _fail(str(error))
    except ValueError as error:
        return _fail(str(error))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(render_text(result, lang))
    return 0
