"""Apply a verified journal's unaborted records that PostgreSQL lacks, exactly once.

Every batch runs in a real transaction that has COMMITted when ``apply_journal`` returns:
the connection MUST be in autocommit mode, or ``conn.transaction()`` would only open savepoints
inside a transaction the caller has yet to commit — and a journal deleted after "replay"
would then hold the only copy of rows that were never committed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import orjson
import psycopg
from psycopg.copy import QueuedLibpqWriter

from ..store import repository
from ..store.rows import JudgmentRow, record_rows, shard_of
from .journal.clock import Position
from .journal.reader import RawRecord, ScanResult, raw_records

log = logging.getLogger(__name__)
BATCH = 5000
JUDGMENT_MARK = b'"judgment":{'

JUDGMENT_PREFIX = b'{"judgment":'
COPY_CHUNK = 500
_COPY_JUDGMENTS = (
    "COPY judgments (judgment_id, created_at, state_key, reality, verdict, q_score, consensus_reached,"
    " node, journal, journal_seq, journal_ts, body) FROM STDIN"
)
#: The end of a plain judgment record's data: its created_at, and nothing after it.
CREATED_AT_TAIL = re.compile(rb',"created_at":"([^"\\]*)"\}\Z')


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
        plain = (  # {"judgment":…,"created_at":"…"} and nothing else: sliced as bytes, not parsed
            record.kind == "judgment"
            and record.data.startswith(JUDGMENT_PREFIX)
            and CREATED_AT_TAIL.search(record.data, max(0, len(record.data) - 80)) is not None
        )
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
    """COPY the plain judgments PostgreSQL lacks straight into their table, their counters added
    in one statement: each judgment's JSON goes in as journaled (parsed once, by orjson, for the
    columns), and the COPY data is sent by a thread of psycopg's while the next lines are read."""
    if not records:
        return
    present = repository.existing_ids(conn, "judgment", [r.id for r in records])
    missing = [r for r in records if r.id not in present]
    if missing and not dry_run:
        _copy_judgments(conn, missing, journal=journal, node=node)
    out.already_present += len(present)
    out.applied += len(missing)  # in a dry run: would be applied
    for record in records:
        _stored(out, record, journal)


def _copy_judgments(conn: psycopg.Connection, records: list[RawRecord], *, journal: str, node: str) -> None:
    shard, names = shard_of(journal), b"\t".join((_copy_text(node.encode()), _copy_text(journal.encode())))
    sums: dict[tuple[int, str], list] = {}
    with conn.transaction():
        cursor = conn.cursor()
        with cursor.copy(_COPY_JUDGMENTS, writer=QueuedLibpqWriter(cursor)) as copy:
            for start in range(0, len(records), COPY_CHUNK):  # sent while the next are built
                chunk = [
                    _copy_line(r, names, shard, sums, journal) for r in records[start : start + COPY_CHUNK]
                ]
                copy.write(b"".join(chunk))
        repository.add_counters(conn, sums)


def _copy_line(r: RawRecord, names: bytes, shard: int, sums: dict, journal: str) -> bytes:
    tail = CREATED_AT_TAIL.search(r.data, max(0, len(r.data) - 80))
    body = r.data[len(JUDGMENT_PREFIX) : tail.start()]
    row = JudgmentRow.of(
        orjson.loads(body), body, tail.group(1).decode(), journal=journal, seq=r.seq, ts=r.ts
    )
    for name, total in row.counters:
        entry = sums.setdefault((shard, name), [0, 0.0])
        entry[0] += 1
        entry[1] += total
    fields = (
        r.id.encode(),
        tail.group(1),
        _copy_text(row.state_key.encode()),
        _copy_text(row.reality.encode()),
        _copy_text(row.verdict.encode()),
        repr(float(row.q_score)).encode(),
        b"t" if row.consensus_reached else b"f",
        names,
        b"%d\t%d" % (r.seq, r.ts),
        _copy_text(body),
    )
    return b"\t".join(fields) + b"\n"


def _copy_text(value: bytes) -> bytes:
    """value in COPY's text format: tabs, newlines and backslashes escaped (JSON and our names
    hold no raw tab or newline, so this only ever doubles backslashes)."""
    return value.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n")


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
