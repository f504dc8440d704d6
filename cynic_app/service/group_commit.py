"""Group commit: the requests waiting at the same moment go through the write path as one batch.

The first request to arrive leads: it takes every write waiting (its own included), runs them
through the write path as one batch, and wakes the others; whoever arrived meanwhile forms the
next batch, led by one of them. Nobody sleeps or polls: followers wait on a condition. One
batch runs at a time per process, so a batch is as large as the load makes it — one record when
requests come one by one, many under load — and journal fsyncs, transactions and guidance.json
replacements are shared by all of its records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .outcomes import UNKNOWN
from .records import Write

log = logging.getLogger(__name__)


class GroupCommit:
    def __init__(self, run: Callable[[list[Write]], None]):
        self._run = run
        self._cond = threading.Condition()
        self._queue: list[Write] = []
        self._leading = False

    def submit(self, write: Write) -> None:
        """Return once write went through the write path (its error says how)."""
        with self._cond:
            self._queue.append(write)
            while not write.done:
                if not self._leading:
                    self._leading = True
                    batch, self._queue = self._queue, []
                    break
                self._cond.wait()
            else:
                return
        self._lead(batch)

    def flush(self) -> None:
        """Run one batch now, with whatever is waiting (possibly nothing but records in doubt)."""
        with self._cond:
            while self._leading:
                self._cond.wait()
            self._leading = True
            batch, self._queue = self._queue, []
        self._lead(batch)

    def _lead(self, batch: list[Write]) -> None:
        try:
            self._run(batch)
        except Exception as exc:  # a bug: the records may be journaled, so nothing is promised
            log.exception("a batch of %d records failed unexpectedly", len(batch))
            for w in batch:
                if w.error is None:
                    w.fail(UNKNOWN, "internal", exc)
        finally:
            with self._cond:
                for w in batch:
                    w.done = True
                self._leading = False
                self._cond.notify_all()
