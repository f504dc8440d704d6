"""Adversarial review of 294f033 (the write path's answers under faults, and settling a journal
the database refuses). Real PostgreSQL, real files. Each test failed on 294f033."""

from __future__ import annotations

import logging
import time

import psycopg
import pytest

from cynic_app.api.context import runtime_of
from cynic_app.errors import first_line
from cynic_app.judgment import Cell, judge
from cynic_app.node.checkpoint import checkpoint_now
from cynic_app.node.errors import EXIT_UNAVAILABLE, SEE_REFUSED, RecordsRefused, Refusal, refusal
from cynic_app.node.open import settle_node
from cynic_app.service import IdempotencyKey
from tests.durability.test_settle import _v1_line
from tests.service.test_recovery import closed_journal, eventually
from tests.service.test_write_path import REJECT, make_node, new_write, outcome_of
from tests.support.faults import StallingProxy
from tests.support.harness import serving


def test_a_batch_of_superseded_records_answers_within_its_budget(node):
    """Superseded records read their key's record back with a budget of their own each
    (BUDGET_S, and the pool's own wait), not what was left of the batch's: a database that
    stalled right after the COMMIT held the batch, and every request in it, for n × 1.8 s
    (7.2 s for four records)."""
    keys = [IdempotencyKey(f"k-stall-{i}", "same") for i in range(4)]
    for i, key in enumerate(keys):
        node.service.judge(Cell.create(content=f"first_{i} = {i}"), idempotency=key)
    wp = node.service.write_path
    real = wp._supersede
    staller = psycopg.connect(node.url)  # a session that stalls every read of judgments

    def stalled_after_commit(*args):
        staller.execute("LOCK TABLE judgments IN ACCESS EXCLUSIVE MODE")
        return real(*args)

    wp._supersede = stalled_after_commit
    batch = [new_write(f"first_{i} = {i}", key) for i, key in enumerate(keys)]
    started = time.monotonic()
    try:
        wp.write(batch)
    finally:
        took = time.monotonic() - started
        staller.rollback()
        staller.close()
    # stored as their keys' records, not read back: honest, and within the batch's budget
    assert [outcome_of(w) for w in batch] == ["written"] * 4
    assert took < wp.budget_s + 0.5, f"answered after {took:.2f} s for a {wp.budget_s} s budget"


def test_a_journal_the_database_refuses_stops_neither_the_others_nor_says_less_than_why(config):
    """A record the server refuses (an operator's trigger or constraint), journaled and never
    aborted (its abort record could not be written when it was refused), stopped the settling
    of every journal after it: the COPY's RaiseException left settle_closed's loop, and start-up
    died of it as of a bug, with a traceback. Now the other journals are settled, and start-up
    refuses with one line naming the journal and the server's reason (exit 3)."""
    settle_node(config)  # the database migrated and bound to the home
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute(REJECT)
    refused, _ = closed_journal(config, contents=["bad = 'REJECT_ME'"])
    fine, ids = closed_journal(config, contents=["good = 1", "also_good = 2"])
    with pytest.raises(RecordsRefused) as err:
        settle_node(config)
    assert refused.name in str(err.value) and "rejected by a check of the operator's" in str(err.value)
    assert refusal(err.value) == Refusal(EXIT_UNAVAILABLE, first_line(err.value) + SEE_REFUSED)
    with psycopg.connect(config.database_url) as conn:
        stored = "SELECT count(*) FROM judgments WHERE judgment_id = ANY(%s)"
        assert conn.execute(stored, (ids,)).fetchone()[0] == len(ids)
    assert not fine.exists() and refused.exists()  # the refused journal is kept for the operator
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER reject_marked ON judgments")
    settle_node(config)  # the operator's check lifted: the record is applied, the journal settled
    assert not refused.exists()


def test_the_recovery_timer_reports_a_journal_the_database_refuses(config, caplog):
    """The same refusal met by a worker's recovery timer: /ready says which journal and why, and
    the timer goes on (it took the refusal for a bug of its own and logged a traceback each time)."""
    caplog.set_level(logging.WARNING)
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s, runtime.settle_every_s = 0.05, 0.1
        runtime.service()
        with psycopg.connect(config.database_url, autocommit=True) as conn:
            conn.execute(REJECT)
        refused, _ = closed_journal(config, contents=["bad = 'REJECT_ME'"])
        eventually(lambda: not runtime.closed_journals()["ok"], "the refusal was not reported")
        assert refused.name in runtime.closed_journals()["error"]
        assert app.test_client().get("/ready").get_json()["checks"]["closed_journals"]["ok"] is False
    assert not any("recovery timer failed" in r.getMessage() for r in caplog.records)


def test_the_master_meeting_a_journal_the_database_refuses_goes_on(config, caplog):
    """gunicorn's master settles a worker's journal when the worker exits, in its main loop,
    where nothing may raise: the refusal is a warning there, and the journal waits."""
    settle_node(config)
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute(REJECT)
    refused, _ = closed_journal(config, contents=["bad = 'REJECT_ME'"])
    caplog.set_level(logging.WARNING)
    checkpoint_now(config, "worker exit", snapshot=False, log=logging.getLogger("test"))
    assert refused.exists()
    said = [r.getMessage() for r in caplog.records]
    assert any("not settled at worker exit" in m and refused.name in m for m in said), said


def test_a_format_1_journal_the_database_refuses_is_refused_the_same_way(config):
    """Review of cb90d3a: the format-1 journal (segments in journal/ itself) was settled outside
    the new handling, before the other journals: its refused record still ended start-up with a
    traceback, and no other journal was settled."""
    settle_node(config)
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute(REJECT)
    j = judge(Cell.create(content="x = 'REJECT_ME'")).to_dict()
    legacy = config.home / "journal"
    record = {"judgment": j, "created_at": "2026-12-07T10:00:00+00:00"}
    (legacy / "00000000000000000001.jsonl").write_bytes(_v1_line(j["judgment_id"], record))
    (legacy / ".lock").touch()
    fine, ids = closed_journal(config, contents=["g = 1"])
    with pytest.raises(RecordsRefused) as err:
        settle_node(config)
    assert refusal(err.value) == Refusal(EXIT_UNAVAILABLE, first_line(err.value) + SEE_REFUSED)
    assert not fine.exists()  # settled all the same
    with psycopg.connect(config.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM judgments WHERE judgment_id = %s", ids).fetchone()[0] == 1


@pytest.fixture
def behind_proxy(config):
    """A node whose database is reached through a StallingProxy: (node, proxy)."""
    proxy, through_proxy = StallingProxy.in_front_of(config.database_url)
    nodes = make_node(config.with_overrides(database_url=through_proxy))
    try:
        yield next(nodes), proxy
    finally:
        proxy.stalled.clear()
        next(nodes, None)
        proxy.close()


def answered_after(wp, w) -> float:
    """Write w, submitted 1.5 s ago (0.3 s of its budget left); seconds from its submission to
    its answer."""
    w.submitted -= 1.5  # it waited in the queue
    wp.write([w])
    return time.monotonic() - w.submitted


def test_a_read_back_past_the_budget_is_not_held_by_the_pools_check(behind_proxy):
    """Review of a6fc43d: the pool checks a connection before handing it out, under a deadline
    of its own (1 s), not cut to what was left of the batch's: with the server silent right
    after the COMMIT and 0.3 s of the budget left, the read-back answered 2.6 s after the write
    was submitted instead of by its 1.8 s budget."""
    node, proxy = behind_proxy
    key = IdempotencyKey("k-silent", "same")
    node.service.judge(Cell.create(content="first = 1"), idempotency=key)
    pool = node.pool._pool
    with pool.connection(), pool.connection():
        pass  # idle connections: the read-back's checkout checks one
    wp = node.service.write_path
    real = wp._supersede

    def silent_after_commit(*args):
        proxy.stalled.set()
        return real(*args)

    wp._supersede = silent_after_commit
    w = new_write("first = 1", key)
    took = answered_after(wp, w)
    assert outcome_of(w) == "written"
    assert took < wp.budget_s + 0.3, f"answered {took:.2f} s after it was submitted"


def test_a_batch_taking_a_connection_from_a_silent_server_answers_by_its_budget(behind_proxy):
    """The same check held the write path's own checkout (a new connection for a batch) up to a
    second past the batch's budget."""
    node, proxy = behind_proxy
    wp = node.service.write_path
    wp._drop_connection()  # the next batch takes one from the pool, which checks it
    proxy.stalled.set()
    w = new_write("silent = 1")
    took = answered_after(wp, w)
    assert outcome_of(w) == "not_written"
    assert took < wp.budget_s + 0.3, f"answered {took:.2f} s after it was submitted"
