"""One timer thread per process: callbacks run at their time, in time order.

Used for the deadlines of database calls (``store/deadline.py``: cut a connection that
overstays) and of request bodies (``api/receive.py``: a body that arrives too slowly). A heap of
(time, token, callback) under one condition; the thread sleeps until the earliest is due.

- Started on first use in each process: threads do not survive fork, so a forked child starts
  its own and forgets its parent's timers.
- Callbacks run in the timer thread, under its lock, one at a time: they MUST be quick (a socket
  shut down, a state changed) and never wait. They may schedule more (the lock is re-entrant).
- ``cancel`` returns once the callback will not run: if it was running, after it ran. So a
  caller that cancels can hand on what the callback would have touched.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Timers:
    """Runs callbacks at their time. Thread-safe; one per process (TIMERS)."""

    def __init__(self, name: str = "cynic-timers") -> None:
        self.name = name
        self._cond = threading.Condition(threading.RLock())
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._pending: set[int] = set()
        self._tokens = itertools.count()
        self._pid: int | None = None

    def schedule(self, when: float, callback: Callable[[], None]) -> int:
        """Run callback at time.monotonic() == when (or soon after); return its token."""
        with self._cond:
            if self._pid != os.getpid():  # first use in this process
                self._pid = os.getpid()
                self._heap, self._pending = [], set()
                threading.Thread(target=self._run, name=self.name, daemon=True).start()
            token = next(self._tokens)
            self._pending.add(token)
            heapq.heappush(self._heap, (when, token, callback))
            self._cond.notify()
            return token

    def cancel(self, token: int) -> None:
        """The callback of token will not run (if it is running, this waits for it to end)."""
        with self._cond:
            self._pending.discard(token)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _when, token, callback = heapq.heappop(self._heap)
                if token not in self._pending:
                    continue  # cancelled
                self._pending.discard(token)
                try:
                    callback()
                except Exception:  # the thread serves every timer of the process: it goes on
                    log.exception("a timer's callback failed")


TIMERS = Timers()
