"""Group commit: the requests waiting at the same moment go through the write path as one batch.

The first request to arrive leads: it takes every write waiting (its own included), runs them
through the write path as one batch, and wakes the others; whoever arrived meanwhile forms the
next batch, led by the first of them, to whom the leader hands the queue. Nobody sleeps or
polls, and nobody is woken for nothing: each write waits on its own event, set when it is done
or when it is to lead. One batch runs at a time per process (the write path's connection,
journal and guidance.json preparation serve one batch at a time), so a batch is as large as the
load makes it — one record when requests come one by one, many under load — and journal
fsyncs, transactions and guidance.json replacements are shared by its records.

A write waits in the queue at most ``queue_wait_s`` from its submission: past that its own
batch would have no time left for the database, so it leaves the queue ``not_written`` (nothing
of it was journaled). Once in a batch it waits for the batch, whose steps are bounded by the
write path. ``stop`` refuses new writes and waits for the batches under way: a process that
stops never closes what a batch still uses.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .outcomes import NOT_WRITTEN, UNKNOWN
from .writes import Write

log = logging.getLogger(__name__)


class Stopping(Exception):
    """The process is stopping: it takes no new write."""


class QueueTimeout(TimeoutError):
    """The batches ahead of a write took all of its time."""


class GroupCommit:
    def __init__(self, run: Callable[[list[Write]], None], *, queue_wait_s: float):
        self._run = run
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # notified when no batch runs any more
        self._queue: list[Write] = []
        self._leading = False  # a batch runs (its leader hands the queue on, or clears this)
        self._stopping = False
        self.queue_wait_s = queue_wait_s

    @property
    def stopping(self) -> bool:
        return self._stopping

    def submit(self, write: Write) -> None:
        """Return once write went through the write path (its error says how)."""
        with self._lock:
            refused = self._stopping
            lead = not refused and not self._leading
            if lead:
                self._leading = True
                batch, self._queue = [*self._queue, write], []
            elif not refused:
                self._queue.append(write)
        if refused:
            self._refuse(write, "shutdown", Stopping("the process is stopping"))
            return
        if not lead:
            waited = write.event.wait(max(0.0, write.submitted + self.queue_wait_s - time.monotonic()))
            if not waited and self._leave_queue(write):
                self._refuse(
                    write, "queue", QueueTimeout(f"queued {self.queue_wait_s} s behind other batches")
                )
                return
            write.event.wait()  # in a batch now (or handed one): its steps are bounded
            if write.done:
                return
            batch = write.handed  # a leader that finished handed this write the next batch
        self._lead(batch)

    def flush(self) -> None:
        """Run one batch now, with whatever is waiting (possibly nothing but records in doubt)."""
        marker = Write.marker()
        self.submit(marker)

    def stop(self, *, timeout_s: float) -> bool:
        """Refuse every write from now on (``not_written``); return once no batch runs, or
        False when batches still run after timeout_s. The writes already queued still run."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            self._stopping = True
            while self._leading:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def _leave_queue(self, write: Write) -> bool:
        """Take write out of the queue if no batch took it yet; True if it was still there."""
        with self._lock:
            if any(w is write for w in self._queue):
                self._queue = [w for w in self._queue if w is not write]
                return True
        return False

    @staticmethod
    def _refuse(write: Write, step: str, cause: Exception) -> None:
        if not write.is_marker:
            write.fail(NOT_WRITTEN, step, cause)
        write.done = True

    def _lead(self, batch: list[Write]) -> None:
        try:
            self._run([w for w in batch if not w.is_marker])
        except BaseException as exc:  # the records may be journaled: nothing is promised
            # A bug (an Exception), or SystemExit / KeyboardInterrupt, which the write path lets
            # through after its own clean-up: the writes are in doubt either way, and the
            # latter still ends the leader's thread once they are answered.
            log.exception("a batch of %d records failed unexpectedly", len(batch))
            for w in batch:
                if w.error is None and not w.is_marker:
                    w.fail(UNKNOWN, "internal", exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            for w in batch:
                w.done = True
                w.event.set()
            with self._lock:
                if self._queue:  # the next batch is waiting: its first write leads it
                    successor, successor.handed, self._queue = self._queue[0], self._queue, []
                    successor.event.set()
                else:
                    self._leading = False
                    self._idle.notify_all()
