"""Per-process resources (journal writer, connection pool, guidance writer, service), and the
process's recovery timer.

They are built lazily in the process that uses them, so nothing durable crosses gunicorn's
fork: if the pid changes (a worker forked from a process that had them), they are rebuilt.

The recovery timer (a thread of the process, started with its resources) owns recovery while
the process serves, so that it never waits for a request or a probe: every RECOVER_EVERY_S it
resolves the records in doubt (``Service.resolve_doubt``), and every SETTLE_EVERY_S it settles
the closed journals of this node's processes that are gone (the master settles a worker's the
moment it exits; this catches what it could not, the database being down then). ``/ready`` only
reports what it finds (``ready.py``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from psycopg_pool import PoolTimeout

from ..config import Config
from ..durability.fsio import FS, OS_FS
from ..durability.guidance import GuidanceWriter
from ..durability.journal import Clock, JournalWriter
from ..durability.journal.closed import any_closed
from ..errors import first_line
from ..service import Service
from ..store.deadline import bounded
from ..store.pool import make_pool
from .home import NodeLock, archive_of
from .settle import NOT_SETTLED, Settled, settle_closed

log = logging.getLogger(__name__)
#: How long a stopping process waits for the batches under way: they are bounded by the write
#: path's ~2 s budget, and this stays well within gunicorn's graceful_timeout (20 s).
DRAIN_TIMEOUT_S = 10.0
#: Settling closed journals from a worker: long enough for a big one, bounded when the database stalls.
SETTLE_DEADLINE_S = 30.0
#: The recovery timer's period for records in doubt (an in-memory count when there are none)...
RECOVER_EVERY_S = 1.0
#: ... and for closed journals (a look at the journal directory when there are none).
SETTLE_EVERY_S = 5.0


class Runtime:
    def __init__(
        self, config: Config, *, recovered_by: str, node_lock: NodeLock | None = None, fs: FS = OS_FS
    ):
        self.config = config
        self.fs = fs
        #: Called when this process's journal can no longer be trusted (gunicorn recycles the
        #: worker); left None in-process, where /ready reports it instead.
        self.on_journal_failure: Callable[[], None] | None = None
        self.recovered_by = recovered_by
        self.drain_timeout_s = DRAIN_TIMEOUT_S  # how long close() waits for the batches under way
        self.recover_every_s = RECOVER_EVERY_S  # seams: tests hold the timer back
        self.settle_every_s = SETTLE_EVERY_S
        self._node_lock = node_lock
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._service: Service | None = None
        self._archive = None
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self._settle_error: str | None = None  # why the last attempt to settle closed journals failed
        self._settled = 0  # closed journals this process settled

    def service(self) -> Service:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._build()
        return self._service

    def _build(self) -> None:
        c = self.config
        pool = make_pool(
            c.database_url,
            min_size=c.pool_min_size,
            max_size=c.pool_max_size,
            timeout_s=c.pool_timeout_s,
            statement_timeout_ms=c.statement_timeout_ms,
            pgbouncer=c.pgbouncer,
        )
        pool.open(wait=False)  # a database that is down must not stop /health from answering
        clock = Clock()  # orders this process's records among every journal's (journal/clock.py)
        self._archive = archive_of(c, fs=self.fs)
        journal = JournalWriter(
            c.journal_dir, segment_bytes=c.segment_bytes, fs=self.fs, clock=clock, retire=self._archive.retire
        )
        self._service = Service(
            journal=journal,
            pool=pool,
            guidance=GuidanceWriter(c.home, fs=self.fs, clock=clock),
            node=c.node,
            on_journal_failure=self._journal_failed,
            pool_timeout_s=c.pool_timeout_s,
        )
        self._pid = os.getpid()
        self._stop = threading.Event()
        self._settle_error, self._settled = None, 0
        self._timer = threading.Thread(
            target=self._recover, args=(self._stop,), name="cynic-recovery", daemon=True
        )
        self._timer.start()
        log.info("process %d opened its pool and journal writer", self._pid)

    # -- recovery -------------------------------------------------------------------------------

    def _recover(self, stop: threading.Event) -> None:
        """The recovery timer (module doc)."""
        settle_at = time.monotonic()
        while not stop.wait(self.recover_every_s):
            try:
                if self._service.in_doubt:
                    self._service.resolve_doubt()
                if time.monotonic() >= settle_at and not stop.is_set():
                    settle_at = time.monotonic() + self.settle_every_s
                    self._settle_closed()
            except Exception:  # a bug: the timer goes on, /ready keeps reporting what it sees
                log.exception("the recovery timer failed; it tries again")

    def _settle_closed(self) -> None:
        if not any_closed(self.config.journal_dir):
            self._settle_error = None
            return
        try:
            settled = self.settle_closed_journals()
        except (*NOT_SETTLED, PoolTimeout) as exc:
            if first_line(exc) != self._settle_error:  # once per cause, not every few seconds
                log.error(
                    "a closed journal could not be settled (retried every %.0f s): %s",
                    self.settle_every_s,
                    exc,
                )
            self._settle_error = first_line(exc)
            return
        self._settle_error = None
        self._settled += settled.journals

    def settle_closed_journals(self) -> Settled:
        """Settle the journals of this node's processes that are gone; raise what stopped it
        (database, disk, corruption)."""
        service = self.service()
        with (
            service.pool.connection(timeout=self.config.pool_timeout_s) as conn,
            bounded(conn, SETTLE_DEADLINE_S),
        ):
            return settle_closed(
                conn,
                self.config.home,
                node=self.config.node,
                guidance=service.guidance,
                archive=self._archive,
                fs=self.fs,
            )

    def closed_journals(self) -> dict:
        """What the recovery timer last found settling closed journals (for /ready)."""
        if self._settle_error is not None:
            return {"ok": False, "error": self._settle_error}
        return {"ok": True, "settled": self._settled}

    # -- stopping -------------------------------------------------------------------------------

    def _journal_failed(self) -> None:
        if self.on_journal_failure is not None:
            self.on_journal_failure()

    def close(self) -> None:
        """Stop this process's recovery timer and service — new writes refused, the batches
        under way finished (at most drain_timeout_s) — close its pool and journal (closed for
        good: recovery settles it), and release the node lock if held here.

        gunicorn calls this (worker_exit) while request threads may still run, even on a quick
        shutdown: the stopped service stays in place, so a request arriving later is refused
        honestly instead of opening a journal and a pool again.
        """
        with self._lock:
            service = self._service if self._pid == os.getpid() else None
        if service is not None:
            self._stop.set()
            self._timer.join(self.drain_timeout_s)
            if self._timer.is_alive():  # settling a big journal: it ends with the process
                log.warning(
                    "the recovery timer still runs %.1f s after this process began to stop",
                    self.drain_timeout_s,
                )
            service.close(drain_timeout_s=self.drain_timeout_s)
        with self._lock:
            if self._node_lock is not None:
                self._node_lock.release()
                self._node_lock = None
