"""Per-process resources (journal writer, connection pool, guidance writer, service).

They are built lazily in the process that uses them, so nothing durable crosses gunicorn's
fork: if the pid changes (a worker forked from a process that had them), they are rebuilt.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from ..config import Config
from ..durability.fsio import FS, OS_FS
from ..durability.guidance import GuidanceWriter
from ..durability.journal import Clock, JournalWriter
from ..service import Service
from ..store.deadline import bounded
from ..store.pool import make_pool
from .home import archive_of
from .settle import Settled, settle_closed

log = logging.getLogger(__name__)
#: How long a stopping process waits for the batches under way: they are bounded by the write
#: path's ~2 s budget, and this stays well within gunicorn's graceful_timeout (20 s).
DRAIN_TIMEOUT_S = 10.0
#: Settling closed journals from a worker: long enough for a big one, bounded when the database stalls.
SETTLE_DEADLINE_S = 30.0


class Runtime:
    def __init__(self, config: Config, *, recovered_by: str, node_lock=None, fs: FS = OS_FS):
        self.config = config
        self.fs = fs
        #: Called when this process's journal can no longer be trusted (gunicorn recycles the
        #: worker); left None in-process, where /ready reports it instead.
        self.on_journal_failure: Callable[[], None] | None = None
        self.recovered_by = recovered_by
        self.drain_timeout_s = DRAIN_TIMEOUT_S  # how long close() waits for the batches under way
        self._node_lock = node_lock
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._service: Service | None = None
        self._archive = None

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
        archive = archive_of(c, fs=self.fs)
        journal = JournalWriter(
            c.journal_dir, segment_bytes=c.segment_bytes, fs=self.fs, clock=clock, retire=archive.retire
        )
        self._archive = archive
        self._service = Service(
            journal=journal,
            pool=pool,
            guidance=GuidanceWriter(c.home, fs=self.fs, clock=clock),
            node=c.node,
            on_journal_failure=self._journal_failed,
            pool_timeout_s=c.pool_timeout_s,
        )
        self._pid = os.getpid()
        log.info("process %d opened its pool and journal writer", self._pid)

    def settle_closed_journals(self) -> Settled:
        """Settle the journals of this node's processes that are gone.

        The gunicorn master does this the moment a worker exits; this catches what it could not
        (the database was down then). Raise what stopped it (database, disk, corruption).
        """
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

    def _journal_failed(self) -> None:
        if self.on_journal_failure is not None:
            self.on_journal_failure()

    def close(self) -> None:
        """Stop this process's service — new writes refused, the batches under way finished
        (at most drain_timeout_s) — close its pool and journal (closed for good: recovery
        settles it), and release the node lock if held here.

        gunicorn calls this (worker_exit) while request threads may still run, even on a quick
        shutdown: the stopped service stays in place, so a request arriving later is refused
        honestly instead of opening a journal and a pool again.
        """
        with self._lock:
            service = self._service if self._pid == os.getpid() else None
        if service is not None:
            service.close(drain_timeout_s=self.drain_timeout_s)
        with self._lock:
            if self._node_lock is not None:
                self._node_lock.release()
                self._node_lock = None
