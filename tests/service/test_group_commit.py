"""GroupCommit's bounds: a write never waits in the queue past its budget, stop() refuses new
writes while the batch under way finishes, and one batch runs at a time, each write in exactly
one. The batch is held by an event, not a clock."""

from __future__ import annotations

import threading
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from cynic_app.judgment import Cell, judge
from cynic_app.record import judgment_record
from cynic_app.service import utc_now
from cynic_app.service.group_commit import GroupCommit
from cynic_app.service.writes import Write

WAIT_S = 30  # reached only when something hangs


def new_write(content: str):
    return Write.of(
        judgment_record(
            judge(Cell.create(content=content), judgment_id=str(uuid.uuid4())).to_dict(), utc_now(), None
        )
    )


class HeldRun:
    """A write path whose batches wait until go_on is set."""

    def __init__(self):
        self.started, self.go_on, self.batches = threading.Event(), threading.Event(), []

    def __call__(self, batch):
        self.batches.append([w.record_id for w in batch])
        self.started.set()
        assert self.go_on.wait(WAIT_S)


def outcome(write):
    return (write.error.outcome, write.error.step) if write.error is not None else None


def test_a_write_queued_past_its_budget_leaves_the_queue_not_written():
    run = HeldRun()
    group = GroupCommit(run, queue_wait_s=0.05)
    first, late, next_one = new_write("a = 1"), new_write("b = 2"), new_write("c = 3")
    leader = threading.Thread(target=group.submit, args=(first,))
    leader.start()
    assert run.started.wait(WAIT_S)
    group.submit(late)  # the batch ahead holds on: this one gives up, journaled nowhere
    assert outcome(late) == ("not_written", "queue")
    run.go_on.set()
    leader.join(WAIT_S)
    group.submit(next_one)  # nobody was left leading a queue that no longer holds it
    assert outcome(first) is None and outcome(next_one) is None
    assert run.batches == [[first.record_id], [next_one.record_id]]


def test_stop_refuses_new_writes_and_waits_for_the_batch_under_way():
    run = HeldRun()
    group = GroupCommit(run, queue_wait_s=WAIT_S)
    first, refused = new_write("a = 1"), new_write("b = 2")
    leader = threading.Thread(target=group.submit, args=(first,))
    leader.start()
    assert run.started.wait(WAIT_S)
    assert group.stop(timeout_s=0.05) is False  # the batch is still under way
    group.submit(refused)
    assert outcome(refused) == ("not_written", "shutdown")
    run.go_on.set()
    assert group.stop(timeout_s=WAIT_S) is True
    leader.join(WAIT_S)
    assert outcome(first) is None and run.batches == [[first.record_id]]


class CountingRun:
    """A write path that records how many batches run at once and which writes each held; it
    holds each batch for a moment drawn by the test, so that submitters arrive mid-batch."""

    def __init__(self, pauses):
        self.pauses, self.lock = list(pauses), threading.Lock()
        self.running = self.most = 0  # batches running now, and the most at once
        self.batches: list[list[str]] = []

    def __call__(self, batch):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            pause = self.pauses[len(self.batches) % len(self.pauses)]
            self.batches.append([w.record_id for w in batch])
        threading.Event().wait(pause)
        with self.lock:
            self.running -= 1


def submitted_from_threads(group, prefix: str, threads: int, per_thread: int) -> list[list]:
    """Each of threads submits per_thread writes one after another; return them once every
    thread has returned (none may hang)."""
    writes = [[new_write(f"{prefix}_{t}_{i} = {i}") for i in range(per_thread)] for t in range(threads)]
    workers = [threading.Thread(target=lambda ws=ws: [group.submit(w) for w in ws]) for ws in writes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT_S)
    assert not any(worker.is_alive() for worker in workers)
    return writes


@settings(max_examples=25, deadline=None)
@given(
    pauses=st.lists(st.sampled_from([0.0, 0.0002, 0.001, 0.003]), min_size=1, max_size=8),
    threads=st.integers(min_value=2, max_value=8),
    per_thread=st.integers(min_value=1, max_value=12),
)
def test_one_batch_at_a_time_and_every_write_in_exactly_one(pauses, threads, per_thread):
    """The write path serves one batch at a time per process (its connection, its journal and
    its guidance.json preparation): however submitters interleave, GroupCommit never runs two
    batches at once, and each write is in exactly one batch and answered."""
    run = CountingRun(pauses)
    group = GroupCommit(run, queue_wait_s=WAIT_S)
    writes = submitted_from_threads(group, "x", threads, per_thread)
    assert run.most == 1
    batched = [record_id for batch in run.batches for record_id in batch]
    submitted = [w.record_id for ws in writes for w in ws]
    assert sorted(batched) == sorted(submitted)  # each exactly once
    assert all(w.done and outcome(w) is None for ws in writes for w in ws)
    assert group.stop(timeout_s=WAIT_S) is True


@settings(max_examples=25, deadline=None)
@given(
    pause=st.sampled_from([0.001, 0.002, 0.004]),
    threads=st.integers(min_value=2, max_value=8),
    per_thread=st.integers(min_value=1, max_value=8),
    wait_in_pauses=st.sampled_from([0.5, 1.2, 1.5, 1.8, 3.0]),
)
def test_a_write_leaving_the_queue_races_its_hand_off_and_is_in_one_place(
    pause, threads, per_thread, wait_in_pauses
):
    """The interleaving that could lose a write: its queue wait ends just as a leader takes the
    queue or hands it on. Each write is then either in exactly one batch and answered, or left
    the queue not_written (step queue) and is in none; still one batch at a time, and nobody
    is left waiting on a queue that no leader holds."""
    # a wait between one and two batches long: queued behind one batch, handed the next, and
    # out of time while it runs
    run = CountingRun([pause])
    group = GroupCommit(run, queue_wait_s=pause * wait_in_pauses)
    writes = submitted_from_threads(group, "y", threads, per_thread)
    assert run.most == 1
    batched = [record_id for batch in run.batches for record_id in batch]
    assert len(batched) == len(set(batched))
    for w in (w for ws in writes for w in ws):
        assert w.done
        if w.record_id in batched:
            assert outcome(w) is None
        else:
            assert outcome(w) == ("not_written", "queue")
    last = new_write("z = 0")  # a leader is found again afterwards
    group.queue_wait_s = WAIT_S
    group.submit(last)
    assert outcome(last) is None
    assert group.stop(timeout_s=WAIT_S) is True


def test_a_batch_interrupted_by_a_base_exception_answers_its_writes_unknown():
    """A SystemExit or KeyboardInterrupt out of the write path (which re-raises them after its
    own clean-up) leaves the batch's records in doubt: its writes are answered unknown, never
    acknowledged, and the exception still reaches the leader's thread. Found by review: the
    writes of such a batch ended done without an error, which means written."""
    started, go_on, batches = threading.Event(), threading.Event(), []

    def run(batch):
        batches.append(batch)
        if len(batches) == 1:  # the first batch holds on while two writes queue behind it
            started.set()
            assert go_on.wait(WAIT_S)
        elif len(batches) == 2:
            raise SystemExit(1)

    group = GroupCommit(run, queue_wait_s=WAIT_S)
    first, queued = new_write("a = 1"), [new_write("b = 2"), new_write("c = 3")]
    raised = []

    def submit(write):
        try:
            group.submit(write)
        except SystemExit as exc:  # the leader of the second batch: the exception reaches it
            raised.append(exc)

    threads = [threading.Thread(target=submit, args=(first,))]
    threads[0].start()
    assert started.wait(WAIT_S)
    for write in queued:
        threads.append(threading.Thread(target=submit, args=(write,)))
        threads[-1].start()
    while len(group._queue) < len(queued):  # both wait behind the first batch
        threading.Event().wait(0.001)
    go_on.set()
    for thread in threads:
        thread.join(WAIT_S)
    assert not any(thread.is_alive() for thread in threads)
    assert outcome(first) is None
    assert [outcome(w) for w in queued] == [("unknown", "internal")] * 2
    assert all(w.done for w in queued)
    assert [type(exc) for exc in raised] == [SystemExit]
    group.submit(last := new_write("d = 4"))  # the group is led again afterwards
    assert outcome(last) is None
