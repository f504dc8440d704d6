"""Adversarial review of b1c4421 (alone retries share the batch's deadline; QueryCanceled is a
refusal before COMMIT and a doubt after it). Three of these failed on b1c4421 and pass since
the records retried alone go keyless first, each with a share of the time left, and those
refused are aborted together. Real PostgreSQL, real files."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import psycopg

from cynic_app.service import IdempotencyKey
from tests.service.test_review_24_sync import SLOW, check_only_bad_failed, ddl, mixed_batch
from tests.service.test_write_path import (
    REJECT,
    SLOW_ALONE,
    commit_cut_off,
    key_held_by_another_transaction,
    make_node,
    new_write,
    outcome_of,
    replay,
)

#: A check the operator runs at COMMIT (a deferred constraint trigger): slow for one record.
SLOW_AT_COMMIT = """
CREATE FUNCTION slow_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body->'cell'->>'content' LIKE '%SLOW_AT_COMMIT%' THEN
        PERFORM pg_sleep(3);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER slow_at_commit AFTER INSERT ON judgments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION slow_at_commit();
"""


def no_lies(node, config, writes) -> None:
    """Recovery settles the home: each not_written record has its abort record and is absent."""
    aborted = node.journaled()[1]
    node.journal.close()
    node.service.write_path.close()
    replay(config)
    for w in writes:
        if outcome_of(w) == "not_written":
            assert w.record_id in aborted and node.stored(w.record_id) == 0, w.record_id
        elif outcome_of(w) is None and w.kind == "judgment":
            assert node.stored(w.record_id) == 1


def run(wp, batch):
    """wp.write as group_commit runs it: afterwards every write of the batch is done."""
    wp.write(batch)
    for w in batch:
        w.done = True


def test_a_cancel_during_the_commit_is_in_doubt_and_recovery_agrees(config):
    """pg_cancel_backend while COMMIT runs a deferred check: QueryCanceled after COMMIT was
    sent. (statement_timeout cannot fire there: the server disables it before committing.)"""
    gen = make_node(config)
    node = next(gen)
    try:
        ddl(node, SLOW_AT_COMMIT)
        wp = node.service.write_path
        bad, ok = new_write("x = 'SLOW_AT_COMMIT'"), new_write("ok = 1")
        with cancelling(node.url, "query = 'COMMIT' AND wait_event = 'PgSleep'") as seen:
            run(wp, [bad, ok])
        assert seen, "no cancel was sent"
        assert (outcome_of(bad), outcome_of(ok), wp.in_doubt) == ("unknown", "unknown", 2)
        assert node.stored(bad.record_id) == node.stored(ok.record_id) == 0
        aborted = node.journaled()[1]
        assert bad.record_id not in aborted and ok.record_id not in aborted
        ddl(node, "DROP TRIGGER slow_at_commit ON judgments")
        nxt = new_write("next = 1")
        run(wp, [nxt])
        assert outcome_of(nxt) is None and wp.in_doubt == 0
        assert node.stored(bad.record_id) == node.stored(ok.record_id) == 1
    finally:
        next(gen, None)


def test_records_the_deadline_leaves_no_time_for_answer_at_once(node):
    """The batch is rejected and the first record alone stalls until the deadline: every other
    record is not_written 'at once' (b1c4421) - but each with an abort record fsynced on its
    own, one after another, past the deadline."""
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute(REJECT)
        conn.execute(SLOW_ALONE)
    wp = node.service.write_path
    wp.budget_s = 0.8
    real = node.fs.fsync

    def fsync(fd):  # a disk that takes 50 ms per fsync (the batch's own one included)
        time.sleep(0.05)
        real(fd)

    node.fs.fsync = fsync
    writes = [new_write(f"ok_{i} = {i}") for i in range(15)] + [new_write("bad = 'REJECT_ME'")]
    started = time.monotonic()
    wp.write(writes)
    took = time.monotonic() - started
    assert [outcome_of(w) for w in writes] == ["not_written"] * len(writes)
    assert {w.record_id for w in writes} <= node.journaled()[1]
    assert all(node.stored(w.record_id) == 0 for w in writes)
    assert took < 1.5 * wp.budget_s, f"answered after {took:.2f} s for a {wp.budget_s} s budget"


def test_held_keys_fail_only_their_own_records(node, config):
    """KEY_WAIT_S: 'past it the batch is refused and its records go alone, so only the keyed
    record fails'. With seven keys held by other transactions, each alone waits 0.25 s: the
    shared deadline runs out and the plain record, which nothing stops, is not_written too."""
    keys = [IdempotencyKey(f"held-{i}", f"f{i}") for i in range(7)]
    keyed = [new_write(f"keyed_{i} = {i}", k) for i, k in enumerate(keys)]
    plain = new_write("plain = 1")
    with ExitStack() as stack:
        for k in keys:
            stack.enter_context(key_held_by_another_transaction(node.url, k))
        started = time.monotonic()
        node.service.write_path.write(keyed + [plain])
        took = time.monotonic() - started
    no_lies(node, config, keyed + [plain])  # holds: the answers are true
    assert all(outcome_of(w) == "not_written" for w in keyed)
    assert outcome_of(plain) is None and node.stored(plain.record_id) == 1, (outcome_of(plain), took)


def test_doubt_stays_in_doubt_when_the_deadline_runs_out_between_alone_retries(node, config):
    """A record in doubt (COMMIT cut off) rides with a rejected batch whose first record alone
    stalls until the deadline: the new ones are not_written with abort records, the one in
    doubt stays in doubt (no abort record), and recovery applies it."""
    wp = node.service.write_path
    commit_cut_off(node)
    doubt = new_write("doubt = 1")
    run(wp, [doubt])
    assert outcome_of(doubt) == "unknown" and wp.in_doubt == 1
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute(REJECT)
        conn.execute(SLOW_ALONE)
    wp.budget_s = 0.8
    writes = [new_write("bad = 'REJECT_ME'")] + [new_write(f"ok_{i} = {i}") for i in range(3)]
    run(wp, writes)
    assert [outcome_of(w) for w in writes] == ["not_written"] * 4
    assert outcome_of(doubt) == "unknown" and wp.in_doubt == 1
    aborted = node.journaled()[1]
    assert {w.record_id for w in writes} <= aborted and doubt.record_id not in aborted
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER slow_alone ON judgments")
        conn.execute("DROP TRIGGER reject_marked ON judgments")
    node.journal.close()
    node.service.write_path.close()
    replay(config)
    assert node.stored(doubt.record_id) == 1
    assert all(node.stored(w.record_id) == 0 for w in writes)


@contextmanager
def cancelling(url: str, predicate: str) -> Iterator[list]:
    """While the block runs, another session cancels the service's backend once it matches
    predicate; yields the cancels sent (one at most).

    A predicate MUST hold only while the backend executes (waits on a lock, sleeps in a
    trigger): PostgreSQL ignores a cancel that reaches a backend reading its next message, and
    a pipelined statement shows as active with its text from its Parse on, before its Execute
    has arrived (5 of 80 runs under load cancelled in that window, wait_event ClientRead, and
    the statement ran on to the statement timeout)."""
    done, seen = threading.Event(), []
    thread = threading.Thread(target=cancel_when, args=(url, predicate, done, seen))
    thread.start()
    try:
        yield seen
    finally:
        done.set()
        thread.join()


def cancel_when(url: str, predicate: str, done: threading.Event, seen: list) -> None:
    """Another session: pg_cancel_backend the service's backend once it matches predicate."""
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not done.is_set():
            row = conn.execute(
                "SELECT pid, pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                f" AND application_name = 'cynic_app' AND state = 'active' AND {predicate} LIMIT 1"
            ).fetchone()
            if row:
                seen.append(row)
                return
            time.sleep(0.002)


def test_a_cancel_during_the_key_claim_fails_only_the_held_key(node):
    tag = "cclaim"
    batch = mixed_batch(tag, bad := new_write(f"held_{tag} = 1", IdempotencyKey("held-c", "fh")))
    with key_held_by_another_transaction(node.url, bad.idempotency):
        with cancelling(node.url, "wait_event_type = 'Lock'") as seen:
            node.service.write_path.write(batch)
    assert seen, "no cancel was sent"
    check_only_bad_failed(node, batch, bad)


def test_a_cancel_during_the_inserts_fails_only_the_slow_record(node, config):
    ddl(node, SLOW)
    bad = new_write("slow = 'SLOW_ME'")
    batch = mixed_batch("cins", bad)
    with cancelling(node.url, "query LIKE '%INSERT%' AND wait_event = 'PgSleep'") as seen:
        node.service.write_path.write(batch)
    assert seen, "no cancel was sent"
    no_lies(node, config, batch)  # holds: the answers are true
    assert [outcome_of(w) for w in batch] == [None, None, "not_written", None, None, None]
