"""Apply a verified journal's unaborted records that PostgreSQL lacks, exactly once.

Every batch runs in a real transaction that has COMMITted when ``apply_journal`` returns:
the connection MUST be in autocommit mode, or ``conn.transaction()`` would only open savepoints
inside a transaction the caller has yet to commit — and a journal deleted after applying
would then hold the only copy of rows that were never committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg

from .. import record as codec
from ..durability.journal.clock import Position
from ..durability.journal.reader import RawRecord, ScanResult, raw_records
from ..store import bulk, repository
from ..store.rows import JudgmentRow, record_rows

log = logging.getLogger(__name__)
BATCH = 5000


@dataclass
class Applied:
    """What applying one or more journals did (in a dry run: would do)."""

    scanned: int = 0
    applied: int = 0
    already_present: int = 0
    aborted: int = 0
    superseded: int = 0  # its Idempotency-Key belongs to another record: it never committed
    newest: tuple[Position, RawRecord] | None = None  # the newest judgment now in PostgreSQL

    def add(self, other: Applied) -> None:
        for name in ("scanned", "applied", "already_present", "aborted", "superseded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.newest is not None and (self.newest is None or other.newest[0] > self.newest[0]):
            self.newest = other.newest

    def newest_judgment(self) -> tuple[dict, Position] | None:
        """(judgment dict, its position) for guidance.json, or None."""
        if self.newest is None:
            return None
        position, record = self.newest
        return codec.decode(record.kind, record.data).judgment, position


def apply_journal(
    conn: psycopg.Connection,
    scanned: ScanResult,
    *,
    journal: str,
    node: str,
    dry_run: bool = False,
) -> Applied:
    """Apply what PostgreSQL lacks of a journal a scan verified; every batch is committed.

    Judgments without an Idempotency-Key go in bulk (COPY, counters in one statement:
    store/bulk.py); perceptions and records with a key go one by one through
    repository.store_records.
    """
    if not dry_run and not conn.autocommit:
        raise ValueError("apply_journal needs an autocommit connection: its transactions must be real")
    out = Applied()
    copied: list[RawRecord] = []  # judgments without a key: COPYed
    single: list[RawRecord] = []
    for record in raw_records(scanned):
        out.scanned += 1
        if record.kind == "abort":
            continue
        if record.id in scanned.aborted:
            out.aborted += 1
            continue
        (copied if codec.bulk(record.kind, record.data) else single).append(record)
        if len(copied) >= BATCH:
            _apply_bulk(conn, copied, out, journal=journal, node=node, dry_run=dry_run)
            copied = []
        if len(single) >= BATCH:
            _apply_single(conn, single, out, journal=journal, node=node, dry_run=dry_run)
            single = []
    _apply_bulk(conn, copied, out, journal=journal, node=node, dry_run=dry_run)
    _apply_single(conn, single, out, journal=journal, node=node, dry_run=dry_run)
    return out


def _stored(out: Applied, record: RawRecord, journal: str) -> None:
    """Record is in PostgreSQL now: it may be the newest judgment for guidance."""
    if codec.carries_judgment(record.kind, record.data):
        position = Position(record.ts, journal, record.seq)
        if out.newest is None or position > out.newest[0]:
            out.newest = (position, record)


def _apply_bulk(
    conn: psycopg.Connection,
    records: list[RawRecord],
    out: Applied,
    *,
    journal: str,
    node: str,
    dry_run: bool,
) -> None:
    """COPY the judgments PostgreSQL lacks straight into their table (store/bulk.py); each is
    decoded only if it is missing, while the ones before it are sent."""
    if not records:
        return
    present = repository.existing_ids(conn, "judgment", [r.id for r in records])
    missing = [r for r in records if r.id not in present]
    if missing and not dry_run:
        rows = (_judgment_row(r, journal) for r in missing)
        with conn.transaction():
            bulk.copy_judgments(conn, rows, node=node, journal=journal)
    out.already_present += len(present)
    out.applied += len(missing)  # in a dry run: would be applied
    for record in records:
        _stored(out, record, journal)


def _judgment_row(raw: RawRecord, journal: str) -> JudgmentRow:
    record = codec.decode(raw.kind, raw.data)
    return JudgmentRow.of(
        record.judgment, record.judgment_json, record.created_at, journal=journal, seq=raw.seq, ts=raw.ts
    )


def _apply_single(
    conn: psycopg.Connection,
    records: list[RawRecord],
    out: Applied,
    *,
    journal: str,
    node: str,
    dry_run: bool,
) -> None:
    by_kind: dict[str, list[RawRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    for kind, group in by_kind.items():
        present = repository.existing_ids(conn, kind, [r.id for r in group])
        for record in group:
            if record.id in present:
                out.already_present += 1
            elif dry_run:
                out.applied += 1  # would be applied
            elif not _apply_one(conn, kind, record, out, journal=journal, node=node):
                continue
            _stored(out, record, journal)


def _apply_one(conn, kind: str, record: RawRecord, out: Applied, *, journal: str, node: str) -> bool:
    """Apply one record in its own transaction; False when it can never be applied."""
    rows = record_rows(codec.decode(kind, record.data), journal=journal, seq=record.seq, ts=record.ts)
    with conn.transaction():
        stored = repository.store_records(conn, [rows], node=node)
    if stored.superseded:
        # Its key belongs to another record, so it never committed and never can. (Only a double
        # failure — the write failed and its abort could not be journaled — leaves one behind.)
        log.warning("%s %s lost its Idempotency-Key to another record; not applied", kind, record.id)
        out.superseded += 1
        return False
    inserted = record.id in stored.inserted
    out.applied += inserted
    out.already_present += not inserted
    return True
