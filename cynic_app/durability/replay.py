"""Replay: apply every journaled, unaborted record that PostgreSQL does not have, once.

Run before any worker serves (gunicorn's master, or create_app under the node lock) and by hand
with ``scripts/replay``. Safe to repeat: a second run applies nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import psycopg

from .. import metrics
from ..store import repository
from .journal import reader
from .journal.reader import Record

log = logging.getLogger(__name__)
BATCH = 500
PROGRESS_EVERY = 1000


@dataclass
class ReplaySummary:
    scanned: int = 0
    applied: int = 0
    already_present: int = 0
    aborted: int = 0
    torn_bytes: int = 0
    last_seq: int = 0
    newest_judgment: tuple[dict, int] | None = None  # (judgment dict, seq) for guidance
    dry_run: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        mode = " (dry run: nothing written)" if self.dry_run else ""
        return (
            f"replay{mode}: scanned {self.scanned}, applied {self.applied}, already present "
            f"{self.already_present}, aborted {self.aborted}, torn bytes repaired "
            f"{self.torn_bytes}, last seq {self.last_seq}, {self.seconds:.2f}s"
        )

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("newest_judgment")
        return out


def replay(
    conn: psycopg.Connection,
    journal_dir,
    *,
    node: str,
    dry_run: bool = False,
    after_seq: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ReplaySummary:
    """Verify (and repair) the journal after after_seq, then apply what PostgreSQL is missing.

    Records up to after_seq are settled (the checkpoint vouches for them) and are not read.
    """
    started = time.monotonic()
    scan = reader.scan(journal_dir, repair=not dry_run, after_seq=after_seq)
    summary = ReplaySummary(torn_bytes=scan.torn_bytes, last_seq=scan.last_seq, dry_run=dry_run)
    batch: list[Record] = []
    for record in reader.records(journal_dir, after_seq=after_seq):
        summary.scanned += 1
        if progress is not None and summary.scanned % PROGRESS_EVERY == 0:
            progress(summary.scanned, scan.records)
        if record.kind == "abort":
            continue
        if record.id in scan.aborted:
            summary.aborted += 1
            continue
        judgment = _judgment_of(record)
        if judgment is not None:
            summary.newest_judgment = (judgment, record.seq)
        batch.append(record)
        if len(batch) >= BATCH:
            _apply(conn, batch, summary, node=node)
            batch = []
    if batch:
        _apply(conn, batch, summary, node=node)
    if progress is not None and summary.scanned:
        progress(summary.scanned, summary.scanned)
    summary.seconds = time.monotonic() - started
    if not dry_run:
        metrics.replay_records.labels("applied").inc(summary.applied)
        metrics.replay_records.labels("already_present").inc(summary.already_present)
        metrics.replay_records.labels("aborted").inc(summary.aborted)
        metrics.replay_torn_bytes.inc(summary.torn_bytes)
    return summary


def _judgment_of(record: Record) -> dict | None:
    if record.kind == "judgment":
        return record.data["judgment"]
    return record.data.get("judgment")


def _apply(conn: psycopg.Connection, batch: list[Record], summary: ReplaySummary, *, node: str) -> None:
    by_kind: dict[str, list[Record]] = {}
    for record in batch:
        by_kind.setdefault(record.kind, []).append(record)
    with conn.transaction():
        for kind, records in by_kind.items():
            present = repository.existing_ids(conn, kind, [r.id for r in records])
            for record in records:
                if record.id in present:
                    summary.already_present += 1
                elif summary.dry_run:
                    summary.applied += 1  # would be applied
                elif repository.apply_record(conn, kind, record.data, node=node, seq=record.seq):
                    summary.applied += 1
                else:
                    summary.already_present += 1
