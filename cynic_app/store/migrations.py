"""Versioned schema migrations, applied in order, once, under an advisory lock."""

from __future__ import annotations

import psycopg

#: Serialises concurrent migrators (several nodes starting at once).
ADVISORY_LOCK_KEY = 0x43594E4943  # "CYNIC"

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "judgments, perceptions, state counters",
        """
        CREATE TABLE IF NOT EXISTS judgments (
            judgment_id       uuid PRIMARY KEY,
            created_at        timestamptz NOT NULL,
            state_key         text NOT NULL,
            reality           text NOT NULL,
            verdict           text NOT NULL,
            q_score           double precision NOT NULL,
            consensus_reached boolean NOT NULL,
            node              text NOT NULL,
            journal_seq       bigint NOT NULL,
            body              jsonb NOT NULL
        );
        CREATE INDEX IF NOT EXISTS judgments_newest ON judgments (created_at DESC, judgment_id DESC);
        CREATE TABLE IF NOT EXISTS perceptions (
            perception_id uuid PRIMARY KEY,
            created_at    timestamptz NOT NULL,
            source        text NOT NULL,
            reality       text NOT NULL,
            judgment_id   uuid REFERENCES judgments (judgment_id),
            node          text NOT NULL,
            journal_seq   bigint NOT NULL,
            body          jsonb NOT NULL
        );
        -- Sharded so concurrent writers rarely wait on the same counter row.
        CREATE TABLE IF NOT EXISTS state_counters (
            shard smallint NOT NULL,
            name  text NOT NULL,
            n     bigint NOT NULL,
            total double precision NOT NULL,
            PRIMARY KEY (shard, name)
        );
    """,
    ),
    (
        2,
        "idempotency keys",
        """
        -- A key claims one record, in the same transaction as the record itself.
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            key         text PRIMARY KEY,
            fingerprint text NOT NULL,
            kind        text NOT NULL,
            record_id   uuid NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS idempotency_keys_age ON idempotency_keys (created_at);
    """,
    ),
    (
        3,
        "the journal each row came from",
        """
        -- Journals are per writer since format 2: a row's record is (journal, journal_seq) there,
        -- and journal_ts is its place in the node's order (durability/journal/clock.py).
        ALTER TABLE judgments ADD COLUMN IF NOT EXISTS journal text;
        ALTER TABLE judgments ADD COLUMN IF NOT EXISTS journal_ts bigint;
        ALTER TABLE perceptions ADD COLUMN IF NOT EXISTS journal text;
        ALTER TABLE perceptions ADD COLUMN IF NOT EXISTS journal_ts bigint;
    """,
    ),
    (
        4,
        "the database's identity",
        """
        -- One row: the identity CYNIC_HOME binds its journals to (cynic_app/node/binding.py). A dump
        -- carries it, so a restored database is still the same one.
        CREATE TABLE IF NOT EXISTS cynic_identity (
            only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            cluster_id uuid NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO cynic_identity (cluster_id) VALUES (gen_random_uuid()) ON CONFLICT DO NOTHING;
    """,
    ),
    (
        5,
        "list judgments by verdict or reality, newest first",
        """
        -- GET /judge pages by keyset in (created_at DESC, judgment_id DESC) order (store/listing.py):
        -- with a filter, its index starts each page at the cursor and reads only that page's rows.
        -- Unfiltered pages use judgments_newest (migration 1).
        CREATE INDEX IF NOT EXISTS judgments_by_verdict
            ON judgments (verdict, created_at DESC, judgment_id DESC);
        CREATE INDEX IF NOT EXISTS judgments_by_reality
            ON judgments (reality, created_at DESC, judgment_id DESC);
    """,
    ),
]


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply every migration not yet applied; return the versions applied now."""
    applied_now = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, ddl in MIGRATIONS:
            if version in done:
                continue
            conn.execute(ddl)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
            applied_now.append(version)
    return applied_now


def schema_version(conn: psycopg.Connection) -> int:
    """Return the highest applied migration (0 when none, or no schema at all)."""
    if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
