"""What a journal record means in PostgreSQL, and the reads the API needs.

Every write is ``INSERT … ON CONFLICT DO NOTHING`` so applying a record twice (the service, then
replay after a crash) stores it once. Counters change only when the row was really inserted.
Callers own the transaction.
"""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from ..judgment.state import VERDICTS, ConsciousState, summarise

SHARDS = 16

_INSERT_JUDGMENT = """
WITH inserted AS (
    INSERT INTO judgments (judgment_id, created_at, state_key, reality, verdict, q_score,
                           consensus_reached, node, journal, journal_seq, body)
    VALUES (%(id)s, %(created_at)s, %(state_key)s, %(reality)s, %(verdict)s, %(q)s,
            %(consensus)s, %(node)s, %(journal)s, %(seq)s, %(body)s)
    ON CONFLICT (judgment_id) DO NOTHING
    RETURNING 1
), counted AS (
    INSERT INTO state_counters AS c (shard, name, n, total)
    SELECT %(shard)s, k.name, 1, k.total
      FROM unnest(%(names)s::text[], %(totals)s::float8[]) AS k (name, total)
     WHERE EXISTS (SELECT 1 FROM inserted)
     ORDER BY k.name
    ON CONFLICT (shard, name) DO UPDATE SET n = c.n + 1, total = c.total + excluded.total
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted)
"""

_INSERT_PERCEPTION = """
INSERT INTO perceptions (perception_id, created_at, source, reality, judgment_id, node,
                         journal, journal_seq, body)
VALUES (%(id)s, %(created_at)s, %(source)s, %(reality)s, %(judgment_id)s, %(node)s, %(journal)s,
        %(seq)s, %(body)s)
ON CONFLICT (perception_id) DO NOTHING
RETURNING 1
"""


def insert_judgment(conn: psycopg.Connection, record: dict, *, node: str, journal: str, seq: int) -> bool:
    """Store a judgment record ({"judgment": ..., "created_at": ...}); True if it was new."""
    j = record["judgment"]
    cell = j["cell"]
    shard, names, totals = counter_contributions(j)
    row = conn.execute(
        _INSERT_JUDGMENT,
        {
            "id": j["judgment_id"],
            "created_at": record["created_at"],
            "state_key": f"{cell['reality']}:{cell['analysis']}:{cell['time_dim']}:{cell['lod']}",
            "reality": cell["reality"],
            "verdict": j["verdict"],
            "q": j["q_score"],
            "consensus": j["consensus_reached"],
            "node": node,
            "journal": journal,
            "seq": seq,
            "body": Jsonb(j),
            "shard": shard,
            "names": names,
            "totals": totals,
        },
    ).fetchone()
    return bool(row[0])


def insert_perception(conn: psycopg.Connection, record: dict, *, node: str, journal: str, seq: int) -> bool:
    """Store a perception record and its judgment, if any; True if the perception was new."""
    if record.get("judgment") is not None:
        insert_judgment(
            conn,
            {"judgment": record["judgment"], "created_at": record["created_at"]},
            node=node,
            journal=journal,
            seq=seq,
        )
    body = {k: v for k, v in record.items() if k not in ("judgment", "idempotency")}
    row = conn.execute(
        _INSERT_PERCEPTION,
        {
            "id": record["perception_id"],
            "created_at": record["created_at"],
            "source": record["source"],
            "reality": record["reality"],
            "judgment_id": record["judgment"]["judgment_id"] if record.get("judgment") else None,
            "node": node,
            "journal": journal,
            "seq": seq,
            "body": Jsonb(body),
        },
    ).fetchone()
    return row is not None


def counter_contributions(j: dict) -> tuple[int, list[str], list[float]]:
    """What one judgment adds to the state counters: (shard, names sorted, totals)."""
    names = sorted([f"verdict:{j['verdict']}", *(f"dog:{d}" for d in j["dog_votes"])])
    totals = [j["q_score"] if n.startswith("verdict:") else j["dog_votes"][n[4:]] for n in names]
    return int(j["judgment_id"][:4], 16) % SHARDS, names, totals


def add_counters(conn: psycopg.Connection, sums: dict[tuple[int, str], list]) -> None:
    """Add {(shard, name): [n, total]} to the state counters in one statement (bulk replay)."""
    keys = sorted(sums)
    conn.execute(
        "INSERT INTO state_counters AS c (shard, name, n, total)"
        " SELECT * FROM unnest(%s::smallint[], %s::text[], %s::bigint[], %s::float8[])"
        " ON CONFLICT (shard, name) DO UPDATE SET n = c.n + excluded.n, total = c.total + excluded.total",
        ([k[0] for k in keys], [k[1] for k in keys], [sums[k][0] for k in keys], [sums[k][1] for k in keys]),
    )


APPLY = {"judgment": insert_judgment, "perception": insert_perception}
#: Keys are kept at least this long (the API promises 24 hours).
IDEMPOTENCY_KEEP_S = 48 * 3600


class IdempotencyKeyTaken(Exception):
    """The record's Idempotency-Key already claims another record; the transaction must not commit."""


def record_id_of(kind: str, data: dict) -> str:
    return data["judgment"]["judgment_id"] if kind == "judgment" else data["perception_id"]


def apply_record(
    conn: psycopg.Connection, kind: str, data: dict, *, node: str, journal: str, seq: int
) -> bool:
    """Apply one journaled record (and claim its idempotency key); True when it was new.

    Raise IdempotencyKeyTaken when its key already belongs to a different record.
    """
    inserted = APPLY[kind](conn, data, node=node, journal=journal, seq=seq)
    idem = data.get("idempotency")
    if idem is not None and not claim_idempotency_key(
        conn, idem["key"], idem["fingerprint"], kind, record_id_of(kind, data)
    ):
        raise IdempotencyKeyTaken(idem["key"])
    return inserted


def claim_idempotency_key(
    conn: psycopg.Connection, key: str, fingerprint: str, kind: str, record_id: str
) -> bool:
    """Claim key for record_id; True if claimed now or already by this same record.

    A concurrent claimer of the same key waits here for the first to commit or roll back.
    """
    row = conn.execute(
        "INSERT INTO idempotency_keys (key, fingerprint, kind, record_id) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (key) DO NOTHING RETURNING 1",
        (key, fingerprint, kind, record_id),
    ).fetchone()
    if row is not None:
        return True
    owner = conn.execute("SELECT record_id::text FROM idempotency_keys WHERE key = %s", (key,)).fetchone()
    return owner is not None and owner[0] == record_id


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
    """Return {"judgment": body, "created_at": datetime} or None."""
    row = conn.execute(
        "SELECT body, created_at FROM judgments WHERE judgment_id = %s", (judgment_id,)
    ).fetchone()
    return {"judgment": row[0], "created_at": row[1]} if row else None


def get_perception(conn: psycopg.Connection, perception_id: str) -> dict | None:
    """Return the perception body with its judgment (or None) and created_at, or None."""
    row = conn.execute(
        "SELECT p.body, p.created_at, j.body FROM perceptions p"
        " LEFT JOIN judgments j USING (judgment_id) WHERE p.perception_id = %s",
        (perception_id,),
    ).fetchone()
    if row is None:
        return None
    return {**row[0], "created_at": row[1], "judgment": row[2]}


def existing_ids(conn: psycopg.Connection, kind: str, ids: list[str]) -> set[str]:
    """Return which of ids are already stored as kind."""
    table, column = ("judgments", "judgment_id") if kind == "judgment" else ("perceptions", "perception_id")
    query = psycopg.sql.SQL("SELECT {col}::text FROM {table} WHERE {col} = ANY(%s::uuid[])").format(
        col=psycopg.sql.Identifier(column), table=psycopg.sql.Identifier(table)
    )
    return {row[0] for row in conn.execute(query, (ids,))}


def recent_judgments(conn: psycopg.Connection, limit: int, *, content_chars: int = 0) -> list[dict]:
    """Return the newest judgments' bodies, newest first (content cut to content_chars)."""
    rows = conn.execute(
        "SELECT body #- '{cell,content}', left(body->'cell'->>'content', %s)"
        " FROM judgments ORDER BY created_at DESC, judgment_id DESC LIMIT %s",
        (content_chars, limit),
    ).fetchall()
    out = []
    for body, content in rows:
        body["cell"]["content"] = content
        out.append(body)
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
