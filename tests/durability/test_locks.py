"""HeldLock: an exclusive flock taken within a bound, shared safely by a process's threads."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading

from cynic_app.durability.locks import HeldLock
from tests.support.faults import flock_held

WAIT_S = 30  # reached only when something hangs


def test_a_waiter_gets_the_lock_when_the_other_process_lets_go(tmp_path):
    path = tmp_path / "x.lock"
    lock, got = HeldLock(path), []
    with flock_held(path) as holder:
        assert not lock.acquire(0.05)
        waiter = threading.Thread(target=lambda: got.append(lock.acquire(WAIT_S)))
        waiter.start()
        holder.stdin.close()  # it exits, letting go
        waiter.join(WAIT_S)
    assert got == [True]
    lock.release()


def test_a_waiter_that_gave_up_leaves_nothing_held_behind_it(tmp_path):
    """Its taker thread still sleeps in flock when it gives up; once the holder lets go, the
    taker must give the lock up at once, not keep it for nobody."""
    path = tmp_path / "x.lock"
    lock = HeldLock(path)
    with flock_held(path) as holder:
        assert not lock.acquire(0.05)
        holder.stdin.close()
        holder.wait(WAIT_S)
    other = subprocess.run(  # another process waits for it (bounded): it must get it
        [sys.executable, "-c", TAKE, str(path)], timeout=WAIT_S, capture_output=True, text=True
    )
    assert other.returncode == 0, other.stderr


TAKE = """
import fcntl, os, sys, signal
signal.alarm(20)  # a lock kept for nobody would hang this for ever
fcntl.flock(os.open(sys.argv[1], os.O_RDWR), fcntl.LOCK_EX)
"""


def test_threads_of_one_process_hold_it_one_at_a_time(tmp_path):
    lock, inside, overlaps = HeldLock(tmp_path / "x.lock"), [0], []

    def worker():
        for _ in range(200):
            assert lock.acquire(WAIT_S)
            inside[0] += 1
            if inside[0] != 1:
                overlaps.append(inside[0])
            probe = os.open(tmp_path / "x.lock", os.O_RDWR)
            try:  # another open file of the same path cannot take it while a thread holds it
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                overlaps.append("free while held")
            except BlockingIOError:
                pass
            finally:
                os.close(probe)
            inside[0] -= 1
            lock.release()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S)
    assert overlaps == []
