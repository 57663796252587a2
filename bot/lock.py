"""One process per store: an OS-level lock on a file next to the SQLite file.

    lock = hold_store(settings.db_path)     # raises StoreInUse (one line) when another holds it
    ...                                     # held until lock.release() or the process ends

The lock is ``flock`` on ``<store>.lock``: the kernel drops it when the process dies (even by
SIGKILL), so a crashed bot never leaves a stale lock behind. The file holds the holder's pid, for
the message only.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path


class StoreInUse(Exception):
    """Another process holds the store's lock."""


class LockProblem(Exception):
    """The lock file cannot be created (the message names the path and why)."""


def lock_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


class StoreLock:
    def __init__(self, db_path: str | Path, fd: int):
        self.db_path = Path(db_path)
        self.fd: int | None = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)      # closing the descriptor releases the flock
            self.fd = None


def hold_store(db_path: str | Path) -> StoreLock | None:
    """Take the store's lock for this process (None for ``:memory:``, which no one shares)."""
    if str(db_path) == ":memory:":
        return None
    path = lock_path(db_path)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()), parent)
        raise LockProblem(f"cannot use the store {db_path}: {blocker} is a file, not a folder") from None
    except OSError as exc:
        raise LockProblem(f"cannot create the folder of the store {db_path}: {exc.strerror}") from None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockProblem(f"cannot create the lock file {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        who = f" (pid {holder})" if holder else ""
        raise StoreInUse(f"the store {db_path} is in use by another policybot{who}; "
                         "only one bot may use a store at a time") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return StoreLock(db_path, fd)


def is_locked(db_path: str | Path) -> bool:
    """Whether another process holds the store's lock right now."""
    path = lock_path(db_path)
    if not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def open_own_store(db_path: str | Path):
    """This process's store: the instance lock first, then the store opened and checked.
    Returns (lock, store); keep the lock for the process's life. Any problem raises
    StoreUnusable with one line naming the path."""
    from bot.store import Store, StoreError

    try:
        lock = hold_store(db_path)
        return lock, Store.open(db_path)
    except (StoreInUse, LockProblem, StoreError) as exc:
        raise StoreUnusable(str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        raise StoreUnusable(f"cannot open the database {db_path}: {exc}") from None


class StoreUnusable(Exception):
    """The store cannot serve this process (in use, unusable); the message is one line."""
