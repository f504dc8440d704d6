"""What a journal record means in PostgreSQL, and the reads the API needs.

Every write is ``INSERT … ON CONFLICT DO NOTHING`` so applying a record twice (the service, then
recovery after a crash) stores it once. Counters change only when the row was really inserted.
A batch of records is one statement per table. Callers own the transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from ..judgment.phi import VERDICTS
from ..judgment.state import ConsciousState, summarise
from .rows import JudgmentRow, PerceptionRow, RecordRows, shard_of

log = logging.getLogger(__name__)

_CLAIM_KEYS = """
INSERT INTO idempotency_keys (key, fingerprint, kind, record_id)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::uuid[]) ORDER BY 1
ON CONFLICT (key) DO NOTHING
"""

#: The batch travels as one JSON document (built by orjson around each judgment's own bytes):
#: PostgreSQL parses it in one go, where a text array of JSON bodies would be escaped element
#: by element on the client.
_INSERT_JUDGMENTS = """
WITH new AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS r (
        judgment_id uuid, created_at timestamptz, state_key text, reality text, verdict text,
        q_score float8, consensus_reached bool, journal text, journal_seq bigint, journal_ts bigint,
        body jsonb, counters jsonb)
), inserted AS (
    INSERT INTO judgments (judgment_id, created_at, state_key, reality, verdict, q_score,
                           consensus_reached, node, journal, journal_seq, journal_ts, body)
    SELECT judgment_id, created_at, state_key, reality, verdict, q_score, consensus_reached,
           %(node)s, journal, journal_seq, journal_ts, body
      FROM new
    ON CONFLICT (judgment_id) DO NOTHING
    RETURNING judgment_id
), counted AS (
    -- Only rows really inserted count. Ordered, so concurrent batches lock rows in one order.
    INSERT INTO state_counters AS c (shard, name, n, total)
    SELECT %(shard)s, k.key, count(*), sum(k.value::float8)
      FROM new JOIN inserted USING (judgment_id), jsonb_each_text(new.counters) AS k
     GROUP BY k.key
     ORDER BY k.key
    ON CONFLICT (shard, name) DO UPDATE SET n = c.n + excluded.n, total = c.total + excluded.total
)
SELECT judgment_id::text FROM inserted
"""

_INSERT_PERCEPTIONS = """
INSERT INTO perceptions (perception_id, created_at, source, reality, judgment_id, node, journal,
                         journal_seq, journal_ts, body)
SELECT perception_id, created_at, source, reality, judgment_id, %(node)s, journal, journal_seq,
       journal_ts, body
  FROM jsonb_to_recordset(%(rows)s::jsonb) AS r (
       perception_id uuid, created_at timestamptz, source text, reality text, judgment_id uuid,
       journal text, journal_seq bigint, journal_ts bigint, body jsonb)
ON CONFLICT (perception_id) DO NOTHING
RETURNING perception_id::text
"""


@dataclass
class Stored:
    """What ``store_records`` did: the ids it inserted now, and the records it left out."""

    inserted: set[str] = field(default_factory=set)
    superseded: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id → key's owner


def _document(rows: list[dict]) -> Jsonb:
    """Rows as one JSON text, sent as is (each judgment's body embedded as the bytes it has)."""
    text = orjson.dumps(rows)
    return Jsonb(None, dumps=lambda _obj: text)


class Sent:
    """The statements ``send_records`` sent: the records left out already known, the ids
    inserted read by ``result`` — in a pipeline, after its sync point, which brings every
    result back in one round trip."""

    def __init__(self, superseded: dict[str, tuple[str, str, str]], cursors: list[psycopg.Cursor]):
        self.superseded, self._cursors = superseded, cursors

    def result(self) -> Stored:
        out = Stored(superseded=self.superseded)
        for cursor in self._cursors:
            out.inserted |= {row[0] for row in cursor}
        return out


_LIMIT_STATEMENTS = """
SELECT set_config('statement_timeout',
    CASE WHEN current_setting('statement_timeout')::interval
              BETWEEN interval '1 microsecond' AND %(ms)s * interval '1 ms'
         THEN current_setting('statement_timeout')
         ELSE %(ms)s || 'ms' END,
    true)
"""


def limit_statements(conn: psycopg.Connection, timeout_s: float) -> None:
    """Make the server cancel each statement of the caller's transaction that runs longer than
    timeout_s (1 ms at least), unless the role's own statement_timeout is shorter; it lasts
    until the transaction ends."""
    conn.execute(_LIMIT_STATEMENTS, {"ms": max(1, int(timeout_s * 1000))})


def store_records(
    conn: psycopg.Connection,
    records: list[RecordRows],
    *,
    node: str,
    key_wait_s: float | None = None,
) -> Stored:
    """Store the records in the caller's transaction: each with its rows and its key claim.

    A record whose Idempotency-Key already stands for another record is left out (superseded:
    it never commits) and reported with the key's (fingerprint, kind, record id). Everything
    else is inserted once: ``ON CONFLICT DO NOTHING``, counters only for rows really inserted.
    A key another transaction has claimed and not yet decided is waited for, at most key_wait_s
    when given (then psycopg.errors.LockNotAvailable, and the transaction is aborted).
    """
    return send_records(conn, records, node=node, key_wait_s=key_wait_s).result()


def send_records(
    conn: psycopg.Connection,
    records: list[RecordRows],
    *,
    node: str,
    key_wait_s: float | None = None,
) -> Sent:
    """``store_records``, its INSERTs sent and their results left to ``Sent.result``: in a
    pipeline the server runs them while the caller does something else, and the caller reads
    their results after the pipeline's sync point (before it, reading them costs a round trip
    of its own). The key claims, when there are any, are read here (one round trip)."""
    superseded: dict[str, tuple[str, str, str]] = {}
    claims = sorted((r.claim for r in records if r.claim is not None), key=lambda c: c.key)
    if claims:
        if key_wait_s is not None:  # for the claim only: the rest waits as long as it must
            prior = conn.execute(
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                (f"{round(key_wait_s * 1000)}ms",),
            )
        conn.execute(
            _CLAIM_KEYS,
            (
                [c.key for c in claims],
                [c.fingerprint for c in claims],
                [c.kind for c in claims],
                [c.record_id for c in claims],
            ),
        )
        owners = {
            key: (fingerprint, kind, owner)
            for key, fingerprint, kind, owner in conn.execute(
                "SELECT key, fingerprint, kind, record_id::text FROM idempotency_keys WHERE key = ANY(%s)",
                ([c.key for c in claims],),
            )
        }
        for claim in claims:
            if owners[claim.key][2] != claim.record_id:
                superseded[claim.record_id] = owners[claim.key]
        if key_wait_s is not None:
            conn.execute("SELECT set_config('lock_timeout', %s, true)", (prior.fetchone()[0],))
    kept = [r for r in records if r.record_id not in superseded]
    sent = []
    judgments = [j for r in kept for j in r.judgments]
    if judgments:
        sent.append(_insert_judgments(conn, judgments, node=node))
    perceptions = [p for r in kept for p in r.perceptions]
    if perceptions:
        sent.append(_insert_perceptions(conn, perceptions, node=node))
    return Sent(superseded, sent)


def _insert_judgments(conn: psycopg.Connection, rows: list[JudgmentRow], *, node: str) -> psycopg.Cursor:
    """Send the INSERT; its cursor yields the ids really inserted."""
    shard = shard_of(rows[0].journal)  # a batch is one journal's
    document = [
        {
            "judgment_id": r.judgment_id,
            "created_at": r.created_at,
            "state_key": r.state_key,
            "reality": r.reality,
            "verdict": r.verdict,
            "q_score": r.q_score,
            "consensus_reached": r.consensus_reached,
            "journal": r.journal,
            "journal_seq": r.journal_seq,
            "journal_ts": r.journal_ts,
            "body": orjson.Fragment(r.body),
            "counters": dict(r.counters),
        }
        for r in rows
    ]
    params = {"node": node, "shard": shard, "rows": _document(document)}
    return conn.execute(_INSERT_JUDGMENTS, params)


def _insert_perceptions(conn: psycopg.Connection, rows: list[PerceptionRow], *, node: str) -> psycopg.Cursor:
    """Send the INSERT; its cursor yields the ids really inserted."""
    document = [
        {
            "perception_id": r.perception_id,
            "created_at": r.created_at,
            "source": r.source,
            "reality": r.reality,
            "judgment_id": r.judgment_id,
            "journal": r.journal,
            "journal_seq": r.journal_seq,
            "journal_ts": r.journal_ts,
            "body": orjson.Fragment(r.body),
        }
        for r in rows
    ]
    return conn.execute(_INSERT_PERCEPTIONS, {"node": node, "rows": _document(document)})


#: Keys are kept at least this long (the API promises 24 hours).
IDEMPOTENCY_KEEP_S = 48 * 3600


def database_identity(conn: psycopg.Connection) -> str | None:
    """The database's cluster_id (node/binding.py), or None when it has none (not ours yet)."""
    if conn.execute("SELECT to_regclass('cynic_identity')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT cluster_id::text FROM cynic_identity").fetchone()
    return row[0] if row else None


#: The tables a write inserts into (repository's INSERTs above).
WRITTEN_TABLES = ("judgments", "perceptions", "idempotency_keys", "state_counters")


def ping(conn: psycopg.Connection, lock_timeout_s: float, journal: str) -> None:
    """The database answers, and a write of journal's could take its locks within
    lock_timeout_s (readiness), in a transaction rolled back: the lock an INSERT takes (ROW
    EXCLUSIVE) on every table a write inserts into, and the lock its counter update takes (FOR
    NO KEY UPDATE, ON CONFLICT DO UPDATE's) on the state_counters rows of journal's shard. A
    session holding a table against writes (an ALTER TABLE, a CREATE INDEX without
    CONCURRENTLY, LOCK TABLE) or those rows (SELECT … FOR UPDATE, an UPDATE in a transaction
    left open) raises LockNotAvailable."""
    lock = sql.SQL("SET LOCAL lock_timeout = {}; LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(
        sql.Literal(f"{max(1, round(lock_timeout_s * 1000))}ms"),
        sql.SQL(", ").join(sql.Identifier(t) for t in WRITTEN_TABLES),
    )
    with conn.transaction(force_rollback=True):
        conn.execute(lock)
        conn.execute("SELECT FROM state_counters WHERE shard = %s FOR NO KEY UPDATE", (shard_of(journal),))


def find_idempotency_key(conn: psycopg.Connection, key: str) -> tuple[str, str, str] | None:
    """Return (fingerprint, kind, record_id) for key, or None."""
    return conn.execute(
        "SELECT fingerprint, kind, record_id::text FROM idempotency_keys WHERE key = %s", (key,)
    ).fetchone()


def prune_idempotency_keys(conn: psycopg.Connection, *, keep_s: int = IDEMPOTENCY_KEEP_S) -> int:
    """Forget keys older than keep_s; return how many."""
    return conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => %s)", (keep_s,)
    ).rowcount


def get_record(conn: psycopg.Connection, kind: str, record_id: str) -> dict | None:
    """Return a stored record in the shape it was journaled (judgment or perception)."""
    return get_judgment(conn, record_id) if kind == "judgment" else get_perception(conn, record_id)


def get_judgment(conn: psycopg.Connection, judgment_id: str) -> dict | None:
    """Return {"judgment": body, "created_at": datetime, "position": (ts, journal, seq)} or None."""
    row = conn.execute(
        "SELECT body, created_at, coalesce(journal_ts, 0), coalesce(journal, ''), journal_seq"
        " FROM judgments WHERE judgment_id = %s",
        (judgment_id,),
    ).fetchone()
    return {"judgment": row[0], "created_at": row[1], "position": tuple(row[2:])} if row else None


def get_perception(conn: psycopg.Connection, perception_id: str) -> dict | None:
    """Return the perception body with its judgment (or None) and created_at, and the journal
    position of its judgment when it has one ("position": (ts, journal, seq)); or None."""
    row = conn.execute(
        "SELECT p.body, p.created_at, j.body, coalesce(j.journal_ts, 0), coalesce(j.journal, ''),"
        " j.journal_seq FROM perceptions p"
        " LEFT JOIN judgments j USING (judgment_id) WHERE p.perception_id = %s",
        (perception_id,),
    ).fetchone()
    if row is None:
        return None
    out = {**row[0], "created_at": row[1], "judgment": row[2]}
    if row[2] is not None:
        out["position"] = tuple(row[3:])
    return out


def existing_ids(conn: psycopg.Connection, kind: str, ids: list[str]) -> set[str]:
    """Return which of ids are already stored as kind."""
    table, column = ("judgments", "judgment_id") if kind == "judgment" else ("perceptions", "perception_id")
    query = psycopg.sql.SQL("SELECT {col}::text FROM {table} WHERE {col} = ANY(%s::uuid[])").format(
        col=psycopg.sql.Identifier(column), table=psycopg.sql.Identifier(table)
    )
    return {row[0] for row in conn.execute(query, (ids,))}


#: Reading stored bodies. A body stored out of line (TOAST: compressed, past about 2 KB; a
#: judgment's body holds its content) is fetched and decompressed whole by every function that
#: takes it, so a query that named the column in eleven expressions read each body eleven times
#: (9.5-9.8 ms of the server's CPU per refresh of the memory below, for 20 KB contents; 2.0-2.25
#: ms read once: docs/performance.md, "A body read once"). So each query of bodies has three
#: levels: the innermost picks the rows (its ORDER BY and LIMIT, on the columns and the body's
#: pointer, whatever plan sorts them); the middle reads each picked body once (``#> '{}'``: the
#: whole value, out of storage), kept from being merged into the outer level by its ``OFFSET 0``;
#: the outer reads the fields from that copy. The index's order carries through: nothing is sorted.
#: _NEWEST_BODIES is that, for the newest judgments (its %s: how many), each body as ``b``.
_NEWEST_BODIES = """
  FROM (SELECT judgment_id, created_at, body #> '{}' AS b
          FROM (SELECT judgment_id, created_at, body
                  FROM judgments ORDER BY created_at DESC, judgment_id DESC LIMIT %s) AS newest
         ORDER BY created_at DESC, judgment_id DESC
        OFFSET 0) AS read_once
 ORDER BY created_at DESC, judgment_id DESC
"""
_RECENT_JUDGMENTS = "SELECT b #- '{cell,content}', left(b->'cell'->>'content', %s)" + _NEWEST_BODIES


def recent_judgments(conn: psycopg.Connection, limit: int, *, content_chars: int = 0) -> list[dict]:
    """Return the newest judgments' bodies, newest first (content cut to content_chars)."""
    rows = conn.execute(_RECENT_JUDGMENTS, (content_chars, limit)).fetchall()
    out = []
    for body, content in rows:
        body["cell"]["content"] = content
        out.append(body)
    return out


#: What a memory keeps of each of the newest judgments (each body read once: above).
_RECOLLECTIONS = (
    """
SELECT judgment_id,
       jsonb_typeof(b->'q_score') = 'number'
       AND jsonb_typeof(b->'consensus_reached') = 'boolean'
       AND jsonb_typeof(b->'cell') = 'object'
       AND b->'cell' ?& array['reality', 'analysis', 'time_dim', 'lod', 'content'],
       b->>'q_score', b->>'consensus_reached', b->'cell'->>'reality', b->'cell'->>'analysis',
       b->'cell'->>'time_dim', b->'cell'->>'lod', left(b->'cell'->>'content', %s)"""
    + _NEWEST_BODIES
)


def recollections(conn: psycopg.Connection, limit: int, *, content_chars: int) -> list[dict]:
    """Return what a memory keeps of the newest judgments, newest first: their q_score,
    consensus_reached and cell (the fields of its state key, the content cut to content_chars),
    shaped like their bodies. Only these are read: the 89 newest whole bodies took 10-12 ms a
    refresh (rebuilt, sent and parsed), these 2-3 ms (docs/performance.md).

    Every field is read as text (``->>``), not as a JSON value psycopg parses in Python (that
    alone took 3 of 4.5 ms), and converted here, only for a body that has them all: a numeric
    q_score, a boolean consensus_reached and the cell's fields. Any other body (only a hand edit
    makes one: the write path checks every field) is left out, with a warning naming it."""
    rows = conn.execute(_RECOLLECTIONS, (content_chars, limit)).fetchall()
    keys = ("reality", "analysis", "time_dim", "lod", "content")
    out = []
    for judgment_id, whole, q_score, reached, *cell in rows:
        if not whole:
            log.warning("judgment %s left out of the memory: its body lacks a field it keeps", judgment_id)
            continue
        fields = dict(zip(keys, cell, strict=True))
        out.append({"q_score": float(q_score), "consensus_reached": reached == "true", "cell": fields})
    return out


def load_state(conn: psycopg.Connection, recent: int) -> ConsciousState:
    """Build the ConsciousState from the counters and the newest judgments."""
    state = ConsciousState()
    for name, n, total in conn.execute(
        "SELECT name, sum(n)::bigint, sum(total) FROM state_counters GROUP BY name"
    ):
        kind, _, key = name.partition(":")
        if kind == "verdict" and key in VERDICTS:
            state.verdict_counts[key] = int(n)
        elif kind == "dog":
            state.dog_totals[key] = [int(n), float(total)]
    for body in reversed(recent_judgments(conn, recent)):
        state.recent.appendleft(summarise(body))
    return state


#: The tables ``count_rows`` counts.
COUNTED = ("judgments", "perceptions", "idempotency_keys")


def count_rows(conn: psycopg.Connection) -> dict[str, int]:
    """How many rows each table of COUNTED holds."""
    query = psycopg.sql.SQL("SELECT {}").format(
        psycopg.sql.SQL(", ").join(
            psycopg.sql.SQL("(SELECT count(*) FROM {})").format(psycopg.sql.Identifier(table))
            for table in COUNTED
        )
    )
    return dict(zip(COUNTED, conn.execute(query).fetchone(), strict=True))
