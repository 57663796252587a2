"""The ``policybot`` command line: a thin layer over knowledge/, rules/, dialogs/ and the channels.

Library errors become one-line messages here, at the edge, and never tracebacks.
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_USAGE = 2

DESCRIPTION = """西青区人力资源服务产业园政策助手 (Xiqing HR Park policy assistant).

Without a subcommand: the Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."""


def fail(message: str, status: int = EXIT_USAGE) -> int:
    """Print one line to stderr and return the exit status."""
    print(f"policybot: {message}", file=sys.stderr)
    return status


def cmd_main(args: argparse.Namespace) -> int:
    """Start the main job: Telegram when a token is configured, else the terminal chat."""
    from bot import config

    settings = config.load_settings()
    if settings.token:
        from bot.telegram.app import run_bot

        return run_bot(settings)
    return cmd_chat(args)


def as_of_of(args: argparse.Namespace):
    """The --as-of date (None when not given); a malformed one raises ValueError with the message."""
    from dialogs.dates import parse_day

    raw = getattr(args, "as_of", None)
    if raw is None:
        setting = os.environ.get("POLICYBOT_AS_OF", "").strip()
        if setting and parse_day(setting) is None:
            raise ValueError(f"POLICYBOT_AS_OF={setting}: expected a date YYYY-MM-DD / 应为 YYYY-MM-DD 格式的日期")
        return None
    day = parse_day(raw)
    if day is None:
        raise ValueError(f"--as-of {raw}: expected a date YYYY-MM-DD / 应为 YYYY-MM-DD 格式的日期")
    return day


def cmd_serve(args: argparse.Namespace) -> int:
    """The web channel (and the Telegram bot in the same process when a token is set)."""
    from bot import config
    from bot.serve import run_serve

    return run_serve(config.load_settings(), listen=args.listen, port=args.port)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.terminal import run_chat

    try:
        as_of = as_of_of(args)
    except ValueError as error:
        return fail(str(error))
    return run_chat(sys.stdin, sys.stdout, as_of=as_of)


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.ask import run_ask

    try:
        args.as_of = as_of_of(args)
    except ValueError as error:
        return fail(str(error))
    return run_ask(args)


def cmd_eval(args: argparse.Namespace) -> int:
    from knowledge.evaluate import run_eval_command

    return run_eval_command(args)


def cmd_knowledge_check(args: argparse.Namespace) -> int:
    from knowledge.base import check_entries_command

    return check_entries_command(args)


def cmd_knowledge_export_taught(args: argparse.Namespace) -> int:
    from bot.export_taught import run_export_taught

    return run_export_taught(args)


def cmd_knowledge_train(args: argparse.Namespace) -> int:
    from knowledge.model import run_train_command

    return run_train_command(args)


def cmd_estimate(args: argparse.Namespace) -> int:
    from dialogs.dates import setting
    from rules.command import run_estimate_command

    # The date every channel reads, when set: after --as-of and the profile's own as_of.
    day = setting()
    args.default_as_of = day.isoformat() if day is not None else None
    return run_estimate_command(args)


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.backup import run_backup

    return run_backup(args)


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.backup import run_restore

    return run_restore(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  policybot ask \"房租补贴怎么算\"",
    )
    parser.set_defaults(func=cmd_main)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser(
        "ask", help="answer one question as the bot would",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  policybot ask \"房租补贴怎么算\"\n  policybot ask --json \"营收1.3亿能拿多少\"\n"
               "  printf '房租补贴\\n早上好\\n' | policybot ask --json",
    )
    p.add_argument("question", nargs="*", help="the question (with --json and none: read one per line from stdin)")
    p.add_argument("--json", action="store_true", help="print {query, confident, matches} as JSON")
    p.add_argument("--lang", choices=["zh", "en"], default=None, help="answer language (default: the question's)")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="answer as on this date, YYYY-MM-DD (default: POLICYBOT_AS_OF, else today)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "eval", help="score the matcher on a labelled question file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  policybot eval knowledge/questions.tsv --baseline\n"
               "  policybot eval knowledge/questions.tsv --cv 5\n"
               "  policybot eval knowledge/questions.tsv --lockboxes 3",
    )
    p.add_argument("file", help="TSV lines: question<TAB>labels (article numbers 0-19, comma-separated, or none)")
    p.add_argument("--baseline", action="store_true", help="also score a plain BM25 baseline side by side")
    p.add_argument("--min-top1", type=float, default=0.95, help="fail below this top-1 accuracy (default 0.95)")
    p.add_argument("--min-top3", type=float, default=0.99, help="fail below this top-3 recall (default 0.99)")
    p.add_argument("--min-reject", type=float, default=0.90,
                   help="fail below this out-of-scope rejection (default 0.90)")
    p.add_argument("--max-p99-ms", type=float, default=None, help="fail when warm p99 latency exceeds this")
    p.add_argument("--cv", type=int, default=None, metavar="K",
                   help="also K-fold cross-validate: each fold scored by a model trained without it")
    p.add_argument("--seed", type=int, default=None, help="seed of the cross-validation folds")
    p.add_argument("--lockboxes", type=int, default=None, metavar="N",
                   help="also score each of the last N blind lockboxes folded into the file by a model "
                        "trained without it")
    p.add_argument("--max-wrong", type=float, default=None,
                   help="fail when confident wrong answers exceed this share of in-scope questions")
    p.add_argument("--max-wrong-out", type=float, default=None,
                   help="fail when confident answers exceed this share of out-of-scope questions")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("knowledge", help="work with the knowledge files")
    ksub = p.add_subparsers(title="knowledge commands", metavar="ACTION")
    k = ksub.add_parser(
        "check", help="validate the clause entries, naming the file and field of each problem",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  policybot knowledge check",
    )
    k.add_argument("--dir", default=None, help="entries folder (default: the packaged one)")
    k.set_defaults(func=cmd_knowledge_check)
    k = ksub.add_parser(
        "export-taught", help="write the example questions staff taught (/unanswered) into the entry files",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  POLICYBOT_DB=policybot.sqlite3 policybot knowledge export-taught && git diff knowledge/",
    )
    k.add_argument("--db", default=None, help="the bot's SQLite file (default: POLICYBOT_DB)")
    k.add_argument("--dir", default=None, help="entries folder (default: the packaged one)")
    k.set_defaults(func=cmd_knowledge_export_taught)
    k = ksub.add_parser(
        "train", help="fit the answer model on the knowledge files and write it to the cache",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  policybot knowledge train",
    )
    k.set_defaults(func=cmd_knowledge_train)
    p.set_defaults(func=lambda a: (p.print_help(), EXIT_USAGE)[1])

    p = sub.add_parser(
        "estimate", help="estimate awards for an applicant profile (JSON)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  policybot estimate profile.json\n"
               "  echo '{\"role\": \"institution\", \"revenue\": 320000000}' | policybot estimate - --json\n"
               "  policybot estimate profile.json --lang en",
    )
    p.add_argument("profile", help="profile JSON file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print the result JSON (RULES.md shape)")
    p.add_argument("--as-of", dest="as_of", default=None, help="the date of the estimate, YYYY-MM-DD")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of items, bases and notes: zh (default, 万元) or en (RMB)")
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser(
        "backup", help="copy the bot's store to FILE, consistently, even while the bot runs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  policybot backup /var/backups/policybot-$(date +%F).sqlite3",
    )
    p.add_argument("file", help="the backup file to write (replaced if it exists)")
    p.add_argument("--db", default=None, help="the bot's SQLite file (default: POLICYBOT_DB)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="replace the bot's store by a backup (refused while a bot uses the store)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  systemctl stop policybot && policybot restore backup.sqlite3 && systemctl start policybot",
    )
    p.add_argument("file", help="a backup written by policybot backup")
    p.add_argument("--db", default=None, help="the bot's SQLite file (default: POLICYBOT_DB)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "serve", help="serve the web chat and its JSON API (and the Telegram bot when a token is set)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  policybot serve                      # http://127.0.0.1:8080/\n"
               "  policybot serve --listen 0.0.0.0 --port 8000\n"
               "Settings: POLICYBOT_WEB_LISTEN, POLICYBOT_WEB_PORT, POLICYBOT_WEB_ROOT_PATH (see the README).",
    )
    p.add_argument("--listen", default=None, help="address to listen on (default: POLICYBOT_WEB_LISTEN or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: POLICYBOT_WEB_PORT or 8080)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "chat", help="chat in the terminal (questions, /check interview)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  policybot chat\n  printf '房租补贴怎么算\\n/quit\\n' | policybot chat\n"
               "  policybot chat --as-of 2027-01-05",
    )
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="chat as on this date, YYYY-MM-DD (default: POLICYBOT_AS_OF, else today)")
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())
