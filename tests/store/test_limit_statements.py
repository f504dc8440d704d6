"""repository.limit_statements: the server cancels a statement of the transaction that outlasts
what is left of the write path's budget, but never later than the role's own statement_timeout."""

from __future__ import annotations

import psycopg
import pytest

from cynic_app.store.repository import limit_statements


@pytest.mark.parametrize(
    ("configured", "budget_s", "expected"),
    [
        ("0", 1.5, "1500ms"),  # none configured: ours
        ("5s", 1.5, "1500ms"),  # a longer one: ours
        ("200ms", 1.5, "200ms"),  # a shorter one (a PgBouncer role's): kept
        ("0", 0.0001, "1ms"),  # never 0, which would mean no limit at all
    ],
)
def test_the_shorter_limit_wins_for_the_transaction_only(conn, configured, budget_s, expected):
    conn.execute(f"SET statement_timeout = '{configured}'")
    conn.execute("BEGIN")
    limit_statements(conn, budget_s)
    assert conn.execute("SHOW statement_timeout").fetchone()[0] == expected
    conn.execute("ROLLBACK")
    assert conn.execute("SHOW statement_timeout").fetchone()[0] == configured


def test_a_statement_past_the_limit_is_cancelled_by_the_server(conn):
    conn.execute("BEGIN")
    limit_statements(conn, 0.1)
    with pytest.raises(psycopg.errors.QueryCanceled):
        conn.execute("SELECT pg_sleep(2)")
    conn.execute("ROLLBACK")
