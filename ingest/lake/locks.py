"""File locks of a node's journal folder (``flock``: the kernel drops them when the holder dies,
even by ``kill -9``).

- the node lock: one live writer per node, so nobody else appends to (or closes) its segments;
- the converter lock: one converter per node, so two never write the same part files.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def try_lock(path: Path) -> int | None:
    """The descriptor holding an exclusive lock on ``path``, or None if someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
    return fd


def lock(path: Path, timeout: float | None = None, poll: float = 0.01) -> int | None:
    """Like ``try_lock`` but waits up to ``timeout`` seconds (None: forever)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while (fd := try_lock(path)) is None:
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(poll)
    return fd


def unlock(fd: int) -> None:
    os.close(fd)  # closing the descriptor releases the flock
