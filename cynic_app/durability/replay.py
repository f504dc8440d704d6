"""Replay: apply every journaled, unaborted record that PostgreSQL does not have, once.

Run before any worker serves (gunicorn's master, or create_app under the node lock) and by hand
with ``scripts/replay``. Safe to repeat: a second run applies nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import psycopg

from .. import metrics
from ..store import repository
from .journal import reader
from .journal.reader import RawRecord

log = logging.getLogger(__name__)
BATCH = 5000
#: Only a real key can put these bytes in a line: inside strings JSON escapes the quotes.
IDEMPOTENCY_MARK = b'"idempotency":{'

JUDGMENT_PREFIX = b'{"judgment":'
CREATED_AT_KEY = b',"created_at":'
_COPY_JUDGMENTS = (
    "COPY judgments (judgment_id, created_at, state_key, reality, verdict, q_score, consensus_reached,"
    " node, journal_seq, body) FROM STDIN"
)

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
    Plain judgments go in bulk: the ones PostgreSQL lacks are COPYed into their table and their
    counters added in one statement per batch. Perceptions and records with an Idempotency-Key
    go one by one through repository.apply_record.
    """
    started = time.monotonic()
    scan = reader.scan(journal_dir, repair=not dry_run, after_seq=after_seq)
    summary = ReplaySummary(torn_bytes=scan.torn_bytes, last_seq=scan.last_seq, dry_run=dry_run)
    bulk: list[RawRecord] = []
    single: list[RawRecord] = []
    newest: RawRecord | None = None
    for record in reader.raw_records(journal_dir, after_seq=after_seq):
        summary.scanned += 1
        if progress is not None and summary.scanned % PROGRESS_EVERY == 0:
            progress(summary.scanned, scan.records)
        if record.kind == "abort":
            continue
        if record.id in scan.aborted:
            summary.aborted += 1
            continue
        if record.kind == "judgment" or b'"judgment":{' in record.data:
            newest = record
        (single if record.kind != "judgment" or IDEMPOTENCY_MARK in record.data else bulk).append(record)
        if len(bulk) >= BATCH:
            _apply_bulk(conn, bulk, summary, node=node)
            bulk = []
        if len(single) >= BATCH:
            _apply_single(conn, single, summary, node=node)
            single = []
    _apply_bulk(conn, bulk, summary, node=node)
    _apply_single(conn, single, summary, node=node)
    if newest is not None:
        data = json.loads(newest.data)
        if data.get("judgment") is not None:
            summary.newest_judgment = (data["judgment"], newest.seq)
    if progress is not None and summary.scanned:
        progress(summary.scanned, summary.scanned)
    summary.seconds = time.monotonic() - started
    if not dry_run:
        metrics.replay_records.labels("applied").inc(summary.applied)
        metrics.replay_records.labels("already_present").inc(summary.already_present)
        metrics.replay_records.labels("aborted").inc(summary.aborted)
        metrics.replay_torn_bytes.inc(summary.torn_bytes)
    return summary


def _apply_bulk(
    conn: psycopg.Connection, records: list[RawRecord], summary: ReplaySummary, *, node: str
) -> None:
    """COPY the judgments PostgreSQL is missing straight into their table, with their counters."""
    if not records:
        return
    present = repository.existing_ids(conn, "judgment", [r.id for r in records])
    summary.already_present += len(present)
    missing = [r for r in records if r.id not in present]
    if summary.dry_run or not missing:
        summary.applied += len(missing)  # in a dry run: would be applied
        return
    rows, sums = [], {}
    for record in missing:
        data = json.loads(record.data)
        j, cell = data["judgment"], data["judgment"]["cell"]
        state_key = f"{cell['reality']}:{cell['analysis']}:{cell['time_dim']}:{cell['lod']}"
        rows.append(
            (
                j["judgment_id"],
                data["created_at"],
                state_key,
                cell["reality"],
                j["verdict"],
                j["q_score"],
                j["consensus_reached"],
                node,
                record.seq,
                _judgment_text(record.data, j),
            )
        )
        shard, names, totals = repository.counter_contributions(j)
        for name, total in zip(names, totals, strict=True):
            entry = sums.setdefault((shard, name), [0, 0.0])
            entry[0] += 1
            entry[1] += total
    with conn.transaction():
        try:
            with conn.transaction(), conn.cursor().copy(_COPY_JUDGMENTS) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:
            # Stored meanwhile by someone else (another node's replay of a shared id cannot
            # happen; this is belt and braces): fall back to the idempotent one-by-one path.
            for record in missing:
                _apply_one(conn, "judgment", record, summary, node=node)
            return
        repository.add_counters(conn, sums)
    summary.applied += len(missing)


def _judgment_text(data: bytes, judgment: dict) -> str:
    """The judgment's JSON exactly as journaled (no re-serialising), when the layout allows."""
    if data.startswith(JUDGMENT_PREFIX):
        return data[len(JUDGMENT_PREFIX) : data.rindex(CREATED_AT_KEY)].decode()
    return json.dumps(judgment)


def _apply_single(
    conn: psycopg.Connection, records: list[RawRecord], summary: ReplaySummary, *, node: str
) -> None:
    if not records:
        return
    with conn.transaction():
        by_kind: dict[str, list[RawRecord]] = {}
        for record in records:
            by_kind.setdefault(record.kind, []).append(record)
        for kind, group in by_kind.items():
            present = repository.existing_ids(conn, kind, [r.id for r in group])
            for record in group:
                if record.id in present:
                    summary.already_present += 1
                elif summary.dry_run:
                    summary.applied += 1  # would be applied
                else:
                    _apply_one(conn, kind, record, summary, node=node)


def _apply_one(conn, kind: str, record: RawRecord, summary: ReplaySummary, *, node: str) -> None:
    try:
        with conn.transaction():  # a savepoint: a superseded record must not undo the batch
            inserted = repository.apply_record(conn, kind, json.loads(record.data), node=node, seq=record.seq)
    except repository.IdempotencyKeyTaken:
        # Its key belongs to another record: it never committed and never can. (Only a double
        # failure — the write failed and its abort could not be journaled — leaves one behind.)
        log.warning("replay: %s %s lost its Idempotency-Key to another record; skipped", kind, record.id)
        summary.aborted += 1
        return
    summary.applied += bool(inserted)
    summary.already_present += not inserted
