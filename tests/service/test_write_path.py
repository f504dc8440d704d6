"""Every outcome of the write path, table-driven: a fault at each step, the answer the client
gets, and what the journal and PostgreSQL hold afterwards."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
import pytest

from cynic_app.durability.guidance import GuidanceWriter, read_guidance
from cynic_app.durability.journal import Clock, JournalWriter, scan
from cynic_app.durability.journal.reader import records
from cynic_app.judgment import Cell
from cynic_app.service import IdempotencyKey, PersistenceError, Service
from cynic_app.startup import replay
from cynic_app.store.pool import make_pool
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


@pytest.fixture
def node(config):
    yield from make_node(config)


def make_node(config):
    replay(config)
    fs, clock, retired = FailingFS(), Clock(), []
    pool = make_pool(config.database_url, min_size=1, max_size=4, timeout_s=1.0)
    pool.open(wait=True)
    journal = JournalWriter(config.journal_dir, fs=fs, clock=clock)
    service = Service(
        journal=journal,
        pool=FaultyPool(pool),
        guidance=GuidanceWriter(config.home, fs=fs, clock=clock),
        node="n",
        home=config.home,
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
    import time

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
        while node.service.settle_pending():
            assert time.monotonic() < deadline, "records in doubt not settled after PostgreSQL returned"
            time.sleep(0.2)
    finally:
        node.journal.close()
        node.pool.close()
