"""Why a record in doubt that the server refuses stays in doubt (write_path._one_by_one, and
docs/architecture.md's failure table): storing a record again is ``INSERT … ON CONFLICT DO
NOTHING``, and PostgreSQL checks a row's constraints and fires its BEFORE triggers before it
looks for the conflict. So a refusal does not show that the row is absent: the record may have
been committed by the transaction whose COMMIT was cut off. These tests hold the assumption to
the real server, against the store's own statement."""

from __future__ import annotations

import psycopg
import pytest

from tests.store.test_repository import judgment_record, store


def stored_once(conn):
    _, rows = judgment_record("def stored(): pass\n")
    store(conn, [rows])
    assert conn.execute("SELECT count(*) FROM judgments").fetchone() == (1,)
    return rows


def test_a_check_added_later_refuses_a_row_already_stored(conn):
    rows = stored_once(conn)
    conn.execute("ALTER TABLE judgments ADD CONSTRAINT no_new_rows CHECK (false) NOT VALID")
    with pytest.raises(psycopg.errors.CheckViolation):
        store(conn, [rows])
    assert conn.execute("SELECT count(*) FROM judgments").fetchone() == (1,)  # it is there


def test_a_before_trigger_refuses_a_row_already_stored(conn):
    rows = stored_once(conn)
    conn.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'P0001'; END $$"
    )
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON judgments FOR EACH ROW EXECUTE FUNCTION refuse()")
    with pytest.raises(psycopg.errors.RaiseException):
        store(conn, [rows])
    assert conn.execute("SELECT count(*) FROM judgments").fetchone() == (1,)


def test_without_a_refusal_the_row_already_stored_is_skipped(conn):
    """The control: the same second store succeeds and inserts nothing when nothing refuses."""
    rows = stored_once(conn)
    assert store(conn, [rows]).inserted == set()
    assert conn.execute("SELECT count(*) FROM judgments").fetchone() == (1,)
