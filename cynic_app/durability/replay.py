"""Apply a verified journal's unaborted records that PostgreSQL lacks, exactly once.

Every batch runs in a real transaction that has COMMITted when ``apply_journal`` returns:
the connection MUST be in autocommit mode, or ``conn.transaction()`` would only open savepoints
inside a transaction the caller has yet to commit — and a journal deleted after "replay"
would then hold the only copy of rows that were never committed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import orjson
import psycopg

from ..store import repository
from ..store.rows import JudgmentRow, record_rows, shard_of
from .journal.clock import Position
from .journal.reader import RawRecord, ScanResult, raw_records

log = logging.getLogger(__name__)
BATCH = 5000
#: Only a real key can put these bytes in a line: inside strings JSON escapes the quotes.
IDEMPOTENCY_MARK = b'"idempotency":{'
JUDGMENT_MARK = b'"judgment":{'

JUDGMENT_PREFIX = b'{"judgment":'
CREATED_AT_KEY = b',"created_at":'
_COPY_JUDGMENTS = (
    "COPY judgments (judgment_id, created_at, state_key, reality, verdict, q_score, consensus_reached,"
    " node, journal, journal_seq, journal_ts, body) FROM STDIN"
)


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
        return json.loads(record.data)["judgment"], position


def apply_journal(
    conn: psycopg.Connection,
    scanned: ScanResult,
    *,
    journal: str,
    node: str,
    dry_run: bool = False,
) -> Applied:
    """Apply what PostgreSQL lacks of a journal a scan verified; every batch is committed.

    Plain judgments go in bulk (COPY, counters in one statement); perceptions and records with
    an Idempotency-Key go one by one through repository.store_records.
    """
    if not dry_run and not conn.autocommit:
        raise ValueError("apply_journal needs an autocommit connection: its transactions must be real")
    out = Applied()
    bulk: list[RawRecord] = []
    single: list[RawRecord] = []
    for record in raw_records(scanned):
        out.scanned += 1
        if record.kind == "abort":
            continue
        if record.id in scanned.aborted:
            out.aborted += 1
            continue
        plain = record.kind == "judgment" and IDEMPOTENCY_MARK not in record.data
        (bulk if plain else single).append(record)
        if len(bulk) >= BATCH:
            _apply_bulk(conn, bulk, out, journal=journal, node=node, dry_run=dry_run)
            bulk = []
        if len(single) >= BATCH:
            _apply_single(conn, single, out, journal=journal, node=node, dry_run=dry_run)
            single = []
    _apply_bulk(conn, bulk, out, journal=journal, node=node, dry_run=dry_run)
    _apply_single(conn, single, out, journal=journal, node=node, dry_run=dry_run)
    return out


def _stored(out: Applied, record: RawRecord, journal: str) -> None:
    """Record is in PostgreSQL now: it may be the newest judgment for guidance."""
    if record.kind == "judgment" or JUDGMENT_MARK in record.data:
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
    """COPY the judgments PostgreSQL is missing straight into their table, with their counters."""
    if not records:
        return
    present = repository.existing_ids(conn, "judgment", [r.id for r in records])
    missing = [r for r in records if r.id not in present]
    if not dry_run and missing:
        _copy_judgments(conn, missing, journal=journal, node=node)
    out.already_present += len(present)
    out.applied += len(missing)  # in a dry run: would be applied
    for record in records:
        _stored(out, record, journal)


def _copy_judgments(conn: psycopg.Connection, missing: list[RawRecord], *, journal: str, node: str) -> None:
    rows, sums = [], {}
    for record in missing:
        data = json.loads(record.data)
        row = JudgmentRow.of(
            data["judgment"],
            _judgment_text(record.data, data["judgment"]),
            data["created_at"],
            journal=journal,
            seq=record.seq,
            ts=record.ts,
        )
        rows.append(
            (
                row.judgment_id,
                row.created_at,
                row.state_key,
                row.reality,
                row.verdict,
                row.q_score,
                row.consensus_reached,
                node,
                row.journal,
                row.journal_seq,
                row.journal_ts,
                row.body.decode(),
            )
        )
        for name, total in row.counters:
            entry = sums.setdefault((shard_of(journal), name), [0, 0.0])
            entry[0] += 1
            entry[1] += total
    with conn.transaction():
        with conn.cursor().copy(_COPY_JUDGMENTS) as copy:
            for row in rows:
                copy.write_row(row)
        repository.add_counters(conn, sums)


def _judgment_text(data: bytes, judgment: dict) -> bytes:
    """The judgment's JSON exactly as journaled (no re-serialising), when the layout allows."""
    if data.startswith(JUDGMENT_PREFIX):
        return data[len(JUDGMENT_PREFIX) : data.rindex(CREATED_AT_KEY)]
    return orjson.dumps(judgment)


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
    rows = record_rows(kind, json.loads(record.data), journal=journal, seq=record.seq, ts=record.ts)
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
