"""Group commit: the requests waiting at the same moment go through the write path as one batch.

The first request to arrive leads: it takes every write waiting (its own included), runs them
through the write path as one batch, and wakes the others; whoever arrived meanwhile forms the
next batch, led by the first of them, to whom the leader hands the queue. Nobody sleeps or
polls, and nobody is woken for nothing: each write waits on its own event, set when it is done
or when it is to lead. At most ``max_batches`` batches run at a time per process, so a batch is
as large as the load makes it — one record when requests come one by one, many under load —
and journal fsyncs, transactions and guidance.json replacements are shared by its records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .outcomes import UNKNOWN
from .records import Write

log = logging.getLogger(__name__)


class GroupCommit:
    def __init__(self, run: Callable[[list[Write]], None], *, max_batches: int = 1):
        self._run = run
        self._lock = threading.Lock()
        self._queue: list[Write] = []
        self._leading = 0
        self.max_batches = max_batches

    def submit(self, write: Write) -> None:
        """Return once write went through the write path (its error says how)."""
        with self._lock:
            self._queue.append(write)
            lead = self._leading < self.max_batches
            if lead:
                self._leading += 1
                batch, self._queue = self._queue, []
        if not lead:
            write.event.wait()
            if write.done:
                return
            batch = write.handed  # a leader that finished handed this write the next batch
        self._lead(batch)

    def flush(self) -> None:
        """Run one batch now, with whatever is waiting (possibly nothing but records in doubt)."""
        marker = Write.marker()
        self.submit(marker)

    def _lead(self, batch: list[Write]) -> None:
        try:
            self._run([w for w in batch if not w.is_marker])
        except Exception as exc:  # a bug: the records may be journaled, so nothing is promised
            log.exception("a batch of %d records failed unexpectedly", len(batch))
            for w in batch:
                if w.error is None and not w.is_marker:
                    w.fail(UNKNOWN, "internal", exc)
        finally:
            for w in batch:
                w.done = True
                w.event.set()
            with self._lock:
                if self._queue:  # the next batch is waiting: its first write leads it
                    successor, successor.handed, self._queue = self._queue[0], self._queue, []
                    successor.event.set()
                else:
                    self._leading -= 1
