"""`policybot knowledge export-taught`: taught questions from SQLite into the entry files."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.export_taught import add_questions
from bot.store import Store
from knowledge.base import ENTRIES_DIR, load_entries

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    env.update(env_extra or {}, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot.cli", "knowledge", "export-taught", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture
def entries(tmp_path) -> Path:
    folder = tmp_path / "entries"
    shutil.copytree(ENTRIES_DIR, folder)
    return folder


def test_taught_questions_are_appended_to_the_entry_files_and_nothing_else_changes(tmp_path, entries):
    db = tmp_path / "bot.sqlite3"
    store = Store.open(db)
    store.add_taught("a05", "园区里租办公室公司能报销吗", 7001)
    store.add_taught("a05", "办公室租金有\"补贴\"吗", 7001)
    store.add_taught("a14", "招了个博士有钱拿吗", 7001)
    store.close()
    rent = next(entries.glob("a05-*.toml"))
    before = rent.read_bytes()
    untouched = {p.name: p.read_bytes() for p in entries.glob("*.toml") if not p.name.startswith(("a05", "a14"))}

    result = run("--dir", str(entries), env_extra={"POLICYBOT_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "a05-" in result.stdout and "园区里租办公室公司能报销吗" in result.stdout and "招了个博士有钱拿吗" in result.stdout

    after = rent.read_bytes()
    questions = tomllib.loads(after.decode())["questions"]
    old = tomllib.loads(before.decode())["questions"]
    assert questions == old + ["园区里租办公室公司能报销吗", "办公室租金有\"补贴\"吗"]
    # Only lines were inserted, before the list's closing bracket.
    added = after.decode().split("\n")
    original = before.decode().split("\n")
    assert [line for line in added if line not in original] == [
        '    "园区里租办公室公司能报销吗",', '    "办公室租金有\\"补贴\\"吗",']
    assert [line for line in added if line in original] == original
    assert {p.name: p.read_bytes() for p in entries.glob("*.toml") if p.name in untouched} == untouched
    assert not [p for p in load_entries(entries)[1] if "question" in p.field]

    # Running it again writes nothing.
    again = run("--dir", str(entries), "--db", str(db))
    assert again.returncode == 0 and "already" in again.stdout and rent.read_bytes() == after


def test_with_nothing_taught_it_says_so(tmp_path, entries):
    db = tmp_path / "bot.sqlite3"
    Store.open(db).close()
    result = run("--dir", str(entries), "--db", str(db))
    assert result.returncode == 0 and "No taught example questions" in result.stdout


def test_a_last_item_without_a_comma_gets_one():
    source = 'id = "x"\nquestions = [\n    "一",\n    "二"\n]\nkeywords = ["k"]\n'
    updated = add_questions(source, ["三"])
    assert tomllib.loads(updated)["questions"] == ["一", "二", "三"]
    assert updated.endswith(']\nkeywords = ["k"]\n') and updated.startswith('id = "x"\nquestions = [\n    "一",\n')
