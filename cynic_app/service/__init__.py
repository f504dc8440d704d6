"""Judging and perceiving, durably: what the API calls.

A request is validated and judged in its own thread (pure, parallel), turned into a Write
(writes.py: its record encoded once, by cynic_app/record.py), and handed to the group commit
(group_commit.py), which takes it through the write path (write_path.py: journal → PostgreSQL →
guidance.json, the one place that order lives) with the others waiting at the same moment. What
a failure tells the client is in outcomes.py; the records in doubt are the write path's to
resolve.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from .. import metrics
from ..durability.guidance import GuidanceWriter
from ..durability.journal import JournalWriter
from ..judgment import Cell, judge
from ..judgment.perception import Perception
from ..record import judgment_record, perception_record
from ..store import listing, repository
from ..store.deadline import bounded
from .group_commit import GroupCommit
from .memory import MemoryCache
from .outcomes import NOT_WRITTEN, UNKNOWN, WRITTEN, IdempotencyMismatch, PersistenceError, failure
from .write_path import BUDGET_S, WritePath, earlier_candidate
from .writes import IdempotencyKey, Write

__all__ = [
    "NOT_WRITTEN",
    "UNKNOWN",
    "WRITTEN",
    "IdempotencyKey",
    "IdempotencyMismatch",
    "PersistenceError",
    "Service",
    "Written",
]
log = logging.getLogger(__name__)
#: A read never waits longer than this for its query.
READ_DEADLINE_S = 2.0


@dataclass(frozen=True)
class Written:
    """A persisted (or, for dry runs, merely judged) record, in its journaled shape."""

    record: dict
    replayed: bool  # True: an Idempotency-Key retry answered with the original record


def utc_now() -> str:
    return datetime.now(UTC).isoformat()


class Service:
    """Judges and perceives, durably. One per process; thread-safe."""

    def __init__(
        self,
        *,
        journal: JournalWriter,
        pool: ConnectionPool,
        guidance: GuidanceWriter,
        node: str,
        pool_timeout_s: float = 1.0,
        memory_ttl_s: float = 1.0,
        on_journal_failure: Callable[[], None] | None = None,
    ):
        self.journal, self.pool, self.guidance = journal, pool, guidance
        self.node = node
        self.pool_timeout_s = pool_timeout_s
        self.write_path = WritePath(
            journal=journal,
            pool=pool,
            guidance=guidance,
            node=node,
            pool_timeout_s=pool_timeout_s,
            on_journal_failure=on_journal_failure,
        )
        self._group = GroupCommit(self.write_path.write, queue_wait_s=BUDGET_S)
        self._memory = MemoryCache(pool, ttl_s=memory_ttl_s)

    # -- the two write requests ------------------------------------------------------------

    def judge(
        self,
        cell: Cell,
        *,
        level: str | None = None,
        dry_run: bool = False,
        idempotency: IdempotencyKey | None = None,
    ) -> Written:
        """Judge a cell (level None: chosen from the cell) and persist the judgment (unless dry_run)."""
        j = judge(cell, level=level, memory=self._memory.get(), judgment_id=str(uuid.uuid4())).to_dict()
        if dry_run:
            return Written({"judgment": j, "created_at": utc_now()}, replayed=False)
        earlier = self._earlier("judgment", idempotency, {"judgment_id": j["judgment_id"]})
        if earlier is not None:
            return earlier
        return self._persist(Write.of(judgment_record(j, utc_now(), idempotency)))

    def perceive(
        self, p: Perception, *, dry_run: bool = False, idempotency: IdempotencyKey | None = None
    ) -> Written:
        """Record a perception (and its judgment, in the same transaction), unless dry_run."""
        j = None
        if p.run_judgment:
            j = judge(
                p.cell, level=p.level, memory=self._memory.get(), judgment_id=str(uuid.uuid4())
            ).to_dict()
        fields = {
            "perception_id": str(uuid.uuid4()),
            "source": p.source,
            "reality": p.cell.reality,
            "content": p.cell.content,
            "context": p.cell.context,
            "time_dim": p.cell.time_dim,
        }
        if dry_run:
            return Written({**fields, "judgment": j, "created_at": utc_now()}, replayed=False)
        earlier = self._earlier("perception", idempotency, {"perception_id": fields["perception_id"]})
        if earlier is not None:
            return earlier
        return self._persist(Write.of(perception_record(fields, j, utc_now(), idempotency)))

    def _persist(self, write: Write) -> Written:
        self._group.submit(write)
        if write.error is not None:
            raise write.error
        if write.earlier is not None:
            return Written(write.earlier, replayed=True)
        return Written(write.record.answer(), replayed=False)

    def _earlier(self, kind: str, idempotency: IdempotencyKey | None, ids: dict) -> Written | None:
        """The record an Idempotency-Key already stands for (None if unused); 422 on a new body.

        guidance.json is made to name it or a newer one before it is answered again: its first
        answer may have been ``written`` (guidance.json could not be updated then).
        """
        if idempotency is None:
            return None
        try:
            with self.pool.connection(timeout=self.pool_timeout_s) as conn, bounded(conn, BUDGET_S):
                found = repository.find_idempotency_key(conn, idempotency.key)
                if found is None:
                    return None
                fingerprint, earlier_kind, earlier_id = found
                if not idempotency.matches(fingerprint) or earlier_kind != kind:
                    raise IdempotencyMismatch(idempotency.key)
                record = repository.get_record(conn, earlier_kind, earlier_id)
        except (PoolTimeout, psycopg.Error) as exc:
            raise failure(NOT_WRITTEN, "database", ids, exc) from exc
        candidate = earlier_candidate(record)
        if candidate is not None:
            try:
                self.guidance.write(candidate[1], candidate[0], timeout_s=BUDGET_S)
            except OSError as exc:
                raise failure(WRITTEN, "guidance", {f"{kind}_id": earlier_id}, exc) from exc
        metrics.idempotent_replays.inc()
        return Written(record, replayed=True)

    # -- stopping ------------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """True once close() began: every new write is refused (not_written)."""
        return self._group.stopping

    def close(self, *, drain_timeout_s: float) -> None:
        """Stop: refuse new writes, let the batches under way finish (at most drain_timeout_s),
        then give back the write path's connection and close the pool and the journal.

        A batch still running after drain_timeout_s keeps its connection (the pool would roll
        its transaction back under it): it commits or fails on its own, and tells the truth.
        """
        if not self._group.stop(timeout_s=drain_timeout_s):
            log.error("a batch still runs %.1f s after this process began to stop", drain_timeout_s)
        self.write_path.close()
        self.pool.close()
        self.journal.close()

    # -- records in doubt ----------------------------------------------------------------------

    @property
    def in_doubt(self) -> int:
        """How many records are in doubt (their COMMIT was cut off): resolved as committed."""
        return self.write_path.in_doubt

    def resolve_doubt(self) -> int:
        """Try the records in doubt again now; return how many remain in doubt."""
        if self.write_path.in_doubt:
            self._group.flush()
        return self.write_path.in_doubt

    # -- reads ---------------------------------------------------------------------------------

    def get_judgment(self, judgment_id: str) -> dict | None:
        with self.pool.connection(timeout=self.pool_timeout_s) as conn, bounded(conn, READ_DEADLINE_S):
            return repository.get_judgment(conn, judgment_id)

    def get_perception(self, perception_id: str) -> dict | None:
        with self.pool.connection(timeout=self.pool_timeout_s) as conn, bounded(conn, READ_DEADLINE_S):
            return repository.get_perception(conn, perception_id)

    def list_judgments(self, **page) -> listing.Page:
        """A page of judgment summaries, newest first (listing.list_judgments says which)."""
        with self.pool.connection(timeout=self.pool_timeout_s) as conn, bounded(conn, READ_DEADLINE_S):
            return listing.list_judgments(conn, **page)

    def state(self, recent: int) -> dict:
        with self.pool.connection(timeout=self.pool_timeout_s) as conn, bounded(conn, READ_DEADLINE_S):
            return repository.load_state(conn, recent).to_dict()
