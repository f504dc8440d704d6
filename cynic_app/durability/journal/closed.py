"""Closed journals, as files: claim one (its lock), delete one once settled, remove unborn ones.

A journal is *closed* when its writer is gone: its lock is free and it has a segment (a writer
takes the lock before it creates its first segment, so a journal without one may be being born
and is left alone). What settling does between claiming and deleting — apply its records to
PostgreSQL — is the node's business (``cynic_app/node/settle.py``); here are only the files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import locks
from ..archive import Archive
from ..fsio import FS, OS_FS, make_dir_durable
from .layout import BROKEN_SUFFIX, LOCK_NAME, list_journals, list_segments

log = logging.getLogger(__name__)
BROKEN_DIR = "broken"
#: The position name of format-1 records (one shared journal, lines without ts).
LEGACY_NAME = "v1"
#: Files of the format-1 journal that go with its segments.
LEGACY_FILES = (".lock", ".sync")


@contextmanager
def claim(journal: Path, *, exclusive: bool = False) -> Iterator[bool]:
    """Hold a journal's lock for the block; yield False (holding nothing) if it is not closed.

    exclusive: the caller holds writers.lock exclusively, so no writer of this home is alive.
    """
    try:
        born = bool(list_segments(journal))
    except FileNotFoundError:  # another settler deleted it just now
        born = False
    if not born:
        yield False  # no segment yet: its writer may be creating it
        return
    try:
        fd = locks.try_lock(journal / LOCK_NAME, create=exclusive)
    except FileNotFoundError:
        # Writers create the lock before any segment and settlers delete it after the last one,
        # so only a hand can have removed it; with a writer perhaps alive, leave it alone.
        log.warning("journal %s has segments but no lock file: left for start-up to settle", journal)
        yield False
        return
    if fd is None:
        yield False
        return
    try:
        yield True
    finally:
        locks.release(fd)


def any_closed(root: Path) -> bool:
    """Whether a journal under root is closed now (a look at each journal's lock, nothing held)."""
    for journal in list_journals(root):
        with claim(journal) as closed:
            if closed:
                return True
    return False


def delete(journal: Path, name: str, home: Path, archive: Archive, *, fs: FS = OS_FS) -> None:
    """Delete a settled journal: its .broken copies to CYNIC_HOME/broken/, its segments retired
    oldest first (each durable before the next: a power loss leaves a suffix, never a gap), then
    its lock and its directory.

    The copies go first: once the segments are gone, a journal left half-deleted by a crash
    looks unborn, and unborn journals are removed whole.
    """
    legacy = name == LEGACY_NAME
    keep_broken(journal, home, prefix="" if legacy else f"{journal.name}-", fs=fs)
    for _first, path in list_segments(journal):
        archive.retire(path, journal=name)
        fs.fsync_dir(journal)
    if legacy:
        for legacy_file in LEGACY_FILES:
            if (journal / legacy_file).exists():
                fs.unlink(journal / legacy_file)
        fs.fsync_dir(journal)
        return
    fs.unlink(journal / LOCK_NAME)
    fs.rmdir(journal)
    fs.fsync_dir(journal.parent)


def keep_broken(journal: Path, home: Path, *, prefix: str, fs: FS) -> None:
    """Move a journal's .broken copies to CYNIC_HOME/broken/ (they outlive the journal)."""
    broken = [p for p in journal.iterdir() if BROKEN_SUFFIX in p.name]
    if not broken:
        return
    keep = home / BROKEN_DIR
    make_dir_durable(keep, fs=fs)
    for path in broken:
        fs.replace(path, keep / f"{prefix}{path.name}")
    fs.fsync_dir(keep)
    fs.fsync_dir(journal)


def remove_unborn(home: Path, *, fs: FS = OS_FS) -> int:
    """Delete journals that have no segment (their writer died being born, or a settler died
    deleting them); return how many. Their .broken copies are kept.

    Only a holder of writers.lock, exclusively, may call this: a journal without a segment may
    otherwise be one that a live writer is creating.
    """
    root = Path(home) / "journal"
    removed = 0
    for journal in list_journals(root):
        if list_segments(journal):
            continue
        keep_broken(journal, Path(home), prefix=f"{journal.name}-", fs=fs)
        for path in journal.iterdir():
            fs.unlink(path)
        fs.rmdir(journal)
        removed += 1
    if removed:
        fs.fsync_dir(root)
    return removed
