"""One timer thread per process runs every deadline (database calls, request bodies)."""

from __future__ import annotations

import os
import threading
import time

from cynic_app.timers import TIMERS, Timers

WAIT_S = 30  # reached only when something hangs


def test_callbacks_run_in_time_order():
    timers, ran, done = Timers("test-timers"), [], threading.Event()
    now = time.monotonic()
    timers.schedule(now + 0.06, lambda: (ran.append(3), done.set()))
    timers.schedule(now + 0.02, lambda: ran.append(1))
    timers.schedule(now + 0.04, lambda: ran.append(2))
    assert done.wait(WAIT_S) and ran == [1, 2, 3]


def test_a_cancelled_callback_never_runs():
    timers, ran, later = Timers("test-timers"), [], threading.Event()
    token = timers.schedule(time.monotonic() + 0.05, lambda: ran.append("cancelled one"))
    timers.cancel(token)
    timers.schedule(time.monotonic() + 0.1, later.set)
    assert later.wait(WAIT_S) and ran == []


def test_cancel_waits_for_a_callback_that_is_running():
    """So a caller that cancelled may hand on what the callback touches (a connection to cut)."""
    timers, started, go, cancelled = (
        Timers("test-timers"),
        threading.Event(),
        threading.Event(),
        threading.Event(),
    )

    def slow() -> None:
        started.set()
        go.wait(WAIT_S)

    token = timers.schedule(time.monotonic(), slow)
    assert started.wait(WAIT_S)
    canceller = threading.Thread(target=lambda: (timers.cancel(token), cancelled.set()))
    canceller.start()
    assert not cancelled.wait(0.2)  # still running: cancel has not returned
    go.set()
    assert cancelled.wait(WAIT_S)
    canceller.join()


def test_timers_scheduled_and_cancelled_do_not_wake_the_thread():
    """Every request schedules a body timer and cancels it: each wake-up of the thread took the
    GIL from the request threads. Only a timer due before the thread's own time wakes it."""
    timers = Timers("test-timers")
    first = timers.schedule(time.monotonic() + 5, lambda: None)  # the thread sleeps until then
    time.sleep(0.05)
    woken = timers.wakeups
    for _ in range(50):
        timers.cancel(timers.schedule(time.monotonic() + 10, lambda: None))
        time.sleep(0.002)  # the thread, were it woken, would be back asleep before the next
    time.sleep(0.05)
    assert timers.wakeups - woken == 0
    ran = threading.Event()
    timers.schedule(time.monotonic() + 0.01, ran.set)  # due before the thread's time: it wakes
    assert ran.wait(WAIT_S)
    timers.cancel(first)


def test_the_heap_forgets_cancelled_timers():
    timers = Timers("test-timers")
    for _ in range(5000):
        timers.cancel(timers.schedule(time.monotonic() + 3600, lambda: None))
    assert len(timers._heap) <= 2 * len(timers._pending) + 256 + 1


def test_a_failing_callback_does_not_stop_the_others():
    timers, after = Timers("test-timers"), threading.Event()
    timers.schedule(time.monotonic(), lambda: 1 / 0)
    timers.schedule(time.monotonic() + 0.01, after.set)
    assert after.wait(WAIT_S)


def test_deadlines_and_body_timers_share_one_thread():
    from cynic_app.api import receive
    from cynic_app.store import deadline

    assert receive.TIMERS is deadline.TIMERS is TIMERS
    fired = threading.Event()
    TIMERS.schedule(time.monotonic(), fired.set)
    assert fired.wait(WAIT_S)
    names = [t.name for t in threading.enumerate()]
    assert names.count("cynic-timers") == 1
    assert "db-deadlines" not in names and "cynic-body-watchdog" not in names


def test_a_forked_child_runs_timers_of_its_own():
    TIMERS.schedule(time.monotonic() + 3600, lambda: None)  # the parent's thread exists
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no thread of the parent's came with the fork
        try:
            fired = threading.Event()
            TIMERS.schedule(time.monotonic(), fired.set)
            os.write(write, b"1" if fired.wait(WAIT_S) else b"0")
        finally:
            os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 1) == b"1"
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def in_child(body) -> bytes:
    """Run body in a forked child; return what it returned (bytes)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, body())
        finally:
            os._exit(0)
    os.close(write)
    try:
        return os.read(read, 100)
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def test_an_earlier_timer_in_a_forked_child_fires_on_time():
    """Review finding: the child's condition was its parent's copy, still listing the parent
    thread's waiter; the child's first notify woke that dead entry and its own thread slept on."""
    timers = Timers("test-timers")
    timers.schedule(time.monotonic() + 3600, lambda: None)  # the parent's thread sleeps in wait()
    time.sleep(0.1)

    def child() -> bytes:
        timers.schedule(time.monotonic() + 3600, lambda: None)  # the child's thread sleeps till then
        time.sleep(0.1)
        fired = threading.Event()
        timers.schedule(time.monotonic() + 0.05, fired.set)  # due first: must wake the thread
        return b"on time" if fired.wait(3) else b"not fired within 3 s"

    assert in_child(child) == b"on time"


def test_a_timer_in_a_forked_child_whose_thread_idles_fires():
    timers = Timers("test-timers")
    timers.schedule(time.monotonic() + 3600, lambda: None)
    time.sleep(0.1)

    def child() -> bytes:
        first = threading.Event()
        timers.schedule(time.monotonic() + 0.01, first.set)  # starts the thread; fires
        first.wait(3)
        time.sleep(0.1)  # heap empty: the thread waits with no timeout
        fired = threading.Event()
        timers.schedule(time.monotonic() + 0.05, fired.set)  # a body watch's fast timer, say
        return b"fired" if fired.wait(3) else b"never fired"

    assert in_child(child) == b"fired"


def test_timers_due_close_together_share_one_wake_up():
    """The thread wakes on a grid of GRANULARITY_S: timers due within one step run together
    (a body watch is scheduled and cancelled by every request; at 1,500 requests a second each
    woke the thread once, when it reached the heap's top)."""
    from cynic_app.timers import GRANULARITY_S

    timers, ran, done = Timers("test-timers"), [], threading.Event()
    timers.schedule(time.monotonic() + 5, lambda: None)  # the thread is up and asleep
    time.sleep(0.05)
    woken = timers.wakeups
    step = GRANULARITY_S / 10
    start = (int(time.monotonic() / GRANULARITY_S) + 5 + 0.05) * GRANULARITY_S  # just inside a step
    for i in range(8):  # all due inside one step of the grid, one tenth of a step apart
        timers.schedule(start + i * step, lambda i=i: ran.append(i))
    timers.schedule(start + 8 * step, done.set)
    assert done.wait(WAIT_S)
    assert ran == list(range(8))
    assert timers.wakeups - woken <= 2  # the first schedule's notify, then the step's own


def test_a_timer_never_runs_before_its_time():
    timers, late = Timers("test-timers"), []
    done = threading.Event()
    for i in range(20):
        when = time.monotonic() + 0.001 * i

        def check(when=when) -> None:
            late.append(time.monotonic() - when)

        timers.schedule(when, check)
    timers.schedule(time.monotonic() + 0.03, done.set)
    assert done.wait(WAIT_S)
    assert len(late) == 20 and min(late) >= 0


def test_timers_cancelled_at_once_under_load_wake_the_thread_once_a_step_at_most():
    """Every request schedules its body watch and cancels it as soon as the body is in (at
    once, when it came with the head). Dropping cancelled timers left the heap empty between
    requests, so the next schedule woke the thread: about one wake-up per request."""
    from cynic_app.timers import GRANULARITY_S

    timers = Timers("test-timers")
    timers.cancel(timers.schedule(time.monotonic() + 0.025, lambda: None))  # the thread is up
    time.sleep(0.05)
    woken, started = timers.wakeups, time.monotonic()
    stop = started + 0.3
    scheduled = []

    def requests() -> None:
        while time.monotonic() < stop:
            timers.cancel(timers.schedule(time.monotonic() + 0.025, lambda: None))
            scheduled.append(1)
            time.sleep(0.002)

    threads = [threading.Thread(target=requests) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    steps = (time.monotonic() - started + 0.05) / GRANULARITY_S
    assert len(scheduled) > 4 * steps  # more requests than steps, or this shows nothing
    assert timers.wakeups - woken <= steps + 2
