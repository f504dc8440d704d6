"""Settle closed journals: apply what PostgreSQL lacks, commit, then delete the journal.

A journal is *closed* when its writer is gone: its lock is free and it has a segment (a writer
takes the lock before it creates its first segment, so a journal without one may be being born
and is left alone). Settling one, in this order — each step MUST finish before the next:

1. take the journal's lock (without waiting: if it is held, its writer lives or another process
   is settling it, and this one moves on);
2. verify it, cutting a torn tail (the original kept as ``.broken``); corruption stops here;
3. apply its unaborted records that PostgreSQL lacks, each batch COMMITted (``replay.py``);
4. offer its newest stored judgment to guidance.json (which keeps whichever is newer);
5. delete it: segments retired oldest first (into the archive, ``archive.py``, or deleted), each
   durable before the next (a power loss leaves a suffix, never a gap), ``.broken`` copies moved
   to ``CYNIC_HOME/broken/``, then the lock and the directory.

Who settles: the gunicorn master when a worker exits (``child_exit``) and when it starts and
stops, ``cynic replay``/``cynic checkpoint``, and any worker answering ``/ready``. They exclude
each other through the journal's lock, so any of them may run at any time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .. import metrics
from . import locks
from .archive import Archive
from .fsio import FS, OS_FS, make_dir_durable
from .guidance import GuidanceWriter
from .journal.errors import JournalCorrupt
from .journal.layout import BROKEN_SUFFIX, LOCK_NAME, has_legacy_segments, list_journals, list_segments
from .journal.reader import ScanResult, scan
from .replay import Applied, apply_journal

log = logging.getLogger(__name__)
BROKEN_DIR = "broken"
#: The position name of format-1 records (one shared journal, lines without ts).
LEGACY_NAME = "v1"
#: Files of the format-1 journal that go with its segments.
LEGACY_FILES = (".lock", ".sync")


@dataclass
class Settled(Applied):
    """What settling did: the records, and how many journals were settled or left alone."""

    journals: int = 0
    live: int = 0  # journals whose lock was held (their writer lives, or someone else settles them)
    torn_bytes: int = 0
    repaired: list[Path] = field(default_factory=list)
    dry_run: bool = False

    def line(self) -> str:
        mode = " (dry run: nothing written)" if self.dry_run else ""
        return (
            f"{self.journals} closed journals settled{mode}: {self.scanned} records scanned, "
            f"applied {self.applied}, already present {self.already_present}, aborted {self.aborted}, "
            f"superseded {self.superseded}, torn bytes repaired {self.torn_bytes}; "
            f"{self.live} journals live"
        )


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


def settle_closed(
    conn: psycopg.Connection,
    home: Path,
    *,
    node: str,
    guidance: GuidanceWriter | None = None,
    archive: Archive | None = None,
    exclusive: bool = False,
    dry_run: bool = False,
    fs: FS = OS_FS,
) -> Settled:
    """Settle every closed journal of home; journals still being written are left alone.

    exclusive: the caller holds the node lock (start-up, ``cynic replay``): no writer of this
    home is alive, so the format-1 journal in ``journal/`` itself is settled too.
    dry_run: verify without repairing and count what would be applied; write nothing.
    """
    root = Path(home) / "journal"
    guidance = guidance if guidance is not None or dry_run else GuidanceWriter(home, fs=fs)
    archive = archive or Archive(home, fs=fs)
    total = Settled(dry_run=dry_run)
    options = {
        "home": Path(home),
        "node": node,
        "guidance": guidance,
        "archive": archive,
        "dry_run": dry_run,
        "fs": fs,
    }
    failures: list[Exception] = []
    if exclusive and has_legacy_segments(root):
        _settle_one(conn, root, LEGACY_NAME, total, **options)
    for journal in list_journals(root):
        with claim(journal, exclusive=exclusive) as closed:
            if not closed:
                total.live += 1
                continue
            try:
                _settle_one(conn, journal, journal.name, total, **options)
            except (JournalCorrupt, OSError) as exc:  # the next journals do not wait for this one
                log.error("journal %s not settled: %s", journal.name, exc)
                failures.append(exc)
    if failures:
        raise failures[0]
    return total


def _settle_one(
    conn, journal: Path, name: str, total: Settled, *, home, node, guidance, archive, dry_run, fs
) -> None:
    scanned: ScanResult = scan(journal, repair=not dry_run, fs=fs)
    applied = apply_journal(conn, scanned, journal=name, node=node, dry_run=dry_run)
    total.add(applied)
    total.journals += 1
    total.torn_bytes += scanned.torn_bytes
    total.repaired += scanned.repaired
    if dry_run:
        return
    metrics.replay_torn_bytes.inc(scanned.torn_bytes)
    for result in ("applied", "already_present", "aborted", "superseded"):
        metrics.replay_records.labels(result).inc(getattr(applied, result))
    newest = applied.newest_judgment()
    if newest is not None:
        guidance.write(*newest)
    _delete(journal, name, Path(home), archive, fs=fs)
    log.info(
        "settled journal %s: %d records, %d applied, %d aborted, %d superseded",
        name,
        applied.scanned,
        applied.applied,
        applied.aborted,
        applied.superseded,
    )


def _delete(journal: Path, name: str, home: Path, archive: Archive, *, fs: FS) -> None:
    """Delete a settled journal: its .broken copies to CYNIC_HOME/broken/, its segments retired.

    The copies go first: once the segments are gone, a journal left half-deleted by a crash
    looks unborn, and unborn journals are removed whole.
    """
    legacy = name == LEGACY_NAME
    keep_broken(journal, home, prefix="" if legacy else f"{journal.name}-", fs=fs)
    for _first, path in list_segments(journal):
        archive.retire(path, journal=name)
        fs.fsync_dir(journal)
    if legacy:
        for name in LEGACY_FILES:
            if (journal / name).exists():
                fs.unlink(journal / name)
        fs.fsync_dir(journal)
        return
    fs.unlink(journal / LOCK_NAME)
    fs.rmdir(journal)
    fs.fsync_dir(journal.parent)


def replay_archive(
    conn: psycopg.Connection, home: Path, archive: Archive, *, node: str, dry_run: bool = False
) -> Applied:
    """Re-apply every archived record PostgreSQL lacks (after restoring it from a backup).

    Archived segments are settled and complete (fsynced before they were retired), so they are
    read, never repaired; the newest judgment stored is offered to guidance.json.
    """
    total = Applied()
    for journal in archive.journals():
        total.add(
            apply_journal(conn, scan(journal, repair=False), journal=journal.name, node=node, dry_run=dry_run)
        )
    newest = total.newest_judgment()
    if newest is not None and not dry_run:
        GuidanceWriter(home, fs=archive.fs).write(*newest)
    return total


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
