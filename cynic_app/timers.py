"""One timer thread per process: callbacks run at their time, in time order.

Used for the deadlines of database calls (``store/deadline.py``: cut a connection that
overstays) and of request bodies (``api/receive.py``: a body that arrives too slowly). A heap of
(time, token, callback) under one condition; the thread sleeps until the earliest is due.

- Started on first use in each process: threads do not survive fork, so a forked child starts
  its own and forgets its parent's timers — and its condition, whose copy still lists the
  parent thread's waiter (a notify would wake that dead entry, not the child's thread).
- Callbacks run in the timer thread, under its lock, one at a time: they MUST be quick (a socket
  shut down, a state changed) and never wait. They may schedule more (the lock is re-entrant).
- ``cancel`` returns once the callback will not run: if it was running, after it ran. So a
  caller that cancels can hand on what the callback would have touched.
- The thread is woken only when it must be: by a timer due before the time it sleeps until,
  never by a later one nor by a cancel. Cancelled timers stay in the heap until their time (or
  until the heap is compacted, when they are most of it), and the thread sleeps until the
  earliest entry's time, cancelled or not: so while requests come, a timer every request
  schedules and cancels at once is always later than that, and costs no wake-up. (Dropping
  cancelled timers as soon as they were at the top emptied the heap between requests; the
  thread then slept with no time set, and the next schedule woke it: once or so per request,
  each wake-up taking the GIL from the request threads. docs/performance.md.)
- And it wakes only on a GRANULARITY_S grid of monotonic time: a timer runs up to GRANULARITY_S
  after its time, never before, and every timer due within one step runs in one wake-up, so
  a busy process's thread wakes at most once a step. Every user's time is far longer: 25 ms
  for a body to count as slow, seconds for a body or a database call to be cut.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import threading
import time
import weakref
from collections.abc import Callable

log = logging.getLogger(__name__)
#: The heap is compacted when it holds this many more cancelled timers than live ones.
COMPACT_SLACK = 256
#: The thread wakes only at multiples of this (monotonic time): a timer runs up to this much
#: after its time, never before, and every timer due within one step runs in one wake-up.
GRANULARITY_S = 0.01


class Timers:
    """Runs callbacks at their time. Thread-safe; one per process (TIMERS)."""

    def __init__(self, name: str = "cynic-timers") -> None:
        self.name = name
        self._cond = threading.Condition(threading.RLock())
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._pending: set[int] = set()
        self._tokens = itertools.count()
        self._pid: int | None = None
        self._wake_at = -math.inf  # when the sleeping thread wakes by itself; -inf: it is awake
        self.wakeups = 0  # times the thread woke (by a notify or at its time)
        me = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (timers := me()) is not None and timers._forget_parent())

    def _forget_parent(self) -> None:
        """In a forked child, before any thread runs: nothing of the parent's timers is ours."""
        self._cond = threading.Condition(threading.RLock())
        self._heap, self._pending, self._wake_at = [], set(), -math.inf
        self._pid = None  # the first schedule starts this process's thread

    def schedule(self, when: float, callback: Callable[[], None]) -> int:
        """Run callback once time.monotonic() >= when, at most about GRANULARITY_S later;
        return its token."""
        with self._cond:
            if self._pid != os.getpid():  # first use in this process
                self._pid = os.getpid()
                self._heap, self._pending, self._wake_at = [], set(), -math.inf
                threading.Thread(target=self._run, name=self.name, daemon=True).start()
            token = next(self._tokens)
            self._pending.add(token)
            heapq.heappush(self._heap, (when, token, callback))
            if _step(when) < self._wake_at:  # due before the sleeping thread would look again
                self._cond.notify()
            if len(self._heap) > 2 * len(self._pending) + COMPACT_SLACK:
                self._heap = [entry for entry in self._heap if entry[1] in self._pending]
                heapq.heapify(self._heap)
            return token

    def cancel(self, token: int) -> None:
        """The callback of token will not run (if it is running, this waits for it to end)."""
        with self._cond:
            self._pending.discard(token)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    now = time.monotonic()
                    while self._heap and self._heap[0][0] <= now and self._heap[0][1] not in self._pending:
                        heapq.heappop(self._heap)  # cancelled, and due: dropped
                    if self._heap and self._heap[0][0] <= now:
                        break
                    # A cancelled timer not yet due stays, and the thread sleeps until its step:
                    # dropping it could leave the heap without a time to wake at, so that the next
                    # schedule (every request's body watch, cancelled at once) would wake it.
                    self._wake_at = _step(self._heap[0][0]) if self._heap else math.inf
                    self._cond.wait(max(0.0, self._wake_at - now) if self._heap else None)
                    self._wake_at = -math.inf
                    self.wakeups += 1
                _when, token, callback = heapq.heappop(self._heap)
                self._pending.discard(token)
                try:
                    callback()
                except Exception:  # the thread serves every timer of the process: it goes on
                    log.exception("a timer's callback failed")


def _step(when: float) -> float:
    """The first step of the grid at or after when."""
    return math.ceil(when / GRANULARITY_S) * GRANULARITY_S


TIMERS = Timers()
