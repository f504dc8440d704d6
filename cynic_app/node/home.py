"""CYNIC_HOME: create it, prove it is writable, hold the node lock on it, name its archive."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import Config
from ..durability import locks
from ..durability.archive import Archive
from ..durability.fsio import FS, OS_FS, make_dir_durable
from ..durability.journal.layout import WRITERS_LOCK_NAME
from .errors import HomeUnusable, NodeBusy, WritersAlive

NODE_LOCK_NAME = "node.lock"


def prepare_home(home: Path, *, fs: FS = OS_FS) -> None:
    """Create home (and journal/) if missing, their names durable, and check that files can be
    created in it."""
    home = Path(home)
    try:
        home.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        make_dir_durable(home, fs=fs)
        make_dir_durable(home / "journal", fs=fs)  # a journal inside is only as durable as this
    except OSError as exc:
        raise HomeUnusable(f"cannot create CYNIC_HOME {home}: {exc.strerror or exc}") from exc
    if not home.is_dir():
        raise HomeUnusable(f"CYNIC_HOME {home} is not a directory")
    probe = home / f".write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise HomeUnusable(f"CYNIC_HOME {home} is not writable: {exc.strerror or exc}") from exc


class NodeLock:
    """``node.lock``, held (durability/locks.py ``exclusive``) until released."""

    def __init__(self, lock):
        self._lock = lock

    def release(self) -> None:
        """Let go of the node (once: later calls do nothing)."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()


def acquire_node_lock(home: Path) -> NodeLock:
    """Hold ``node.lock`` for the life of the serving process; raise NodeBusy if taken."""
    lock = locks.exclusive(Path(home) / NODE_LOCK_NAME)
    if lock is None:
        raise NodeBusy(f"another cynic_app process is already serving CYNIC_HOME {home}")
    return NodeLock(lock)


@contextmanager
def no_writers(home: Path, *, timeout_s: float) -> Iterator[None]:
    """Hold ``journal/writers.lock`` exclusively: no writer of this home is alive meanwhile.

    Every journal writer holds it shared for its whole life (journal/writer.py), so this waits
    for writers left by an earlier run (the workers of a master that was killed exit within
    seconds) and raises WritersAlive when they are still there after timeout_s.
    """
    path = Path(home) / "journal" / WRITERS_LOCK_NAME
    deadline = time.monotonic() + timeout_s
    while (fd := locks.try_lock(path, create=True)) is None:
        if time.monotonic() >= deadline:
            raise WritersAlive(
                f"processes of an earlier run still write journals in CYNIC_HOME {home} (they hold "
                f"{path}); stop them, or wait for them to exit"
            )
        time.sleep(0.1)  # start-up only: waiting for other processes to exit
    try:
        yield
    finally:
        locks.release(fd)


def archive_of(config: Config, *, fs: FS = OS_FS) -> Archive:
    """Where this node's settled segments go (kept for the retention, or deleted)."""
    return Archive(config.home, config.retention, fs=fs)
