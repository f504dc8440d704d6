"""Exclusive file locks held on a descriptor (``flock``): released when the holder closes it or dies.

A journal's ``lock`` is held by its one writer for the writer's whole life; a free lock is how
everyone else knows the writer is gone. flock conflicts between *open files*, so a second open of
the same path — even in the same process — cannot take a lock that is held. The descriptor is
inherited across fork, so a process MUST NOT fork while it holds one it means to release.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def try_lock(path: Path, *, create: bool = False) -> int | None:
    """Take an exclusive lock on path without waiting; return its descriptor, or None if held.

    Raise FileNotFoundError when path is missing and create is False.
    """
    flags = os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def share(path: Path) -> int:
    """Take a shared lock on path (created if missing), waiting while it is held exclusively;
    return its descriptor."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return fd


def release(fd: int) -> None:
    """Give the lock up (closing the descriptor releases it)."""
    os.close(fd)


class HeldLock:
    """An exclusive lock on path, taken and given up on a descriptor kept open (no polling: a
    waiter sleeps in the kernel until the holder lets go). For one thread of a process at a
    time; opened again in a forked child."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._pid: int | None = None

    def __enter__(self) -> HeldLock:
        if self._pid != os.getpid():
            self._fd, self._pid = (
                os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640),
                os.getpid(),
            )
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
