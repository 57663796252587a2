"""``policybot knowledge export-taught``: write the example questions staff taught through
/unanswered (SQLite, ``taught`` table) into the entries' TOML files, for review in git.

Each question is appended as a line before the closing bracket of the entry's ``questions = [``
list; the rest of the file is kept byte for byte. Questions already in the file are skipped, so
running it twice changes nothing.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

QUESTIONS_START = re.compile(r"^questions = \[[ \t]*\r?\n", re.MULTILINE)
LIST_END = re.compile(r"^\][ \t]*\r?$", re.MULTILINE)


class ExportError(Exception):
    pass


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML; non-ASCII stays readable)."""
    return json.dumps(text, ensure_ascii=False)


def add_questions(source: str, questions: list[str]) -> str:
    """``source`` (one entry file) with ``questions`` appended to its ``questions`` list."""
    start = QUESTIONS_START.search(source)
    if not start:
        raise ExportError("no multi-line `questions = [` list")
    end = LIST_END.search(source, start.end())
    if not end:
        raise ExportError("the `questions` list has no closing `]` line")
    body = source[start.end():end.start()]
    newline = "\r\n" if body.endswith("\r\n") else "\n"
    indent = re.match(r"[ \t]*", body).group(0) if body.strip() else "    "
    last = body.rstrip()
    if last and not last.endswith(","):
        # The last item needs a comma before more items can follow (the only byte changed).
        cut = len(last)
        body = body[:cut] + "," + body[cut:]
    if body and not body.endswith("\n"):
        body += newline
    added = "".join(f"{indent}{toml_string(q)},{newline}" for q in questions)
    return source[:start.end()] + body + added + source[end.start():]


def present_list(source: str) -> list[str]:
    return list(tomllib.loads(source).get("questions", []))


def export_taught(taught: dict[str, list[str]], entries_dir: Path) -> list[tuple[str, str]]:
    """Write ``taught`` (entry id -> questions) into the files; returns (file name, question)
    for every question written."""
    files: dict[str, Path] = {}
    for path in sorted(entries_dir.glob("*.toml")):
        try:
            entry_id = tomllib.loads(path.read_text(encoding="utf-8")).get("id")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ExportError(f"{path.name}: not valid TOML: {exc}") from None
        if isinstance(entry_id, str):
            files[entry_id.strip()] = path
    written: list[tuple[str, str]] = []
    for entry_id, questions in sorted(taught.items()):
        path = files.get(entry_id)
        if path is None:
            raise ExportError(f"no entry file with id {entry_id!r} in {entries_dir}")
        with path.open(encoding="utf-8", newline="") as handle:   # keep \r\n where the file has it
            source = handle.read()
        present = set(tomllib.loads(source).get("questions", []))
        new = [q for q in dict.fromkeys(q.strip() for q in questions) if q and q not in present]
        if not new:
            continue
        try:
            updated = add_questions(source, new)
        except ExportError as exc:
            raise ExportError(f"{path.name}: {exc}") from None
        try:
            same = tomllib.loads(updated).get("questions") == list(present_list(source)) + new
        except tomllib.TOMLDecodeError:
            same = False
        if not same:
            raise ExportError(f"{path.name}: could not add the questions safely; nothing written to it")
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(updated)
        written += [(path.name, q) for q in new]
    return written


def run_export_taught(args) -> int:
    import sqlite3

    from bot.config import load_settings
    from bot.store import Store
    from knowledge.base import ENTRIES_DIR

    db_path = Path(args.db) if getattr(args, "db", None) else load_settings().db_path
    entries_dir = Path(args.dir) if getattr(args, "dir", None) else ENTRIES_DIR
    if not db_path.exists():
        print(f"No database at {db_path}: nothing has been taught yet (set POLICYBOT_DB or use --db).")
        return 0
    try:
        store = Store.open(db_path)
        taught = store.taught()
        store.close()
    except sqlite3.Error as exc:
        print(f"policybot: cannot read the database {db_path}: {exc}", file=sys.stderr)
        return 1
    if not taught:
        print(f"No taught example questions in {db_path}.")
        return 0
    try:
        written = export_taught(taught, entries_dir)
    except (ExportError, OSError) as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 1
    for name, question in written:
        print(f"{name}: + {question}")
    total = sum(len(v) for v in taught.values())
    if written:
        print(f"Wrote {len(written)} taught question(s) into {entries_dir}; review them with git diff.")
    else:
        print(f"All {total} taught question(s) are already in the knowledge files.")
    return 0
