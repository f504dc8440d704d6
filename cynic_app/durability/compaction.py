"""Checkpoint and prune: keep disk use and start-up time bounded however long the node runs.

A record is *settled* when it is in PostgreSQL or aborted. ``compact`` finds the highest seq S
through which every record is settled, writes the checkpoint (``journal_seq = S``) durably, and
only then deletes the closed segments that hold nothing after S. Start-up replay reads the
checkpoint and skips everything up to S, so history it has settled is never scanned again.
Order matters: a crash between the checkpoint and the deletions leaves segments start-up skips;
deleting first could leave a journal whose start a checkpoint does not vouch for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import psycopg
from filelock import FileLock, Timeout

from ..judgment.state import RECENT
from ..store import repository
from .checkpoint import CheckpointUnreadable, load_from_checkpoint, sync_checkpoint
from .fsio import FS, OS_FS
from .journal import reader
from .journal.segment import list_segments

log = logging.getLogger(__name__)
LOCK_NAME = "checkpoint.lock"
BATCH = 1000


@dataclass
class Compaction:
    checkpoint_seq: int
    removed_segments: int


def checkpoint_position(home: Path) -> int:
    """The journal seq the checkpoint vouches for; 0 when there is none or it is unreadable."""
    try:
        return load_from_checkpoint(home)[1]
    except CheckpointUnreadable as exc:
        log.warning("ignoring the checkpoint (replay will scan the whole journal): %s", exc)
        return 0


def compact(
    conn: psycopg.Connection,
    home: Path,
    journal_dir: Path,
    *,
    all_settled_through: int | None = None,
    fs: FS = OS_FS,
) -> Compaction | None:
    """Checkpoint and delete settled closed segments; None if another process is doing it.

    all_settled_through: a seq the caller knows is settled (start-up, right after replay);
    otherwise it is worked out from the closed segments and PostgreSQL.
    """
    lock = FileLock(Path(home) / LOCK_NAME, timeout=0, mode=0o640)
    try:
        lock.acquire()
    except Timeout:
        return None
    try:
        previous = checkpoint_position(home)
        segments = list_segments(journal_dir)
        settled = all_settled_through
        if settled is None:
            settled = _settled_through(conn, journal_dir, segments, previous)
        settled = max(settled, previous)
        sync_checkpoint(home, repository.load_state(conn, RECENT), journal_seq=settled, fs=fs)
        removed = 0
        for (_first, path), (next_first, _next) in zip(segments, segments[1:], strict=False):
            if next_first - 1 <= settled:  # every record in it is settled; never the tail
                fs.unlink(path)
                removed += 1
        if removed:
            fs.fsync_dir(journal_dir)
            log.info("checkpoint at seq %d; removed %d settled journal segments", settled, removed)
        return Compaction(settled, removed)
    finally:
        lock.release()


def _settled_through(conn, journal_dir: Path, segments, after_seq: int) -> int:
    """The highest seq through which every record of the closed segments is settled."""
    if len(segments) < 2:
        return after_seq
    closed_last = segments[-1][0] - 1
    aborted = reader.scan(journal_dir, repair=False, after_seq=after_seq).aborted
    settled, batch = after_seq, []
    for record in reader.records(journal_dir, after_seq=after_seq):
        if record.seq > closed_last:
            break
        batch.append(record)
        if len(batch) >= BATCH:
            settled, done = _advance(conn, batch, aborted, settled)
            if not done:
                return settled
            batch = []
    return _advance(conn, batch, aborted, settled)[0] if batch else settled


def _advance(conn, batch, aborted: set[str], settled: int) -> tuple[int, bool]:
    """Walk batch in order; return (last settled seq, whether the whole batch was settled)."""
    present: set[str] = set()
    for kind in ("judgment", "perception"):
        ids = [r.id for r in batch if r.kind == kind and r.id not in aborted]
        if ids:
            present |= repository.existing_ids(conn, kind, ids)
    for record in batch:
        if record.kind != "abort" and record.id not in aborted and record.id not in present:
            return settled, False
        settled = record.seq
    return settled, True
