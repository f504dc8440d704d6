"""COPY judgments straight into their table, counters added in one statement: settling's fast path.

For judgments with no Idempotency-Key to claim (``record.bulk``) that PostgreSQL lacks — the
caller has checked which (``repository.existing_ids``) and owns the transaction. Each judgment's
JSON goes in as journaled; the COPY data is sent by a thread of psycopg's while the next rows are
built, so reading a journal and sending it overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import psycopg
from psycopg.copy import QueuedLibpqWriter

from .rows import JudgmentRow, shard_of

#: Rows per write to the COPY stream (sent while the next are built).
COPY_CHUNK = 500
_COPY_JUDGMENTS = (
    "COPY judgments (judgment_id, created_at, state_key, reality, verdict, q_score, consensus_reached,"
    " node, journal, journal_seq, journal_ts, body) FROM STDIN"
)
_ADD_COUNTERS = (
    "INSERT INTO state_counters AS c (shard, name, n, total)"
    " SELECT * FROM unnest(%s::smallint[], %s::text[], %s::bigint[], %s::float8[])"
    " ON CONFLICT (shard, name) DO UPDATE SET n = c.n + excluded.n, total = c.total + excluded.total"
)


def copy_judgments(conn: psycopg.Connection, rows: Iterable[JudgmentRow], *, node: str, journal: str) -> int:
    """COPY rows (all of one journal, none stored yet) into judgments and add their counters, in
    the caller's transaction; return how many."""
    shard = shard_of(journal)
    names = b"\t".join((_copy_text(node.encode()), _copy_text(journal.encode())))
    sums: dict[tuple[int, str], list] = {}
    copied = 0
    cursor = conn.cursor()
    with cursor.copy(_COPY_JUDGMENTS, writer=QueuedLibpqWriter(cursor)) as copy:
        for chunk in _chunks(rows, COPY_CHUNK):
            copy.write(b"".join(_copy_line(row, names, shard, sums) for row in chunk))
            copied += len(chunk)
    if sums:
        keys = sorted(sums)
        shards, names_ = [k[0] for k in keys], [k[1] for k in keys]
        conn.execute(_ADD_COUNTERS, (shards, names_, [sums[k][0] for k in keys], [sums[k][1] for k in keys]))
    return copied


def _chunks(rows: Iterable[JudgmentRow], size: int) -> Iterator[list[JudgmentRow]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _copy_line(row: JudgmentRow, names: bytes, shard: int, sums: dict) -> bytes:
    for name, total in row.counters:
        entry = sums.setdefault((shard, name), [0, 0.0])
        entry[0] += 1
        entry[1] += total
    fields = (
        row.judgment_id.encode(),
        _copy_text(row.created_at.encode()),
        _copy_text(row.state_key.encode()),
        _copy_text(row.reality.encode()),
        _copy_text(row.verdict.encode()),
        repr(float(row.q_score)).encode(),
        b"t" if row.consensus_reached else b"f",
        names,
        b"%d\t%d" % (row.journal_seq, row.journal_ts),
        _copy_text(row.body),
    )
    return b"\t".join(fields) + b"\n"


def _copy_text(value: bytes) -> bytes:
    """value in COPY's text format: tabs, newlines and backslashes escaped (JSON and our names
    hold no raw tab or newline, so this only ever doubles backslashes)."""
    return value.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n")
