"""The process that makes the estimates' Word files for a server: ``python -m dialogs.document_worker``.

Started by dialogs.document (``build_off_loop``) as a plain child process, it reads requests on
its stdin and writes the files on its stdout, one at a time, in frames:

    request   4-byte big-endian length, then JSON {"filename": ..., "recipe": {...}}
    reply     b"D", 4-byte length, the .docx bytes       (the file)
              b"E", 4-byte length, JSON {"error": "..."}  (it could not be made: one line)

It exits when its stdin ends: the server closed it (idle, replaced) or died, even by SIGKILL,
since the kernel then closes the pipe. Its stderr is the server's.
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import struct
import sys
import threading
import time
import traceback

REQUEST = struct.Struct(">I")
REPLY = struct.Struct(">cI")


def _read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``; None at the end of the stream."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _end_with_parent(parent: int) -> None:
    """Exit once the server is gone, also while a file hangs (reading stdin would notice only later)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _error_line(exc: BaseException) -> str:
    """The exception and where it was raised, on one line."""
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    place = f" ({os.path.basename(where[0].filename)}:{where[0].lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{place}"


def main() -> int:
    # The frames go to a private copy of stdout; fd 1 becomes stderr, so a stray print cannot break them.
    replies = os.dup(1)
    os.dup2(2, 1)
    parent = os.getppid()
    # Ctrl-C in a terminal reaches the whole process group: the server handles it, and this
    # process ends when the server does (no KeyboardInterrupt traceback from here).
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # Load python-docx and the rules once, then keep them out of the collector's passes (the
    # collection after each file then takes ~3 ms, not ~20).
    import docx.enum.table  # noqa: F401 (what estimate_docx imports when it first runs)
    import docx.enum.text  # noqa: F401
    import rules.render  # noqa: F401
    from dialogs.document import EstimateDocument

    gc.collect()
    gc.freeze()
    # Replies first, files second: where the cores are busy, the scheduler prefers the server.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    threading.Thread(target=_end_with_parent, args=(parent,), daemon=True, name="end-with-parent").start()

    while True:
        header = _read_exactly(0, REQUEST.size)
        if header is None:
            return 0
        body = _read_exactly(0, REQUEST.unpack(header)[0])
        if body is None:
            return 0
        try:
            request = json.loads(body)
            fault = request.get("test_fault")   # set only by the tests (dialogs.document._TEST_FAULT)
            if fault == "die":
                os._exit(1)
            if fault == "hang":
                time.sleep(3600)
            data = EstimateDocument(request["filename"], request["recipe"])._build_and_release()
            kind = b"D"
        except Exception as exc:  # a file that cannot be made: said in one line, the worker goes on
            data, kind = json.dumps({"error": _error_line(exc)}).encode(), b"E"
        try:
            _write_all(replies, REPLY.pack(kind, len(data)) + data)
        except BrokenPipeError:  # the server went away meanwhile
            return 0


if __name__ == "__main__":
    sys.exit(main())
