"""GroupCommit's bounds: a write never waits in the queue past its budget, and stop() refuses
new writes while the batches under way finish. The batch is held by an event, not a clock."""

from __future__ import annotations

import threading
import uuid

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
