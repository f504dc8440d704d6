"""Adversarial review of a34c4ed at the repository level: send_records in a pipeline, results
read after its sync; errors at the sync."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.record import from_data
from cynic_app.store.repository import send_records, store_records
from cynic_app.store.rows import record_rows
from tests.store.test_repository import judgment_record

NODE = "node-a"


def perception_rows(content: str, *, seq: int, key: str | None = None, with_judgment: bool = True):
    judgment = judge(Cell.create(content=content)).to_dict() if with_judgment else None
    data = {
        "perception_id": str(uuid.uuid4()),
        "source": "s",
        "reality": "CODE",
        "content": content,
        "judgment": judgment,
        "created_at": datetime.now(UTC).isoformat(),
    }
    if key is not None:
        data["idempotency"] = {"key": key, "fingerprint": "f"}
    return data, record_rows(from_data("perception", data), journal="j1", seq=seq, ts=seq)


def piped(conn, records, *, pause: float = 0.0):
    with conn.pipeline():
        conn.execute("BEGIN")
        sent = send_records(conn, records, node=NODE, key_wait_s=0.25)
        time.sleep(pause)
    return sent.result()


@pytest.mark.parametrize("pause", [0.0, 0.1])
def test_inserted_and_superseded_are_exact_for_a_mixed_batch_read_after_the_sync(conn, pause):
    j1, a = judgment_record("a = 1", seq=1)
    j2, b = judgment_record("b = 2", seq=2, key="kb")
    p1, c = perception_rows("c", seq=3)
    p2, d = perception_rows("d", seq=4, key="kd")
    p3, e = perception_rows("e", seq=5, with_judgment=False)
    stored = piped(conn, [a, b, c, d, e], pause=pause)
    conn.execute("COMMIT")
    ids = {
        j1["judgment_id"],
        j2["judgment_id"],
        p1["perception_id"],
        p1["judgment"]["judgment_id"],
        p2["perception_id"],
        p2["judgment"]["judgment_id"],
        p3["perception_id"],
    }
    assert stored.inserted == ids and stored.superseded == {}
    # again, with two records whose keys now stand for the first ones, one new, one re-applied
    j4, f = judgment_record("f = 1", seq=6, key="kb")
    p4, g = perception_rows("g", seq=7, key="kd")
    j5, h = judgment_record("h = 1", seq=8)
    stored = piped(conn, [a, f, g, h, c], pause=pause)
    conn.execute("COMMIT")
    assert stored.inserted == {j5["judgment_id"]}
    assert set(stored.superseded) == {j4["judgment_id"], p4["perception_id"]}
    # and the same as store_records outside a pipeline (the replay path)
    with conn.transaction():
        again = store_records(conn, [a, f, g, h, c], node=NODE)
    assert again.inserted == set() and set(again.superseded) == set(stored.superseded)


@pytest.mark.parametrize("pause", [0.0, 0.1])
@pytest.mark.parametrize("table", ["judgments", "perceptions"])
def test_an_error_at_the_sync_is_the_statement_error_not_pipeline_aborted(conn, table, pause):
    """PipelineAborted is an OperationalError: were it raised instead of the statement's error,
    the write path would take a rejected statement for a lost connection."""
    conn.execute(
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$"
    )
    conn.execute(f"CREATE TRIGGER boom BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION boom()")
    _, a = judgment_record("a = 1", seq=1, key="ka")
    _, c = perception_rows("c", seq=2)
    with pytest.raises(psycopg.Error) as err:
        piped(conn, [a, c], pause=pause)
    assert type(err.value) is psycopg.errors.RaiseException, type(err.value)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0] == 0
