"""Adversarial review of a2ff5a8 (COMMIT in the batch's pipeline; statement_timeout; the
socket poll before COMMIT; guidance.json prepared beside the fsync). Real PostgreSQL, real files.
The first two failed on a2ff5a8; the third held."""

from __future__ import annotations

import os
import time

import pytest

from cynic_app.judgment import Cell
from cynic_app.service import PersistenceError
from tests.service.test_review_24_sync import ddl, settle_open_transactions, stored_perception
from tests.service.test_write_path import REJECT, make_node, new_write, outcome_of


def test_a_database_socket_numbered_past_1023_still_commits(config):
    """A process with many descriptors open (client sockets, files) gets database sockets
    numbered 1024 and up. psycopg waits on them with poll; ``_said_something`` used
    select.select, which refuses descriptors >= FD_SETSIZE (ValueError): every batch then
    failed as a bug, its records answered unknown but not kept in doubt (never stored)."""
    import resource

    from cynic_app.store.pool import make_pool

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        if hard != resource.RLIM_INFINITY and hard < 2048:
            pytest.skip(f"the hard limit on open files ({hard}) is too low to reach descriptor 1024")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    gen = make_node(config)
    node = next(gen)
    ballast = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    fresh = make_pool(node.url, min_size=1, max_size=4, timeout_s=1.0)
    # the old pool stays open to the end: closing it here freed its low descriptors, and a
    # connection the fresh pool grew took one (socket 99, once)
    old = node.pool._pool
    try:
        fresh.open(wait=True)
        wp = node.service.write_path
        wp._drop_connection()
        node.pool._pool = fresh  # connections made from now on
        try:
            written = node.service.judge(Cell.create(content="many_fds = 1"))
            jid, answer = written.record["judgment"]["judgment_id"], None
        except PersistenceError as exc:
            jid, answer = exc.ids["judgment_id"], (exc.outcome, exc.step, repr(exc.__cause__))
        assert wp._conn is None or wp._conn.pgconn.socket >= 1024
        # the contract: 200 and stored; at the very least an `unknown` must end up stored (kept
        # in doubt, re-inserted by the next batch)
        nxt = new_write("next = 1")
        try:
            wp.write([nxt])
            nxt_answer = outcome_of(nxt)
        except Exception as exc:  # noqa: BLE001
            nxt_answer = repr(exc)
        seen = (answer, node.stored(jid), wp.in_doubt, nxt_answer)
        assert seen == (None, 1, 0, None)
    finally:
        node.service.write_path.close()
        fresh.close()
        old.close()
        next(gen, None)
        for fd in ballast:
            os.close(fd)


SLOWISH = """
CREATE FUNCTION slowish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(0.003);  -- 3 ms per row: a busy server, well inside a 50 ms share
    RETURN NEW;
END $$;
CREATE TRIGGER slowish BEFORE INSERT ON judgments FOR EACH ROW EXECUTE FUNCTION slowish();
"""


def test_records_retried_alone_are_not_refused_by_a_1ms_statement_timeout(node, caplog):
    """A batch of 40 with one record the server rejects: the records go alone, each with a
    share of max(left / n, MIN_ALONE_S) = 50 ms; _transaction then set statement_timeout to
    that share less SERVER_MARGIN_S (50 ms): max(1, int(≈ -0.1)) = 1 ms. A 3 ms INSERT (or any
    COMMIT slower than 1 ms) was cancelled by the server, and records the server would store
    well within the batch's budget were answered not_written."""
    ddl(node, REJECT)
    ddl(node, SLOWISH)
    bad = new_write("bad = 'REJECT_ME'")
    good = [new_write(f"good_{i} = {i}") for i in range(39)]
    started = time.monotonic()
    node.service.write_path.write([bad, *good])
    elapsed = time.monotonic() - started
    refused = [w for w in good if outcome_of(w) is not None]
    ids = {w.record_id for w in refused}
    causes = sorted(
        {
            r.getMessage().split("}: ", 1)[1][:60]
            for r in caplog.records
            if r.getMessage().startswith("write failed") and any(i in r.getMessage() for i in ids)
        }
    )
    assert outcome_of(bad) == "not_written"
    assert (len(refused), causes) == (0, []), f"after {elapsed:.2f} s of a 1.8 s budget"
    assert settle_open_transactions(node) == 0


@pytest.mark.parametrize("which", ["reject", "slow-cancel", "terminated"])
def test_an_error_that_arrives_after_the_poll_surfaces_at_commit(node, monkeypatch, which):
    """Held: the server's answer (an INSERT's error, a statement_timeout cancel, a terminated
    backend) arrives just after _said_something looked: psycopg reads it while sending COMMIT.
    reject: only the bad record fails; slow-cancel: all not_written, none stored; terminated:
    all unknown, kept in doubt, stored by the next batch."""
    from cynic_app.service import write_path
    from tests.service.test_review_24_sync import SLOW, mixed_batch, terminate_service_backends

    wp = node.service.write_path
    if which == "reject":
        ddl(node, REJECT)
        bad = new_write("late = 'REJECT_ME'")
    elif which == "slow-cancel":
        ddl(node, SLOW)
        bad = new_write("late = 'SLOW_ME'")
    else:
        bad = new_write("late_term = 1")
    batch = mixed_batch(f"late_{which}".replace("-", "_"), bad)
    real = write_path._said_something
    armed = [True]

    def late(conn):
        said = real(conn)
        if not armed[0]:
            return said
        armed[0] = False
        if which == "terminated":
            terminate_service_backends(node.url)
        deadline = time.monotonic() + 2.5
        while not real(conn) and time.monotonic() < deadline:
            time.sleep(0.005)
        return said

    monkeypatch.setattr(write_path, "_said_something", late)
    wp.write(batch)
    monkeypatch.setattr(write_path, "_said_something", real)
    outcomes = {w.record_id: outcome_of(w) for w in batch}

    def count(w):
        return stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)

    stored = {w.record_id: count(w) for w in batch}
    for w in batch:
        if outcomes[w.record_id] == "not_written":
            assert stored[w.record_id] == 0
            assert w.record_id in node.journaled()[1]
        if outcomes[w.record_id] is None:
            assert stored[w.record_id] == 1
    assert settle_open_transactions(node) == 0
    nxt = new_write("after_late = 1")
    wp.write([nxt])
    assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1


def test_an_unexpected_error_before_commit_leaves_the_batch_in_doubt(node, monkeypatch):
    """From the review's first finding: a bug raised inside the transaction (there, select's
    ValueError) left the batch's journaled records answered unknown but not in doubt, so no
    later batch stored them. They are now kept in doubt like the earlier ones."""
    from cynic_app.service import write_path

    def broken(conn):
        raise RuntimeError("a bug")

    monkeypatch.setattr(write_path, "_said_something", broken)
    w = new_write("bug = 1")
    with pytest.raises(RuntimeError):
        node.service.write_path.write([w])
    monkeypatch.undo()
    assert node.service.write_path.in_doubt == 1 and node.stored(w.record_id) == 0
    nxt = new_write("after_bug = 1")
    node.service.write_path.write([nxt])
    assert outcome_of(nxt) is None and node.service.write_path.in_doubt == 0
    assert node.stored(w.record_id) == node.stored(nxt.record_id) == 1
    assert settle_open_transactions(node) == 0
