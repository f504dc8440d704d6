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
    Plain judgments go in bulk (COPY into a staging table, then one INSERT … ON CONFLICT DO
    NOTHING that also updates the counters for the rows really inserted); perceptions and
    records with an Idempotency-Key go one by one through repository.apply_record.
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


#: Only a real key can put these bytes in a line: inside strings JSON escapes the quotes.
IDEMPOTENCY_MARK = b'"idempotency":{'

_BULK_INSERT = """
WITH staged AS (
    SELECT s.seq, s.data->'judgment' AS j, s.data->'judgment'->'cell' AS c, s.data->>'created_at' AS at
      FROM replay_stage s
), inserted AS (
    INSERT INTO judgments (judgment_id, created_at, state_key, reality, verdict, q_score,
                           consensus_reached, node, journal_seq, body)
    SELECT (j->>'judgment_id')::uuid, at::timestamptz,
           concat_ws(':', c->>'reality', c->>'analysis', c->>'time_dim', c->>'lod'),
           c->>'reality', j->>'verdict', (j->>'q_score')::float8, (j->>'consensus_reached')::boolean,
           %(node)s, seq, j
      FROM staged ORDER BY seq
    ON CONFLICT (judgment_id) DO NOTHING
    RETURNING judgment_id, verdict, q_score, body->'dog_votes' AS votes
), keyed AS (
    -- the same shard the write path uses: the first 16 bits of the id, modulo SHARDS
    SELECT ('x' || left(judgment_id::text, 4))::bit(16)::int %% %(shards)s AS shard, * FROM inserted
), named AS (
    SELECT shard, 'verdict:' || verdict AS name, q_score AS total FROM keyed
    UNION ALL
    SELECT shard, 'dog:' || v.key, v.value::float8 FROM keyed, jsonb_each_text(votes) AS v
), counted AS (
    INSERT INTO state_counters AS sc (shard, name, n, total)
    SELECT shard, name, count(*), sum(total) FROM named GROUP BY shard, name ORDER BY shard, name
    ON CONFLICT (shard, name) DO UPDATE SET n = sc.n + excluded.n, total = sc.total + excluded.total
    RETURNING 1
)
SELECT count(*) FROM inserted
"""


def _apply_bulk(
    conn: psycopg.Connection, records: list[RawRecord], summary: ReplaySummary, *, node: str
) -> None:
    if not records:
        return
    if summary.dry_run:
        present = repository.existing_ids(conn, "judgment", [r.id for r in records])
        summary.already_present += len(present)
        summary.applied += len(records) - len(present)  # would be applied
        return
    with conn.transaction():
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS replay_stage (seq bigint, data jsonb) ON COMMIT DELETE ROWS"
        )
        with conn.cursor().copy("COPY replay_stage (seq, data) FROM STDIN") as copy:
            for record in records:
                copy.write_row((record.seq, record.data.decode()))
        inserted = conn.execute(_BULK_INSERT, {"node": node, "shards": repository.SHARDS}).fetchone()[0]
    summary.applied += inserted
    summary.already_present += len(records) - inserted


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
