"""Every outcome of the write path, table-driven: a fault at each step, the answer the client
gets, and what the journal and PostgreSQL hold afterwards."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
import psycopg
import pytest

from cynic_app.durability.guidance import GuidanceWriter, read_guidance
from cynic_app.durability.journal import Clock, JournalWriter, scan
from cynic_app.durability.journal.reader import records
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.perception import Perception
from cynic_app.node.open import settle_node as replay
from cynic_app.record import judgment_record
from cynic_app.service import IdempotencyKey, PersistenceError, Service, utc_now
from cynic_app.service.write_path import WritePath
from cynic_app.service.writes import Write
from cynic_app.store.pool import make_pool
from cynic_app.store.rows import shard_of
from tests.support.faults import FailingFS, FaultyPool

REJECT = """
CREATE FUNCTION reject_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body->'cell'->>'content' LIKE '%REJECT_ME%' THEN
        RAISE EXCEPTION 'rejected by a check of the operator''s';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER reject_marked BEFORE INSERT ON judgments FOR EACH ROW EXECUTE FUNCTION reject_marked();
"""


@dataclass
class Node:
    service: Service
    fs: FailingFS
    pool: FaultyPool
    journal: JournalWriter
    url: str
    retired: list

    def stored(self, judgment_id: str) -> int:
        with psycopg.connect(self.url) as conn:
            return conn.execute(
                "SELECT count(*) FROM judgments WHERE judgment_id = %s", (judgment_id,)
            ).fetchone()[0]

    def journaled(self) -> tuple[list[str], set[str]]:
        scanned = scan(self.journal.directory, repair=False)
        return [r.id for r in records(scanned) if r.kind != "abort"], scanned.aborted


def make_node(config, *, start_up=True, clock=None, statement_timeout_ms: int = 5000):
    """A node's service with a fault-injecting pool and file system (start_up: recover the
    home first, as a new process would; False for a second writer beside a live one)."""
    if start_up:
        replay(config)
    fs, clock, retired = FailingFS(), clock or Clock(), []
    pool = make_pool(
        config.database_url, min_size=1, max_size=4, timeout_s=1.0, statement_timeout_ms=statement_timeout_ms
    )
    pool.open(wait=True)
    journal = JournalWriter(config.journal_dir, fs=fs, clock=clock)
    service = Service(
        journal=journal,
        pool=FaultyPool(pool),
        guidance=GuidanceWriter(config.home, fs=fs, clock=clock),
        node="n",
        memory_ttl_s=3600,  # loaded once, below: a fault aimed at a write never hits a memory read
        on_journal_failure=lambda: retired.append(True),
    )
    service.judge(Cell.create(content="warm_up = 0"))  # the journal exists; the faults hit the next write
    yield Node(service, fs, service.pool, journal, config.database_url, retired)
    journal.close()
    pool.close()


def no_fault(node):
    pass


def no_connection(node):
    node.pool.fail_next("connect")


def drops_before_commit(node):
    node.pool.fail_next("before_commit")  # nothing committed: retried on a fresh connection


def drops_and_stays_down(node):
    node.pool.fail_next("before_commit", "connect")


def commit_cut_off(node):
    node.pool.fail_next("during_commit")


def server_rejects(node):
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute(REJECT)


def abort_not_writable(node):
    node.pool.fail_next("connect")
    node.fs.fail_write_at = node.fs.writes + 2  # 1: the record, 2: its abort record


def abort_fsync_fails(node):
    node.pool.fail_next("connect")
    node.fs.fail_fsync_at = node.fs.fsyncs + 2  # 1: the record's, 2: its abort record's


def guidance_not_writable(node):
    node.fs.fail_write_at = node.fs.writes + 2  # 1: the journal line, 2: guidance.json's temp file


def journal_not_writable(node):
    node.fs.fail_write_at = node.fs.writes + 1


def journal_fsync_fails(node):
    node.fs.fail_fsync_at = node.fs.fsyncs + 1


def journal_cut_fails(node):
    """The write fails part-way and cutting the partial bytes off fails too: the writer is
    poisoned, and whatever reached the disk is recovery's to find."""
    node.fs.fail_write_at = node.fs.writes + 1
    node.fs.fail_truncate = True


#: fault, outcome (None: 200), step, rows stored now, record journaled, abort journaled,
#: records left in doubt, the worker retires
CASES = [
    (no_fault, None, None, 1, True, False, 0, False),
    (no_connection, "not_written", "database", 0, True, True, 0, False),
    (drops_before_commit, None, None, 1, True, False, 0, False),
    (drops_and_stays_down, "not_written", "database", 0, True, True, 0, False),
    (commit_cut_off, "unknown", "database", 0, True, False, 1, False),
    (server_rejects, "not_written", "database", 0, True, True, 0, False),
    (abort_not_writable, "unknown", "database", 0, True, False, 1, False),
    (abort_fsync_fails, "unknown", "journal", 0, True, True, 0, True),
    (guidance_not_writable, "written", "guidance", 1, True, False, 0, False),
    (journal_not_writable, "not_written", "journal", 0, False, False, 0, False),
    (journal_fsync_fails, "unknown", "journal", 0, True, False, 0, True),
    (journal_cut_fails, "unknown", "journal", 0, False, False, 0, True),
]


@pytest.mark.parametrize(
    ("fault", "outcome", "step", "stored", "journaled", "aborted", "doubt", "retires"),
    CASES,
    ids=[c[0].__name__ for c in CASES],
)
def test_each_fault_gets_the_truth_and_leaves_the_journal_saying_the_same(
    node, fault, outcome, step, stored, journaled, aborted, doubt, retires
):
    fault(node)
    content = "x = 'REJECT_ME'" if fault is server_rejects else "x = 1"
    try:
        written = node.service.judge(Cell.create(content=content))
        jid, answered = written.record["judgment"]["judgment_id"], (None, None)
    except PersistenceError as exc:
        jid, answered = exc.ids["judgment_id"], (exc.outcome, exc.step)
    assert answered == (outcome, step)
    assert node.stored(jid) == stored
    ids, aborts = node.journaled()
    assert (jid in ids, jid in aborts) == (journaled, aborted)
    assert node.service.write_path.in_doubt == doubt
    assert bool(node.retired) == retires


def test_a_record_in_doubt_is_resolved_as_committed_by_the_next_batch(node):
    commit_cut_off(node)
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="x = 1"))
    doubtful = err.value.ids["judgment_id"]
    assert node.stored(doubtful) == 0
    node.service.judge(Cell.create(content="y = 2"))  # rides along with this batch's transaction
    assert node.stored(doubtful) == 1 and node.service.write_path.in_doubt == 0


def test_a_retry_of_a_written_answer_makes_guidance_name_it(node):
    """Review finding: the first attempt stored the judgment but guidance.json failed (written);
    the retry with the same key answered 200 while guidance.json named an older judgment."""
    key = IdempotencyKey("k-guidance", "f")
    guidance_not_writable(node)
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="x = 1"), idempotency=key)
    assert err.value.outcome == "written"
    retry = node.service.judge(Cell.create(content="x = 1"), idempotency=key)
    assert retry.replayed
    doc = read_guidance(node.service.guidance.path)
    assert doc["judgment_id"] == err.value.ids["judgment_id"] == retry.record["judgment"]["judgment_id"]


def test_a_key_taken_in_the_same_batch_affects_only_its_own_record(node):
    """Many requests in one batch, two with the same key: one record is stored for the key, and
    the others of the batch are stored as if nothing happened."""
    barrier, results = threading.Barrier(8), {}
    key = IdempotencyKey("k-batch", "same-body")

    def request(i):
        barrier.wait()
        written = node.service.judge(Cell.create(content=f"v_{i} = {i}"), idempotency=key if i < 2 else None)
        results[i] = (written.record["judgment"]["judgment_id"], written.replayed)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keyed = {results[0][0], results[1][0]}
    assert len(keyed) == 1 and sorted(r for _, r in (results[0], results[1])) == [False, True]
    assert all(node.stored(results[i][0]) == 1 for i in range(8))
    ids, aborts = node.journaled()
    assert len(aborts) == 1 and aborts <= set(ids)  # the loser's record, aborted


def test_records_in_doubt_never_make_a_write_wait_longer_with_the_database_down(config, private_pg):
    """Review finding: each record in doubt was retried alone, waiting up to 0.25 s for a
    connection, before every write: with 16 in doubt and PostgreSQL down a write took 5 s."""

    node = next(make_node(config.with_overrides(database_url=private_pg.url)))
    try:
        for i in range(12):
            commit_cut_off(node)
            with pytest.raises(PersistenceError):
                node.service.judge(Cell.create(content=f"doubt_{i} = {i}"))
        assert node.service.write_path.in_doubt == 12
        private_pg.stop()
        started = time.monotonic()
        with pytest.raises(PersistenceError) as err:
            node.service.judge(Cell.create(content="y = 2"))
        assert err.value.outcome == "not_written" and time.monotonic() - started < 2.0
        assert node.service.write_path.in_doubt == 12
        private_pg.start()
        deadline = time.monotonic() + 10
        while node.service.resolve_doubt():
            assert time.monotonic() < deadline, "records in doubt not settled after PostgreSQL returned"
            time.sleep(0.2)
    finally:
        node.journal.close()
        node.pool.close()


def new_write(content: str, key: IdempotencyKey | None = None):
    """A judgment on its way to the write path, as Service.judge sends it once its key lookup
    found nothing (so a key can be taken by another worker in between, as here)."""
    return Write.of(
        judgment_record(
            judge(Cell.create(content=content), judgment_id=str(uuid.uuid4())).to_dict(), utc_now(), key
        )
    )


def outcome_of(write) -> str | None:
    return write.error.outcome if isinstance(write.error, PersistenceError) else write.error


def test_a_torn_batch_that_cannot_be_cut_is_unknown_for_recovery_may_apply_it(node, config):
    """Review finding: the disk filled half-way through a batch's one write (its first line
    complete, checksum valid) and the cut failed; all three were answered not_written, yet
    settling the retired worker's journal stored the complete one."""
    writes = [new_write(f"v_{i} = {i}") for i in range(3)]
    journal_cut_fails(node)
    node.service.write_path.write(writes)
    assert [outcome_of(w) for w in writes] == ["unknown"] * 3 and node.retired
    node.journal.close()  # the worker exits; the master settles its journal
    replay(config)
    assert sorted(node.stored(w.record_id) for w in writes) == [0, 0, 1]  # why not_written was a lie


def test_a_superseded_record_is_answered_as_its_keys_record_even_when_that_cannot_be_read(node):
    """Review finding: another worker committed the key between this request's lookup and its
    batch; reading the key's record then failed, and the request got a 200 as itself — a
    judgment that is aborted and never stored."""
    key = IdempotencyKey("k-race", "same-body")
    owner = node.service.judge(Cell.create(content="first = 1"), idempotency=key).record["judgment"]
    loser = new_write("first = 1", key)
    node.pool.fail_next("busy")  # no connection free for reading the key's record back
    node.service.write_path.write([loser])
    assert outcome_of(loser) == "written" and loser.error.ids == {"judgment_id": owner["judgment_id"]}
    assert loser.record_id in node.journaled()[1] and node.stored(loser.record_id) == 0
    assert node.stored(owner["judgment_id"]) == 1


def test_written_for_a_superseded_record_names_the_stored_one(node):
    """Review finding: the key's record was answered written (guidance.json failed); a racing
    retry with the key was superseded and, guidance.json failing again, answered written with
    its own, aborted judgment_id: GET /judge/<id> would be a 404."""
    key = IdempotencyKey("k-written", "same-body")
    guidance_not_writable(node)
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="first = 1"), idempotency=key)
    owner = err.value.ids["judgment_id"]
    loser = new_write("first = 1", key)
    # 1: its line, 2: the version of guidance.json prepared for it (not installed: superseded),
    # 3: its abort, 4: guidance.json naming the key's record
    node.fs.fail_write_at = node.fs.writes + 4
    node.service.write_path.write([loser])
    assert outcome_of(loser) == "written" and loser.error.ids["judgment_id"] == owner
    assert node.stored(owner) == 1


def test_a_retry_of_a_written_perception_makes_guidance_name_its_judgment(node):
    """Review finding: as test_a_retry_of_a_written_answer_makes_guidance_name_it, for
    /perceive: a stored perception came back without its judgment's position, so guidance.json
    was left naming an older judgment while the retry answered 200."""
    key = IdempotencyKey("k-perceive", "f")
    p = Perception(source="review", cell=Cell.create(content="x = 1"), run_judgment=True, level="MICRO")
    guidance_not_writable(node)
    with pytest.raises(PersistenceError) as err:
        node.service.perceive(p, idempotency=key)
    assert err.value.outcome == "written"
    retry = node.service.perceive(p, idempotency=key)
    jid = err.value.ids["judgment_id"]
    assert retry.replayed and retry.record["judgment"]["judgment_id"] == jid
    assert read_guidance(node.service.guidance.path)["judgment_id"] == jid


SLOW_ALONE = """
CREATE FUNCTION slow_alone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM inserted) = 1 THEN
        PERFORM pg_sleep(5);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER slow_alone AFTER INSERT ON judgments REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION slow_alone();
"""


def test_records_retried_alone_share_what_is_left_of_the_batch_budget(node):
    """A batch the server rejects is retried record by record, and each retry was given the
    batch's whole remaining budget: when the server then stalls on every record alone, a batch
    of four was answered after three budgets (2.4 s for a 0.8 s budget) where a request answers
    within about its budget (two seconds by default). The retries share the batch's deadline:
    those it leaves no time for are not_written at once (with their abort records)."""
    with psycopg.connect(node.url, autocommit=True) as conn:
        conn.execute(REJECT)
        conn.execute(SLOW_ALONE)
    wp = node.service.write_path
    wp.budget_s = 0.8
    writes = [new_write(f"ok_{i} = {i}") for i in range(3)] + [new_write("bad = 'REJECT_ME'")]
    started = time.monotonic()
    wp.write(writes)
    took = time.monotonic() - started
    assert [outcome_of(w) for w in writes] == ["not_written"] * 4
    assert all(node.stored(w.record_id) == 0 for w in writes)
    assert {w.record_id for w in writes} <= node.journaled()[1]  # each has its abort record
    assert took < 1.5 * wp.budget_s, f"answered after {took:.2f} s for a {wp.budget_s} s budget"


def test_a_key_another_transaction_holds_fails_only_its_own_record(node):
    """Review finding: another worker's transaction claimed key K and had not finished; a batch
    holding a retry with K and an unrelated record waited on K until its deadline, and both were
    answered not_written. Now the batch waits KEY_WAIT_S, then its records go alone."""
    key = IdempotencyKey("k-held", "same-body")
    with key_held_by_another_transaction(node.url, key):
        keyed, plain = new_write("k = 1", key), new_write("unrelated = 2")
        node.service.write_path.write([keyed, plain])
    assert outcome_of(plain) is None and node.stored(plain.record_id) == 1
    assert outcome_of(keyed) == "not_written" and node.stored(keyed.record_id) == 0
    assert keyed.record_id in node.journaled()[1]  # its abort: recovery never applies it


def test_two_writers_racing_on_one_key_store_it_once_and_acknowledge_only_that(config):
    """Two processes' write paths (each its own journal and connection) send a record with the
    same key at the same moment, after both found the key unused: the key's record is stored
    once; the other write is answered with it, or not_written — never a 200 of its own."""
    nodes = [make_node(config), make_node(config, start_up=False)]
    a, b = (next(n) for n in nodes)
    try:
        for round_ in range(12):
            key = IdempotencyKey(f"k-race-{round_}", "same-body")
            writes = [new_write(f"race_{round_} = 1", key) for _ in range(2)]
            barrier = threading.Barrier(2)

            def send(node, write, barrier=barrier):
                barrier.wait()
                node.service.write_path.write([write])

            threads = [threading.Thread(target=send, args=pair) for pair in zip((a, b), writes, strict=True)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            stored = [w.record_id for w in writes if a.stored(w.record_id)]
            assert len(stored) == 1, f"round {round_}: {len(stored)} records stored for one key"
            for w in writes:
                assert outcome_of(w) in (None, "not_written"), outcome_of(w)
                if outcome_of(w) is None:  # acknowledged: as the stored record, whoever stored it
                    answered = w.earlier["judgment"]["judgment_id"] if w.earlier else w.record_id
                    assert answered == stored[0]
                else:
                    assert w.record_id != stored[0]
    finally:
        for n in nodes:
            next(n, None)


def test_after_the_clock_steps_back_the_next_acknowledged_write_is_named(config):
    """Issue 22.3: a process caught up with the stamp guidance.json names only when it replaced
    the file itself, so after the clock stepped back 1 h each worker's first write was
    acknowledged while guidance.json went on naming an older one. Now every batch catches up
    with guidance.json before its records are stamped: the node catches up after one write."""
    wall = [time.time_ns()]
    nodes = [
        make_node(config, clock=Clock(wall_ns=lambda: wall[0])),
        make_node(config, start_up=False, clock=Clock(wall_ns=lambda: wall[0])),
    ]
    a, b = (next(n) for n in nodes)
    try:
        named = []
        for step, (node, content) in enumerate([(a, "before = 1"), (b, "after = 2"), (a, "then = 3")]):
            if step == 1:
                wall[0] -= 3600 * 10**9  # the clock is stepped back an hour
            wall[0] += 10**9
            jid = node.service.judge(Cell.create(content=content)).record["judgment"]["judgment_id"]
            named.append(read_guidance(node.service.guidance.path)["judgment_id"] == jid)
        assert named == [True, True, True]
    finally:
        for n in nodes:
            next(n, None)


def temporaries(node) -> list:
    return sorted(node.service.guidance.path.parent.glob(".guidance.json.*.tmp"))


def test_guidance_is_prepared_while_the_commit_runs_and_seen_only_after_it(node, monkeypatch):
    """The next guidance.json is written and fsynced beside the file during the transaction
    (issue 24: the replacement was the longest step after it); only the rename after COMMIT
    shows it."""
    from cynic_app.service import write_path

    path, seen = node.service.guidance.path, {}
    real_commit = write_path.send_commit

    def observing_commit(conn):
        node.service.write_path._preparing[1].result()  # the preparation has finished
        seen["named"] = read_guidance(path)["judgment_id"]
        seen["prepared"] = [orjson.loads(p.read_bytes())["judgment_id"] for p in temporaries(node)]
        return real_commit(conn)

    before = read_guidance(path)["judgment_id"]
    monkeypatch.setattr(write_path, "send_commit", observing_commit)
    jid = node.service.judge(Cell.create(content="x = 1")).record["judgment"]["judgment_id"]
    assert seen == {"named": before, "prepared": [jid]}
    assert read_guidance(path)["judgment_id"] == jid and temporaries(node) == []


def test_guidance_prepared_for_a_commit_cut_off_is_never_seen(node):
    path = node.service.guidance.path
    before = read_guidance(path)
    unlinked = len(node.fs.unlinked)
    commit_cut_off(node)
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="x = 1"))
    assert err.value.outcome == "unknown"
    assert read_guidance(path) == before and temporaries(node) == []
    assert [p.name.startswith(".guidance.json.") for p in node.fs.unlinked[unlinked:]] == [True]


def test_a_failed_preparation_under_a_cut_off_commit_is_logged(node, caplog):
    """Review finding: with the COMMIT cut off, a failed temporary-file write was dropped
    without a log line."""
    caplog.set_level(logging.WARNING)
    commit_cut_off(node)
    before = node.fs.writes
    node.fs.fail_write_at = before + 2  # 1: the journal line, 2: guidance.json's temporary file
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="x = 1"))
    assert err.value.outcome == "unknown"
    assert node.fs.writes == before + 2
    assert any("No space left" in r.getMessage() for r in caplog.records)


def test_a_failed_preparation_is_no_failure_when_a_newer_judgment_is_named(config):
    """Review finding: the temporary file failed while another writer named a newer judgment;
    nothing had to be written, yet the answer was 503 written (before the change: 200)."""
    nodes = [make_node(config), make_node(config, start_up=False)]
    a, b = (next(n) for n in nodes)
    try:
        for _ in range(50):  # b must not wait on a's counter row: a journal of another shard
            if shard_of(a.journal.name) != shard_of(b.journal.name):
                break
            next(nodes.pop(), None)  # closes that node
            nodes.append(make_node(config, start_up=False))
            b = next(nodes[-1])
        assert shard_of(a.journal.name) != shard_of(b.journal.name)
        newer = {}

        def meanwhile(conn):  # another writer names a newer judgment while a's COMMIT is pending
            newer["jid"] = b.service.judge(Cell.create(content="b = 2")).record["judgment"]["judgment_id"]
            a.service.write_path.before_commit = None

        a.service.write_path.before_commit = meanwhile
        a.fs.fail_write_at = a.fs.writes + 2  # 1: a's journal line, 2: its guidance temporary file
        a.service.judge(Cell.create(content="a = 1"))  # 200: guidance.json names a newer one
        assert a.fs.writes == a.fs.fail_write_at  # the preparation did fail
        assert read_guidance(a.service.guidance.path)["judgment_id"] == newer["jid"]
    finally:
        for n in nodes:
            next(n, None)


def test_which_write_a_fault_hits_does_not_depend_on_thread_timing(node):
    """Review finding: the preparation ran beside the abort records of superseded keys, so which
    write was "the second" was a race. It now ends before anything else touches the disk."""
    seen = []
    for r in range(20):
        key = IdempotencyKey(f"k-order-{r}", "same-body")
        node.service.judge(Cell.create(content=f"first_{r} = 1"), idempotency=key)
        plain, loser = new_write(f"plain_{r} = 2"), new_write(f"first_{r} = 1", key)
        node.fs.fail_write_at = node.fs.writes + 2
        node.service.write_path.write([plain, loser])
        seen.append((outcome_of(plain), outcome_of(loser)))
    assert len(set(seen)) == 1, seen


def test_close_stops_the_thread_beside_even_before_its_first_use(node):
    """Review finding: a batch running when close() came created the executor afterwards."""
    s = node.service
    wp = WritePath(journal=s.journal, pool=s.pool, guidance=s.guidance, node="n")
    wp.before_commit = lambda conn: wp.close()  # the stop arrives while the first batch runs
    w = new_write("late = 1")
    wp.write([w])
    assert outcome_of(w) is None
    assert wp._beside is None or wp._beside._shutdown


@contextmanager
def key_held_by_another_transaction(url: str, key: IdempotencyKey, kind: str = "judgment") -> Iterator[None]:
    """Another transaction (another worker's, say) has claimed key and not yet decided: the
    block runs while it holds the key's row, and it is rolled back afterwards."""
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, kind, record_id)"
            " VALUES (%s, %s, %s, gen_random_uuid())",
            (key.key, key.fingerprint, kind),
        )
        try:
            yield
        finally:
            holder.execute("ROLLBACK")


#: The service's connections to this test's database whose transaction has written (has an xid).
WRITING_BACKENDS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cynic_app'"
    " AND backend_xid IS NOT NULL"
)


def open_transactions(url: str) -> int:
    """How many of the service's connections to this test's database hold an open transaction
    that has written (its INSERTs ran: it has a transaction id). Other tests' databases on the
    same server are not counted: the suite runs in two processes."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(f"SELECT count(*) {WRITING_BACKENDS}").fetchone()[0]


def fsync_waiting_for_the_inserts(node, *, fails: bool) -> dict:
    """Make the next fsync (the batch's journal fsync) wait until the server has run the write
    path's INSERTs in its open transaction, then return (or fail with EIO)."""
    seen: dict = {}
    real = node.fs.fsync
    target = node.fs.fsyncs + 1

    def fsync(fd):
        if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
            deadline = time.monotonic() + 1  # within the batch's budget
            while not (opened := open_transactions(node.url)) and time.monotonic() < deadline:
                time.sleep(0.005)
            seen["transaction_open_during_fsync"] = bool(opened)
            if fails:
                node.fs.fail_fsync_at = target
        real(fd)
        seen.setdefault("fsync_returned_at", time.monotonic())

    node.fs.fsync = fsync
    return seen


def test_the_journal_fsync_runs_while_the_inserts_travel_and_the_commit_waits_for_it(node):
    """Issue 24: the batch's journal fsync runs beside its BEGIN and INSERTs; the COMMIT is sent
    only after the fsync has returned, so PostgreSQL never holds a record the journal may lack."""
    seen = fsync_waiting_for_the_inserts(node, fails=False)
    node.service.write_path.before_commit = lambda conn: seen.setdefault("commit_at", time.monotonic())
    jid = node.service.judge(Cell.create(content="x = 1")).record["judgment"]["judgment_id"]
    assert seen["transaction_open_during_fsync"]
    assert seen["fsync_returned_at"] <= seen["commit_at"]
    assert node.stored(jid) == 1 and jid in node.journaled()[0]


def test_a_journal_fsync_failing_under_an_open_transaction_rolls_it_back(node):
    """The fsync fails after the INSERTs were sent: the transaction is rolled back, never
    committed; the client is told the outcome is unknown (the line may be on disk: recovery
    decides), and the process asks to be replaced."""
    seen = fsync_waiting_for_the_inserts(node, fails=True)
    with pytest.raises(PersistenceError) as err:
        node.service.judge(Cell.create(content="x = 1"))
    assert seen["transaction_open_during_fsync"]
    assert (err.value.outcome, err.value.step) == ("unknown", "journal")
    assert node.stored(err.value.ids["judgment_id"]) == 0
    assert open_transactions(node.url) == 0  # rolled back, not left open on a pooled connection
    assert node.retired == [True]


def test_commit_travels_in_the_pipeline_after_the_journal_fsync(node, monkeypatch):
    """Issue 24: BEGIN, the INSERTs and COMMIT go in one pipeline (one sync brings every result
    back); COMMIT is sent only once the journal fsync has returned."""
    from cynic_app.service import write_path

    seen = fsync_waiting_for_the_inserts(node, fails=False)
    real_send = write_path.send_commit

    def observing(conn):
        seen["in_pipeline"] = conn.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF
        seen["sent_at"] = time.monotonic()
        return real_send(conn)

    monkeypatch.setattr(write_path, "send_commit", observing)
    jid = node.service.judge(Cell.create(content="x = 1")).record["judgment"]["judgment_id"]
    assert seen["in_pipeline"] and seen["fsync_returned_at"] <= seen["sent_at"]
    assert node.stored(jid) == 1


def test_guidance_is_prepared_while_the_journal_fsync_runs(node):
    """Issue 24: the next guidance.json's temporary file is written and fsynced beside the batch
    while its journal fsync runs (the two fsyncs overlap), not after it."""
    real, target, seen = node.fs.fsync, node.fs.fsyncs + 1, {}

    def fsync(fd):
        if node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):  # the journal's
            deadline = time.monotonic() + 1
            while not node.fs.temporary_fsyncs > before and time.monotonic() < deadline:
                time.sleep(0.002)
            seen["prepared_during_fsync"] = node.fs.temporary_fsyncs > before
        real(fd)

    before = node.fs.temporary_fsyncs
    node.fs.fsync = fsync
    jid = node.service.judge(Cell.create(content="x = 1")).record["judgment"]["judgment_id"]
    assert seen["prepared_during_fsync"]
    assert read_guidance(node.service.guidance.path)["judgment_id"] == jid


def test_a_write_whose_time_the_writes_ahead_took_is_refused_at_the_queue_not_the_database(node):
    """Review finding: with guidance.json's lock held by another process, writes queued behind
    the batch waiting for it reached the database step with no time left and were answered
    not_written at step "database": true, but the database's alert fired for a lock on a file.
    What ran out is the write's time in the queue."""
    write = new_write("late = 1")
    write.submitted -= node.service.write_path.budget_s  # the writes ahead took all of its time
    node.service.write_path.write([write])
    assert outcome_of(write) == "not_written" and write.error.step == "queue", write.error
    assert node.stored(write.record_id) == 0 and write.record_id in node.journaled()[1]
