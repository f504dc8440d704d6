"""CYNIC_HOME: create it, prove it is writable, and hold the node lock on it."""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from .fsio import FS, OS_FS, make_dir_durable


class HomeUnusable(Exception):
    """CYNIC_HOME cannot be used; the message is the one-line reason shown to the operator."""


class NodeBusy(Exception):
    """Another cynic_app process already serves this CYNIC_HOME."""


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


def acquire_node_lock(home: Path) -> FileLock:
    """Hold ``node.lock`` for the life of the serving process; raise NodeBusy if taken."""
    lock = FileLock(Path(home) / "node.lock", timeout=0, mode=0o640, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise NodeBusy(f"another cynic_app process is already serving CYNIC_HOME {home}") from None
    return lock
