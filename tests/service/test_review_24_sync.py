"""Adversarial review of a34c4ed: the INSERTs' results are read after the pipeline's sync, so
errors of the INSERTs surface at the pipeline's exit. Real PostgreSQL, real files."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.record import perception_record
from cynic_app.service import IdempotencyKey, utc_now
from cynic_app.service.writes import Write
from tests.service.test_write_path import (
    REJECT,
    WRITING_BACKENDS,
    key_held_by_another_transaction,
    make_node,
    new_write,
    open_transactions,
    outcome_of,
)

REJECT_PERCEPTIONS = """
CREATE FUNCTION reject_marked_p() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body->>'content' LIKE '%REJECT_P%' THEN
        RAISE EXCEPTION 'perception rejected by a check of the operator''s';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER reject_marked_p BEFORE INSERT ON perceptions FOR EACH ROW EXECUTE FUNCTION reject_marked_p();
"""

CHECK = """
ALTER TABLE judgments ADD CONSTRAINT no_check_me
    CHECK ((body->'cell'->>'content') NOT LIKE '%CHECK_ME%') NOT VALID;
"""

UNIQUE = "CREATE UNIQUE INDEX one_content ON judgments ((body->'cell'->>'content'))"

SLOW = """
CREATE FUNCTION slow_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body->'cell'->>'content' LIKE '%SLOW_ME%' THEN
        PERFORM pg_sleep(3);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER slow_marked BEFORE INSERT ON judgments FOR EACH ROW EXECUTE FUNCTION slow_marked();
"""


def ddl(node, sql: str) -> None:
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute(sql)


def new_perception(content: str, key: IdempotencyKey | None = None, *, with_judgment: bool = True) -> Write:
    cell = Cell.create(content=content)
    j = judge(cell, judgment_id=str(uuid.uuid4())).to_dict() if with_judgment else None
    fields = {
        "perception_id": str(uuid.uuid4()),
        "source": "review-rt",
        "reality": cell.reality,
        "content": cell.content,
        "context": cell.context,
        "time_dim": cell.time_dim,
    }
    return Write.of(perception_record(fields, j, utc_now(), key))


def stored_perception(node, pid: str) -> int:
    with psycopg.connect(node.url) as conn:
        return conn.execute("SELECT count(*) FROM perceptions WHERE perception_id = %s", (pid,)).fetchone()[0]


def key_owner(node, key: str) -> str | None:
    with psycopg.connect(node.url) as conn:
        row = conn.execute("SELECT record_id::text FROM idempotency_keys WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None


def slow_fsync(node, seconds: float) -> None:
    """The batch's next journal fsync (run in ``meanwhile``) takes a while: the server has run
    the INSERTs, and its answer (an error, flushed at once by the server) waits in the socket
    when the pipeline's sync is sent."""
    real = node.fs.fsync
    target = node.fs.fsyncs + 1

    def fsync(fd):
        if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
            time.sleep(seconds)
        real(fd)

    node.fs.fsync = fsync


def settle_open_transactions(node, within: float = 5.0) -> int:
    deadline = time.monotonic() + within
    while (left := open_transactions(node.url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def mixed_batch(tag: str, bad: Write) -> list[Write]:
    """Judgments and perceptions, with and without keys, and one bad record among them."""
    return [
        new_write(f"plain_{tag} = 1"),
        new_write(f"keyed_{tag} = 2", IdempotencyKey(f"k-j-{tag}", "fj")),
        bad,
        new_perception(f"perceived_{tag}"),
        new_perception(f"perceived_keyed_{tag}", IdempotencyKey(f"k-p-{tag}", "fp")),
        new_perception(f"bare_{tag}", with_judgment=False),
    ]


def check_only_bad_failed(node, batch: list[Write], bad: Write) -> None:
    for w in batch:
        if w is bad:
            assert outcome_of(w) == "not_written", outcome_of(w)
            assert w.record_id in node.journaled()[1]
        else:
            assert outcome_of(w) is None, (w.kind, outcome_of(w))
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == (0 if w is bad else 1), (w.kind, n)
        if w.idempotency is not None:
            assert key_owner(node, w.idempotency.key) == (None if w is bad else w.record_id)
    assert node.service.write_path.in_doubt == 0
    assert settle_open_transactions(node) == 0


@pytest.mark.parametrize("delay", [0.0, 0.2])
@pytest.mark.parametrize(
    "which",
    [
        "trigger-judgment",
        "trigger-judgment-keyed",
        "trigger-perception",
        "trigger-perception-keyed",
        "check",
        "unique",
    ],
)
def test_a_rejected_record_in_a_mixed_batch_fails_alone(node, which, delay):
    """The INSERT error surfaces at the pipeline's exit (with the error already waiting in the
    socket when delay > 0): only the bad record fails, each other is stored with its key."""
    tag = f"{which.replace('-', '_')}_{int(delay * 10)}"
    if which.startswith("trigger-judgment"):
        ddl(node, REJECT)
        key = IdempotencyKey(f"k-bad-{tag}", "fb") if which.endswith("keyed") else None
        bad = new_write(f"bad_{tag} = 'REJECT_ME'", key)
    elif which.startswith("trigger-perception"):
        ddl(node, REJECT_PERCEPTIONS)
        key = IdempotencyKey(f"k-bad-{tag}", "fb") if which.endswith("keyed") else None
        bad = new_perception(f"bad_{tag} REJECT_P", key)
    elif which == "check":
        ddl(node, CHECK)
        bad = new_write(f"bad_{tag} = 'CHECK_ME'")
    else:
        ddl(node, UNIQUE)
        node.service.write_path.write([new_write(f"dup_{tag} = 1")])
        bad = new_write(f"dup_{tag} = 1")
    batch = mixed_batch(tag, bad)
    if delay:
        slow_fsync(node, delay)
    node.service.write_path.write(batch)
    check_only_bad_failed(node, batch, bad)


def test_a_key_held_by_another_transaction_in_a_mixed_batch(node):
    """LockNotAvailable on the claim (read inside the pipeline): the records go alone, only the
    keyed perception fails; the connection is not left in the aborted transaction."""
    key = IdempotencyKey("k-held-p", "fp")
    with key_held_by_another_transaction(node.url, key, "perception"):
        bad = new_perception("held = 1", key)
        batch = mixed_batch("held", bad)
        node.service.write_path.write(batch)
    for w in batch:
        assert outcome_of(w) == ("not_written" if w is bad else None), (w.kind, outcome_of(w))
    assert stored_perception(node, bad.record_id) == 0
    assert settle_open_transactions(node) == 0
    # the kept connection is usable and clean: the next batch commits only its own record
    nxt = new_write("next = 1")
    node.service.write_path.write([nxt])
    assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1


def test_superseded_records_in_a_mixed_batch_with_a_rejected_one(node):
    """Keys already standing for other records (judgment and perception), beside a rejected
    record: superseded ones are answered with the earlier record, the rejected one fails."""
    ddl(node, REJECT)
    kj, kp = IdempotencyKey("k-sj", "fj"), IdempotencyKey("k-sp", "fp")
    first_j, first_p = new_write("sj = 1", kj), new_perception("sp", kp)
    node.service.write_path.write([first_j, first_p])
    assert outcome_of(first_j) is None and outcome_of(first_p) is None
    again_j, again_p = new_write("sj = 1", kj), new_perception("sp", kp)
    bad, plain = new_write("bad = 'REJECT_ME'"), new_perception("plain")
    slow_fsync(node, 0.2)
    node.service.write_path.write([again_j, bad, again_p, plain])
    assert outcome_of(bad) == "not_written"
    assert outcome_of(plain) is None and stored_perception(node, plain.record_id) == 1
    assert outcome_of(again_j) is None and again_j.earlier["judgment"]["judgment_id"] == first_j.record_id
    assert outcome_of(again_p) is None and again_p.earlier["perception_id"] == first_p.record_id
    assert node.stored(again_j.record_id) == 0 and stored_perception(node, again_p.record_id) == 0
    assert settle_open_transactions(node) == 0


def terminate_service_backends(url: str) -> int:
    """Terminate the backends of the service's open transactions, and return once they have exited.
    pg_terminate_backend only signals: a backend that has not yet sent its FATAL when the write path
    polls before its COMMIT leaves that COMMIT in doubt, as it should, which made the tests that
    terminate during the fsync fail at random on a busy machine (an honest 'unknown')."""
    with psycopg.connect(url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(f"SELECT pid {WRITING_BACKENDS}").fetchall()]
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 5
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)"
        while pids and conn.execute(alive, (pids,)).fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.005)
        return len(pids)


def test_a_backend_terminated_while_the_fsync_runs_is_retried(node):
    """pg_terminate_backend after the INSERTs ran, before the sync: nothing stored; retried on a
    fresh connection, stored once, acknowledged."""
    real, target, seen = node.fs.fsync, node.fs.fsyncs + 1, {}

    def fsync(fd):
        if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
            deadline = time.monotonic() + 1
            while not open_transactions(node.url) and time.monotonic() < deadline:
                time.sleep(0.005)
            seen["terminated"] = terminate_service_backends(node.url)
        real(fd)

    node.fs.fsync = fsync
    batch = mixed_batch("term", new_write("term_extra = 3"))
    node.service.write_path.write(batch)
    assert seen["terminated"] == 1
    for w in batch:
        assert outcome_of(w) is None
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == 1
    assert settle_open_transactions(node) == 0


def test_a_backend_terminated_after_the_sync_before_commit(node):
    """Terminated after the results came back, before COMMIT: the outcome is unknown (the COMMIT
    fails), kept in doubt, and the next batch resolves it as committed."""
    wp = node.service.write_path

    def before_commit(conn):
        wp.before_commit = None
        assert terminate_service_backends(node.url) == 1
        time.sleep(0.1)

    wp.before_commit = before_commit
    batch = mixed_batch("term2", new_write("term2_extra = 3"))
    wp.write(batch)
    outcomes = {outcome_of(w) for w in batch}
    assert outcomes in ({"unknown"}, {"not_written"}), outcomes
    if outcomes == {"unknown"}:
        assert wp.in_doubt == len(batch)
        nxt = new_write("after = 1")
        wp.write([nxt])
        assert outcome_of(nxt) is None and wp.in_doubt == 0
        for w in batch:
            n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
            assert n == 1
    assert settle_open_transactions(node) == 0


def test_the_deadline_cuts_the_connection_during_the_sync(node):
    """The server runs a slow INSERT (3 s) past the batch's budget: the client-side deadline cuts
    the connection while the pipeline's sync waits. Nothing is stored, ever: not_written with
    abort records; the backend, once it notices, rolls back."""
    ddl(node, SLOW)
    batch = mixed_batch("slow", new_write("slow = 'SLOW_ME'"))
    started = time.monotonic()
    node.service.write_path.write(batch)
    assert time.monotonic() - started < 2.5
    for w in batch:
        assert outcome_of(w) == "not_written", (w.kind, outcome_of(w))
        assert w.record_id in node.journaled()[1]
    time.sleep(3.5)  # the slow backend finishes its INSERT and finds its client gone
    assert settle_open_transactions(node) == 0
    for w in batch:
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == 0
    nxt = new_write("after_slow = 1")
    node.service.write_path.write([nxt])
    assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1


def test_statement_timeout_fails_only_the_record_it_stops(config):
    """statement_timeout (the server's; behind PgBouncer, the role's) fires on the INSERT of a
    batch: QueryCanceled at the pipeline's exit. It was taken for a lost connection: the batch
    was retried whole, then all six records answered not_written. The server refused the
    transaction, not the connection: the records go alone, and only the one that cannot be
    stored within the timeout fails."""
    gen = make_node(config, statement_timeout_ms=300)
    node = next(gen)
    try:
        ddl(node, SLOW)
        bad = new_write("slow = 'SLOW_ME'")  # pg_sleep(3) > 300 ms: it can never be stored
        batch = mixed_batch("stmt", bad)
        node.service.write_path.write(batch)
        check_only_bad_failed(node, batch, bad)
        nxt = new_write("after_stmt = 1")
        node.service.write_path.write([nxt])
        assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1
    finally:
        next(gen, None)


def test_fsync_failure_with_a_rejected_statement_is_unknown_and_rolled_back(node):
    """The journal fsync fails in ``meanwhile`` and the INSERT is rejected (error at the
    pipeline's exit): unknown/journal, retired, nothing stored, no transaction left open."""
    ddl(node, REJECT)
    real, target = node.fs.fsync, node.fs.fsyncs + 1

    def fsync(fd):
        if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
            time.sleep(0.1)
            node.fs.fail_fsync_at = target
        real(fd)

    node.fs.fsync = fsync
    bad = new_write("bad = 'REJECT_ME'")
    batch = mixed_batch("fsyncrej", bad)
    node.service.write_path.write(batch)
    for w in batch:
        assert (outcome_of(w), w.error.step) == ("unknown", "journal")
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == 0
    assert node.retired == [True]
    assert settle_open_transactions(node) == 0


def test_two_writers_racing_on_perception_keys_in_batches(config):
    """Two write paths send mixed batches whose keyed records share keys: each key's record is
    stored once; the other is answered with it or not_written."""
    nodes = [make_node(config), make_node(config, start_up=False)]
    a, b = (next(n) for n in nodes)
    try:
        for round_ in range(8):
            kp = IdempotencyKey(f"k-rp-{round_}", "fp")
            kj = IdempotencyKey(f"k-rj-{round_}", "fj")
            pairs = []
            for _ in range(2):
                pair = [new_perception(f"rp_{round_}", kp), new_write(f"rj_{round_} = 1", kj)]
                pairs.append([*pair, new_write(f"f_{round_}")])
            barrier = threading.Barrier(2)

            def send(node, batch, barrier=barrier):
                barrier.wait()
                node.service.write_path.write(batch)

            threads = [threading.Thread(target=send, args=p) for p in zip((a, b), pairs, strict=True)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for idx in (0, 1):
                ws = [pairs[0][idx], pairs[1][idx]]
                kind = ws[0].kind
                count = (
                    (lambda w: stored_perception(a, w.record_id))
                    if kind == "perception"
                    else (lambda w: a.stored(w.record_id))
                )
                stored = [w.record_id for w in ws if count(w)]
                assert len(stored) == 1, (round_, kind, stored, [outcome_of(w) for w in ws])
                for w in ws:
                    assert outcome_of(w) in (None, "not_written")
            for w in (pairs[0][2], pairs[1][2]):
                assert outcome_of(w) is None and a.stored(w.record_id) == 1
        assert settle_open_transactions(a) == 0
    finally:
        for n in nodes:
            next(n, None)


@pytest.mark.parametrize("keyed", [False, True])
def test_the_kept_connection_terminated_between_batches(node, keyed):
    """The write path's kept connection was terminated while idle: the next batch's BEGIN and
    INSERTs go out on it, the error comes back (at the claim read, or at the pipeline's exit);
    nothing was stored, the batch is retried on a fresh connection and acknowledged."""
    wp = node.service.write_path
    assert wp._conn is not None
    with psycopg.connect(node.url, autocommit=True) as conn:
        pid = wp._conn.info.backend_pid
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    time.sleep(0.2)
    plain = [new_write("a = 1"), new_perception("b")]
    batch = mixed_batch(f"idle_{keyed}", new_write("idle = 1")) if keyed else plain
    wp.write(batch)
    for w in batch:
        assert outcome_of(w) is None
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == 1
    assert wp._conn.info.backend_pid != pid
    assert settle_open_transactions(node) == 0


def test_a_backend_terminated_while_its_claim_waits_for_a_key(node):
    """Terminated while the claim waits on a key another transaction holds: retried on a fresh
    connection, which waits KEY_WAIT_S and then sends the records alone."""
    key = IdempotencyKey("k-held-term", "fj")
    with key_held_by_another_transaction(node.url, key, "judgment"):
        bad = new_write("held_term = 1", key)
        batch = mixed_batch("held_term", bad)

        def terminator():
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline:
                with psycopg.connect(node.url, autocommit=True) as c:
                    n = c.execute(
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND application_name = 'cynic_app'"
                        " AND wait_event_type = 'Lock') t"
                    ).fetchone()[0]
                if n:
                    return
                time.sleep(0.01)

        t = threading.Thread(target=terminator)
        t.start()
        node.service.write_path.write(batch)
        t.join()
    for w in batch:
        assert outcome_of(w) == ("not_written" if w is bad else None), (w.kind, outcome_of(w))
    assert node.stored(bad.record_id) == 0
    assert settle_open_transactions(node) == 0


def test_the_second_attempt_meets_a_rejected_statement_at_the_sync(node):
    """Attempt 1 loses its connection before COMMIT; attempt 2 (fresh connection) has the
    server reject one record at the pipeline's exit: records go alone, only the bad one fails."""
    ddl(node, REJECT)
    bad = new_write("second_bad = 'REJECT_ME'")
    batch = mixed_batch("second", bad)
    node.pool.fail_next("before_commit")
    slow_fsync(node, 0.1)
    node.service.write_path.write(batch)
    check_only_bad_failed(node, batch, bad)


def test_the_second_attempt_meets_a_held_key(node):
    key = IdempotencyKey("k-held-2nd", "fj")
    with key_held_by_another_transaction(node.url, key, "judgment"):
        bad = new_write("held2 = 1", key)
        batch = mixed_batch("held2", bad)
        node.pool.fail_next("before_commit")
        node.service.write_path.write(batch)
    for w in batch:
        assert outcome_of(w) == ("not_written" if w is bad else None), (w.kind, outcome_of(w))
    assert settle_open_transactions(node) == 0


def test_lock_timeout_on_the_insert_itself_surfaces_at_the_sync(node):
    """An operator's lock_timeout (database default) and a counter row another transaction
    holds: the INSERT (not the claim) fails with LockNotAvailable at the pipeline's exit. The
    transaction is rolled back, nothing is stored, all answers say so, no transaction is left."""
    with psycopg.connect(node.url, autocommit=True) as conn:
        dbname = conn.info.dbname
        conn.execute(f"ALTER DATABASE \"{dbname}\" SET lock_timeout = '100ms'")
    node.pool._pool.close()  # new connections pick the setting up
    from cynic_app.store.pool import make_pool

    fresh = make_pool(node.url, min_size=1, max_size=4, timeout_s=1.0)
    fresh.open(wait=True)
    node.pool._pool = fresh
    node.service.write_path._conn = None
    try:
        from cynic_app.store.rows import shard_of

        shard = shard_of(node.journal.name)
        with psycopg.connect(node.url, autocommit=True) as holder:
            holder.execute("BEGIN")
            holder.execute("UPDATE state_counters SET n = n WHERE shard = %s", (shard,))
            batch = mixed_batch("lockins", new_write("lockins = 1"))
            node.service.write_path.write(batch)
            holder.execute("ROLLBACK")
        for w in batch:
            counted = w.judgment is not None  # a perception without a judgment touches no counter
            assert outcome_of(w) == ("not_written" if counted else None), (w.kind, outcome_of(w))
            n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
            assert n == (0 if counted else 1)
        assert settle_open_transactions(node) == 0
        nxt = new_write("after_lock = 1")
        node.service.write_path.write([nxt])
        assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1
    finally:
        node.service.write_path.close()
        fresh.close()


def test_meanwhile_raising_leaves_no_transaction_for_the_next_batch(node, monkeypatch):
    """``meanwhile`` raises (it MUST NOT; a bug): the batch's transaction ends with its
    connection and its records are not answered 200; they stay in doubt (journaled and
    fsynced: the review of a2ff5a8), so the next batch, in a transaction of its own, resolves
    them as committed: each stored once."""
    wp = node.service.write_path
    real = wp._prepare_guidance
    armed = [True]

    def prepare(writes):
        if armed[0]:
            armed[0] = False
            raise RuntimeError("a bug in meanwhile")
        return real(writes)

    monkeypatch.setattr(wp, "_prepare_guidance", prepare)
    batch = mixed_batch("mw", new_write("mw = 1"))
    with pytest.raises(RuntimeError):
        wp.write(batch)
    assert settle_open_transactions(node) == 0
    assert wp.in_doubt == len(batch)  # GroupCommit answers them unknown (internal)
    nxt = new_write("after_mw = 1")
    wp.write([nxt])
    assert outcome_of(nxt) is None and node.stored(nxt.record_id) == 1 and wp.in_doubt == 0
    for w in batch:
        n = stored_perception(node, w.record_id) if w.kind == "perception" else node.stored(w.record_id)
        assert n == 1


def test_statements_skipped_in_refused_batches_are_not_taken_for_prepared(node):
    """psycopg prepares a statement on its fifth execution (prepare_threshold); when that
    execution is one the server skipped (the pipeline was aborted by an earlier error), psycopg
    still counted it as prepared, and every later batch with perceptions failed with 'prepared
    statement "_pg3_N" does not exist' on that connection. Reproduced: the third refused batch
    here did it. The write path now rolls a refused transaction back with conn.rollback(), which
    also clears psycopg's cache of prepared statements and the server's."""
    ddl(node, REJECT)
    wp = node.service.write_path
    for r in range(6):
        good = new_perception(f"kept_{r}")
        wp.write([new_write(f"bad_{r} = 'REJECT_ME'"), good])
        assert outcome_of(good) is None, (r, good.error)
        assert stored_perception(node, good.record_id) == 1
    batch = [new_write("plain_after = 1"), new_perception("perceived_after")]
    wp.write(batch)
    assert [outcome_of(w) for w in batch] == [None, None]
    assert settle_open_transactions(node) == 0
