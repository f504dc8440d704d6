"""The recent judgments the dogs learn from, refreshed at most every ttl_s seconds."""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ..judgment import Memory
from ..judgment.memory import RECALLED_CHARS
from ..judgment.state import RECENT
from ..store import repository
from ..store.deadline import bounded

log = logging.getLogger(__name__)


class MemoryCache:
    CONTENT_CHARS = RECALLED_CHARS  # what the judgment domain's memory keeps of each content
    TIMEOUT_S = 0.25  # judging never waits long for memory: it is an input, not a requirement

    def __init__(self, pool: ConnectionPool, *, ttl_s: float):
        self.pool, self.ttl_s = pool, ttl_s
        self._memory = Memory()
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def get(self) -> Memory:
        """The current memory; one caller refreshes it when it is stale, the others do not wait."""
        now = time.monotonic()
        if now - self._loaded_at < self.ttl_s or not self._lock.acquire(blocking=False):
            return self._memory
        try:
            with self.pool.connection(timeout=self.TIMEOUT_S) as conn, bounded(conn, self.TIMEOUT_S):
                rows = repository.recollections(conn, RECENT, content_chars=self.CONTENT_CHARS)
            self._memory = Memory.from_judgments(rows)
        except (psycopg.Error, PoolTimeout) as exc:
            log.warning("memory not refreshed, judging with the previous one: %s", exc)
        finally:
            self._loaded_at = time.monotonic()
            self._lock.release()
        return self._memory
