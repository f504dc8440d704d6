"""Review of issue 24 (commits 1b12d3f, 28b87b7): the journal fsync moved into the pipeline,
guidance.json's preparation submitted from the write path's ``meanwhile`` hook."""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.service.test_write_path import new_write, open_transactions, outcome_of, server_rejects


def record_writes(node) -> list:
    """Every write through the fs seam from now on: (thread name, kind of file written)."""
    seen: list = []
    real = node.fs.write_all

    def write_all(fd, data):
        target = os.readlink(f"/proc/self/fd/{fd}")
        kind = (
            "guidance-tmp" if ".guidance.json." in target else "journal" if "/journal/" in target else target
        )
        seen.append((threading.current_thread().name, kind))
        return real(fd, data)

    node.fs.write_all = write_all
    return seen


def slow_preparation(node, seconds: float) -> None:
    """The thread beside the batch takes a little longer to start writing guidance.json's next
    version (a busy GIL, a slow mkstemp): nothing but timing changes."""
    guidance = node.service.write_path.guidance
    real = type(guidance).prepare

    def prepare(judgment, position):
        time.sleep(seconds)
        return real(guidance, judgment, position)

    guidance.prepare = prepare


def test_a_record_rejected_alone_writes_the_same_files_in_the_same_order_whatever_the_timing(node):
    """write_path's own promise (_await_preparation): "the batch's next disk writes (abort
    records, guidance.json) come after [the preparation], in one order whatever the threads do".

    1b12d3f moved _await_preparation from _commit (which _alone also uses) to _store only, and
    the preparation now starts before the INSERT's result is read. A record the server rejects
    alone (_alone) then journals its abort record while its preparation still runs beside it:
    the order of the writes through the fs seam depends on the thread beside's speed."""
    server_rejects(node)
    orders, seen = [], record_writes(node)
    for delay in (0.0, 0.3):
        if delay:
            slow_preparation(node, delay)
        bad = new_write(f"x_{int(delay * 10)} = 'REJECT_ME'")
        before = len(seen)
        node.service.write_path.write([bad])
        assert outcome_of(bad) == "not_written"
        orders.append(seen[before:])
    assert orders[0] == orders[1], orders


@pytest.mark.parametrize("round_", range(3))
def test_which_write_a_fault_hits_in_a_rejected_batch_does_not_depend_on_thread_timing(node, round_):
    """The same fault (the 4th write from now fails: ENOSPC) on the same batch gets a different
    answer depending only on how fast the thread beside the batch runs: with the preparation's
    write first (the usual timing) the abort record fails and the record is kept in doubt
    (unknown); with it a little late the preparation fails instead (not_written)."""
    server_rejects(node)
    outcomes = []
    for delay in (0.0, 0.3):
        if delay:
            slow_preparation(node, delay)
        bad = new_write(f"x_{delay!r} = 'REJECT_ME'".replace(".", "_"))
        # 1: its line, 2: the batch's preparation, 3-4: alone: its preparation and its abort
        node.fs.fail_write_at = node.fs.writes + 4
        node.service.write_path.write([bad])
        outcomes.append((outcome_of(bad), bad.error.step if bad.error else None))
        node.service.write_path._doubt.clear()  # the next round starts from the same state
    assert outcomes[0] == outcomes[1], outcomes


def test_a_failing_temporary_cleanup_on_the_retry_leaves_no_transaction_open(node):
    """The first attempt's connection dies while the journal fsync runs (after the INSERTs were
    sent): no COMMIT was sent, so _transaction retries on a fresh connection. Since 1b12d3f the
    first attempt had already started guidance.json's preparation (before reading the INSERTs'
    results), so the retry's ``meanwhile`` first removes that temporary file, inside the
    pipeline of the second transaction, whose BEGIN and INSERTs have run. When that unlink fails
    (EIO, or EROFS once the file system went read-only) ``meanwhile`` raises (it "MUST NOT"),
    nothing rolls the transaction back, and the write path keeps the connection, idle in an
    open transaction holding the batch's rows and its counter-row locks: the next batch's
    BEGIN is a no-op and its COMMIT commits them."""
    import errno

    from cynic_app.judgment import Cell
    from cynic_app.service import PersistenceError
    from cynic_app.store.deadline import cut

    wp = node.service.write_path
    real_fsync, real_unlink = node.fs.fsync, node.fs.unlink
    target = node.fs.fsyncs + 1  # the batch's journal fsync, run in meanwhile
    armed = {"cut": True, "unlink": True}

    def fsync(fd):
        if armed["cut"] and node.fs.fsyncs + 1 == target and not node.fs.temporary(fd):
            armed["cut"] = False
            cut(wp._conn)  # the connection dies while the server runs the INSERTs
        real_fsync(fd)

    def unlink(path):
        if armed["unlink"] and ".guidance.json." in str(path):
            armed["unlink"] = False
            raise OSError(errno.EIO, "Input/output error")
        real_unlink(path)

    node.fs.fsync, node.fs.unlink = fsync, unlink
    jid = None
    try:
        node.service.judge(Cell.create(content="x = 1"))
        print("answer: 200")
    except PersistenceError as exc:
        jid = exc.ids["judgment_id"]
        print("answer:", exc.outcome, exc.step, "stored now:", node.stored(jid))
    print("faults that happened:", [k for k, v in armed.items() if not v])
    # The cut connection's backend aborts its transaction once it notices its client is gone
    # (not at once): wait for that. A connection kept idle in an open transaction never gets there.
    deadline = time.monotonic() + 5
    while (left_open := open_transactions(node.url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if jid is not None:  # what the next batch does with that open transaction
        node.service.judge(Cell.create(content="y = 2"))
        print("after the next batch, stored:", node.stored(jid))
    assert left_open == 0, "the write path's connection is left in an open transaction"
