"""Apply a verified journal's unaborted records that PostgreSQL lacks, exactly once.

Every batch runs in a real transaction that has COMMITted when ``apply_journal`` returns:
the connection MUST be in autocommit mode, or ``conn.transaction()`` would only open savepoints
inside a transaction the caller has yet to commit — and a journal deleted after applying
would then hold the only copy of rows that were never committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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
    run = _Run(conn, journal=journal, node=node, dry_run=dry_run)
    copied: list[RawRecord] = []  # judgments without a key: COPYed
    single: list[RawRecord] = []
    for record in raw_records(scanned):
        run.out.scanned += 1
        if record.kind == "abort":
            continue
        if record.id in scanned.aborted:
            run.out.aborted += 1
            continue
        (copied if codec.bulk(record.kind, record.data) else single).append(record)
        if len(copied) >= BATCH:
            run.bulk(copied)
            copied = []
        if len(single) >= BATCH:
            run.single(single)
            single = []
    run.bulk(copied)
    run.single(single)
    return run.out


@dataclass
class _Run:
    """Applying one journal: where to, and what it did so far."""

    conn: psycopg.Connection
    journal: str
    node: str
    dry_run: bool
    out: Applied = field(default_factory=Applied)

    def stored(self, record: RawRecord) -> None:
        """Record is in PostgreSQL now: it may be the newest judgment for guidance."""
        if codec.carries_judgment(record.kind, record.data):
            position = Position(record.ts, self.journal, record.seq)
            if self.out.newest is None or position > self.out.newest[0]:
                self.out.newest = (position, record)

    def bulk(self, records: list[RawRecord]) -> None:
        """COPY the judgments PostgreSQL lacks straight into their table (store/bulk.py); each is
        decoded only if it is missing, while the ones before it are sent."""
        if not records:
            return
        present = repository.existing_ids(self.conn, "judgment", [r.id for r in records])
        missing = [r for r in records if r.id not in present]
        if missing and not self.dry_run:
            rows = (self._judgment_row(r) for r in missing)
            with self.conn.transaction():
                bulk.copy_judgments(self.conn, rows, node=self.node, journal=self.journal)
        self.out.already_present += len(present)
        self.out.applied += len(missing)  # in a dry run: would be applied
        for record in records:
            self.stored(record)

    def _judgment_row(self, raw: RawRecord) -> JudgmentRow:
        record = codec.decode(raw.kind, raw.data)
        return JudgmentRow.of(
            record.judgment,
            record.judgment_json,
            record.created_at,
            journal=self.journal,
            seq=raw.seq,
            ts=raw.ts,
        )

    def single(self, records: list[RawRecord]) -> None:
        """Apply the others one by one (perceptions, records with an Idempotency-Key to claim)."""
        by_kind: dict[str, list[RawRecord]] = {}
        for record in records:
            by_kind.setdefault(record.kind, []).append(record)
        for kind, group in by_kind.items():
            present = repository.existing_ids(self.conn, kind, [r.id for r in group])
            for record in group:
                if record.id in present:
                    self.out.already_present += 1
                elif self.dry_run:
                    self.out.applied += 1  # would be applied
                elif not self._one(kind, record):
                    continue
                self.stored(record)

    def _one(self, kind: str, record: RawRecord) -> bool:
        """Apply one record in its own transaction; False when it can never be applied."""
        rows = record_rows(
            codec.decode(kind, record.data), journal=self.journal, seq=record.seq, ts=record.ts
        )
        with self.conn.transaction():
            stored = repository.store_records(self.conn, [rows], node=self.node)
        if stored.superseded:
            # Its key belongs to another record, so it never committed and never can. (Only a
            # double failure — the write failed and its abort could not be journaled — leaves one.)
            log.warning("%s %s lost its Idempotency-Key to another record; not applied", kind, record.id)
            self.out.superseded += 1
            return False
        inserted = record.id in stored.inserted
        self.out.applied += inserted
        self.out.already_present += not inserted
        return True
