"""``policybot backup FILE`` and ``policybot restore FILE``.

Backup copies the store with SQLite's online backup API, so it is consistent even while the bot
runs and writes (no lock of ours is needed: SQLite's own locking suffices). Restore takes the
store's instance lock, so it refuses while a bot uses the store, and checks the file first: a
SQLite file that passes ``PRAGMA integrity_check``, with the bot's tables, of a schema this
version knows.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from bot.lock import LockProblem, StoreInUse, hold_store
from bot.store import BUSY_TIMEOUT_MS, MIGRATIONS

REQUIRED_TABLES = {"user_data", "chat_data", "conversations", "question_log", "feedback"}


class BackupError(Exception):
    """One line for the operator."""


def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` (written beside it, then renamed into place)."""
    if not source.is_file():
        raise BackupError(f"there is no store at {source}")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; name the backup file")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        src = _read_only(source)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                # A self-contained file: not WAL, so copying it alone is a complete copy.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source} to {target}: {exc}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup {target}: {exc.strerror or exc}") from None


def check_backup(path: Path) -> int:
    """The schema version of a backup file fit to restore; BackupError saying why not."""
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    try:
        conn = _read_only(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable policybot store (corrupt, or not a SQLite file): {exc}") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {result})")
    if not REQUIRED_TABLES <= tables:
        raise BackupError(f"{path} is not a policybot store (missing tables: "
                          f"{', '.join(sorted(REQUIRED_TABLES - tables))})")
    if version > len(MIGRATIONS):
        raise BackupError(f"{path} was created by a newer policybot (schema version {version}, this one "
                          f"knows up to {len(MIGRATIONS)}); upgrade")
    return version


def restore_store(backup: Path, store: Path) -> int:
    """Replace ``store`` by ``backup`` when no bot uses it; the backup's schema version."""
    version = check_backup(backup)
    if store.resolve() == backup.resolve():
        raise BackupError(f"{backup} is the store itself")
    try:
        lock = hold_store(store)
    except StoreInUse as exc:
        raise BackupError(f"{exc}; stop it before restoring") from None
    except LockProblem as exc:
        raise BackupError(str(exc)) from None
    try:
        if store.is_dir():
            raise BackupError(f"the store {store} is a folder, not a database file")
        copy_store(backup, store.with_name(store.name + ".restoring"))
        # The old file's WAL must not be replayed onto the restored one.
        for suffix in ("-wal", "-shm"):
            Path(str(store) + suffix).unlink(missing_ok=True)
        os.replace(store.with_name(store.name + ".restoring"), store)
    finally:
        if lock is not None:
            lock.release()
    return version


def _db_path(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db).expanduser()
    from bot.config import load_settings

    return load_settings().db_path


def run_backup(args: argparse.Namespace) -> int:
    source, target = _db_path(args), Path(args.file).expanduser()
    try:
        copy_store(source, target)
    except BackupError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {source} to {target}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    backup, store = Path(args.file).expanduser(), _db_path(args)
    try:
        version = restore_store(backup, store)
    except BackupError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    print(f"restored {store} from {backup} (schema version {version}; the bot migrates it on start if older)")
    return 0
