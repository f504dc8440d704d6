"""The write path: the ONE place where the order journal → PostgreSQL → guidance.json lives.

A write is acknowledged only after all of these, in this order:

1. the record is appended to this process's own journal and fsynced (JournalWriter.append);
2. it is inserted into PostgreSQL in one committed transaction (repository.apply_record);
3. guidance.json names it or a newer judgment, durably (GuidanceWriter.write).

Each step MUST finish before the next starts: replay after a crash relies on every row in
PostgreSQL having its record in the journal, and guidance.json on naming only committed
judgments. A failure raises PersistenceError whose outcome is the truth:

``not_written``  nothing was stored, and never will be (an ``abort`` record tells replay so);
``unknown``      the record may or may not be committed (e.g. the connection died during COMMIT).
                 Such records are *resolved as committed*: this process re-applies them before its
                 next write and when /ready is asked; once the process is gone, whoever settles
                 its closed journal applies them (the gunicorn master does so as soon as a worker
                 exits). A client resolves its doubt by reading the id or retrying.
``written``      the judgment is stored, but guidance.json could not be updated.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from filelock import Timeout as LockTimeout
from psycopg_pool import ConnectionPool, PoolTimeout

from . import metrics
from .durability.archive import Archive
from .durability.guidance import GuidanceWriter
from .durability.journal import JournalError, JournalPoisoned, JournalWriter, Position
from .durability.settle import Settled, settle_closed
from .errors import first_line
from .judgment import Cell, InvalidCell, Memory, judge, validate_level
from .judgment.perception import Perception
from .store import repository

log = logging.getLogger(__name__)

NOT_WRITTEN, UNKNOWN, WRITTEN = "not_written", "unknown", "written"
SETTLE_TIMEOUT_S = 0.25


class PersistenceError(Exception):
    """A write could not be acknowledged; ``outcome`` says what is true about it."""

    def __init__(self, *, outcome: str, step: str, ids: dict, message: str, status: int = 503):
        self.outcome, self.step, self.ids, self.status = outcome, step, ids, status
        super().__init__(message)


class IdempotencyMismatch(Exception):
    """The Idempotency-Key was already used with a different request."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"Idempotency-Key {key!r} was already used with a different request")


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request it was first used with


@dataclass(frozen=True)
class Written:
    """A persisted (or, for dry runs, merely judged) record, in its journaled shape."""

    record: dict
    replayed: bool  # True: an Idempotency-Key retry answered with the original record


class _Definite(Exception):
    """The database transaction did not commit."""


class _InDoubt(Exception):
    """The connection failed after COMMIT was sent: the transaction may have committed."""


@dataclass
class _Pending:
    kind: str
    record_id: str
    data: dict
    position: Position


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
        max_content_chars: int,
        home: Path,
        archive: Archive | None = None,
        memory_ttl_s: float = 1.0,
        on_journal_failure: Callable[[], None] | None = None,
    ):
        self.journal, self.pool, self.guidance = journal, pool, guidance
        self.node = node
        self.max_content_chars = max_content_chars
        self.home = home
        self.archive = archive
        self._pending: list[_Pending] = []
        self._pending_lock = threading.Lock()
        self._memory = _MemoryCache(pool, ttl_s=memory_ttl_s)
        self._on_journal_failure = on_journal_failure

    # -- the two write requests ------------------------------------------------------------

    def judge(
        self,
        fields: dict,
        *,
        level: str | None = None,
        dry_run: bool = False,
        idempotency: IdempotencyKey | None = None,
    ) -> Written:
        """Judge a cell and persist the judgment (unless dry_run)."""
        errors: dict[str, str] = {}
        try:
            validate_level(level)
        except InvalidCell as exc:
            errors.update(exc.errors)
        try:
            cell = Cell.create(max_content_chars=self.max_content_chars, **fields)
        except InvalidCell as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidCell(errors)
        judgment = judge(cell, level=level, memory=self._memory.get(), judgment_id=str(uuid.uuid4()))
        j = judgment.to_dict()
        record = {"judgment": j, "created_at": utc_now()}
        if dry_run:
            return Written(record, replayed=False)
        return self._persist(
            "judgment",
            j["judgment_id"],
            record,
            judgment=j,
            ids={"judgment_id": j["judgment_id"]},
            idempotency=idempotency,
        )

    def perceive(self, fields: dict, *, idempotency: IdempotencyKey | None = None) -> Written:
        """Record a perception (and its judgment, in the same transaction)."""
        p = Perception.create(fields, max_content_chars=self.max_content_chars)
        j = None
        if p.run_judgment:
            j = judge(
                p.cell, level=p.level, memory=self._memory.get(), judgment_id=str(uuid.uuid4())
            ).to_dict()
        record = {
            "perception_id": str(uuid.uuid4()),
            "source": p.source,
            "reality": p.cell.reality,
            "content": p.cell.content,
            "context": p.cell.context,
            "time_dim": p.cell.time_dim,
            "created_at": utc_now(),
            "judgment": j,
        }
        ids = {"perception_id": record["perception_id"]}
        if j is not None:
            ids["judgment_id"] = j["judgment_id"]
        return self._persist(
            "perception", record["perception_id"], record, judgment=j, ids=ids, idempotency=idempotency
        )

    # -- the ordered steps -------------------------------------------------------------------

    def _persist(
        self,
        kind: str,
        record_id: str,
        record: dict,
        *,
        judgment: dict | None,
        ids: dict,
        idempotency: IdempotencyKey | None,
    ) -> Written:
        self.settle_pending()
        data = record
        if idempotency is not None:
            earlier = self._earlier(kind, idempotency, ids)
            if earlier is not None:
                return Written(earlier, replayed=True)
            data = {**record, "idempotency": {"key": idempotency.key, "fingerprint": idempotency.fingerprint}}

        try:
            position = self.journal.append(kind, record_id, data)
        except JournalPoisoned as exc:
            self._journal_failed()
            raise self._fail(UNKNOWN, "journal", ids, exc) from exc
        except (JournalError, OSError) as exc:
            if self.journal.poisoned is not None:
                self._journal_failed()
            raise self._fail(NOT_WRITTEN, "journal", ids, exc) from exc

        pending = _Pending(kind, record_id, data, position)
        try:
            self._commit(pending)
        except _InDoubt as exc:
            self._remember(pending)
            raise self._fail(UNKNOWN, "database", ids, exc.__cause__) from exc
        except _Definite as exc:
            self._abort(pending, ids)
            if isinstance(exc.__cause__, repository.IdempotencyKeyTaken):
                # A concurrent request with the same key committed first: answer with its record.
                earlier = self._earlier(kind, idempotency, ids)
                if earlier is not None:
                    return Written(earlier, replayed=True)
            raise self._fail(NOT_WRITTEN, "database", ids, exc.__cause__) from exc
        self.journal.settle([position.seq])

        if judgment is not None:
            try:
                self.guidance.write(judgment, position)
            except (OSError, LockTimeout) as exc:
                raise self._fail(WRITTEN, "guidance", ids, exc) from exc
        return Written(record, replayed=False)

    def _journal_failed(self) -> None:
        """PostgreSQL's rule: after a failed fsync nobody knows what reached the disk, so this
        process's journal is never trusted again and the process asks to be replaced."""
        if self._on_journal_failure is not None:
            self._on_journal_failure()

    def _earlier(self, kind: str, idempotency: IdempotencyKey, ids: dict) -> dict | None:
        """The record an Idempotency-Key already stands for (None if unused); 422 on a new body."""
        try:
            with self.pool.connection() as conn:
                found = repository.find_idempotency_key(conn, idempotency.key)
                if found is None:
                    return None
                fingerprint, earlier_kind, earlier_id = found
                if fingerprint != idempotency.fingerprint or earlier_kind != kind:
                    raise IdempotencyMismatch(idempotency.key)
                metrics.idempotent_replays.inc()
                return repository.get_record(conn, earlier_kind, earlier_id)
        except (PoolTimeout, psycopg.Error) as exc:
            raise self._fail(NOT_WRITTEN, "database", ids, exc) from exc

    def _commit(self, pending: _Pending, *, timeout_s: float | None = None) -> None:
        """Apply one record in one transaction; classify any failure as definite or in doubt."""
        commit_sent = False
        started = time.perf_counter()
        try:
            with self.pool.connection(timeout=timeout_s) as conn, conn.transaction():
                repository.apply_record(
                    conn,
                    pending.kind,
                    pending.data,
                    node=self.node,
                    journal=pending.position.journal,
                    seq=pending.position.seq,
                )
                commit_sent = True  # leaving the block sends COMMIT
        except PoolTimeout as exc:
            metrics.db_errors.labels("unavailable").inc()
            raise _Definite() from exc
        except psycopg.OperationalError as exc:
            metrics.db_errors.labels("in_doubt" if commit_sent else "definite").inc()
            raise (_InDoubt() if commit_sent else _Definite()) from exc
        except (psycopg.Error, repository.IdempotencyKeyTaken) as exc:
            metrics.db_errors.labels("definite").inc()
            raise _Definite() from exc
        metrics.db_commit_seconds.observe(time.perf_counter() - started)
        metrics.db_commits.inc()

    def _abort(self, pending: _Pending, ids: dict) -> None:
        """Journal that the write did not happen, so recovery never resurrects it."""
        try:
            self._journal_abort(pending)
        except (JournalError, OSError) as exc:
            # Recovery would apply the unaborted record, so it must count as committed: keep it.
            self._remember(pending)
            raise self._fail(UNKNOWN, "database", ids, exc) from exc

    def _journal_abort(self, pending: _Pending) -> None:
        try:
            self.journal.append("abort", pending.record_id, {"ref_seq": pending.position.seq}, settled=True)
        except JournalError:
            if self.journal.poisoned is not None:
                self._journal_failed()
            raise
        self.journal.settle([pending.position.seq])

    def _fail(self, outcome: str, step: str, ids: dict, cause: BaseException | None) -> PersistenceError:
        reason = first_line(cause)
        log.error("write failed at %s (outcome %s) for %s: %s", step, outcome, ids, reason)
        metrics.outcomes.labels(outcome, step).inc()
        message = {
            NOT_WRITTEN: f"the write did not happen: {step} unavailable",
            UNKNOWN: f"the outcome is unknown: {step} failed mid-write; it will be resolved as committed",
            WRITTEN: "the judgment is stored, but guidance.json could not be updated",
        }[outcome]
        return PersistenceError(outcome=outcome, step=step, ids=ids, message=message)

    # -- in-doubt records ----------------------------------------------------------------------

    def _remember(self, pending: _Pending) -> None:
        with self._pending_lock:
            self._pending.append(pending)

    def settle_pending(self) -> int:
        """Re-apply records whose outcome was unknown; return how many remain unsettled."""
        with self._pending_lock:
            todo, self._pending = self._pending, []
        remaining = []
        for pending in todo:
            try:
                # A short wait: a request must not spend its time budget on older records.
                self._commit(pending, timeout_s=SETTLE_TIMEOUT_S)
            except (_Definite, _InDoubt) as exc:
                if isinstance(exc.__cause__, repository.IdempotencyKeyTaken):
                    # It never committed (the key went to another record): it never can.
                    self._abort_superseded(pending)
                    continue
                log.warning(
                    "in-doubt %s %s still unsettled: %s", pending.kind, pending.record_id, exc.__cause__
                )
                remaining.append(pending)
                continue
            log.warning("in-doubt %s %s resolved as committed", pending.kind, pending.record_id)
            self.journal.settle([pending.position.seq])
            judgment = pending.data.get("judgment")
            if judgment is not None:
                try:
                    self.guidance.write(judgment, pending.position)
                except (OSError, LockTimeout) as exc:
                    log.error("guidance not updated for settled %s: %s", pending.record_id, exc)
        with self._pending_lock:
            self._pending[:0] = remaining
            return len(self._pending)

    def _abort_superseded(self, pending: _Pending) -> None:
        try:
            self._journal_abort(pending)
        except (JournalError, OSError) as exc:
            log.error("could not journal the abort of superseded %s: %s", pending.record_id, exc)
            self._remember(pending)
            return
        log.warning(
            "in-doubt %s %s lost its Idempotency-Key to another record: aborted",
            pending.kind,
            pending.record_id,
        )

    def settle_closed_journals(self) -> Settled:
        """Settle the journals of this node's processes that are gone.

        The gunicorn master does this the moment a worker exits; this catches what it could not
        (the database was down then). Raise what stopped it (database, disk, corruption).
        """
        with self.pool.connection(timeout=SETTLE_TIMEOUT_S) as conn:
            return settle_closed(
                conn,
                self.home,
                node=self.node,
                guidance=self.guidance,
                archive=self.archive,
                fs=self.journal.fs,
            )

    # -- reads ---------------------------------------------------------------------------------

    def get_judgment(self, judgment_id: str) -> dict | None:
        with self.pool.connection() as conn:
            return repository.get_judgment(conn, judgment_id)

    def get_perception(self, perception_id: str) -> dict | None:
        with self.pool.connection() as conn:
            return repository.get_perception(conn, perception_id)

    def state(self, recent: int) -> dict:
        with self.pool.connection() as conn:
            return repository.load_state(conn, recent).to_dict()


class _MemoryCache:
    """The recent judgments the dogs learn from, refreshed at most every ttl_s seconds."""

    RECENT = 89
    CONTENT_CHARS = 2000
    TIMEOUT_S = 0.25  # judging never waits long for memory: it is an input, not a requirement

    def __init__(self, pool: ConnectionPool, *, ttl_s: float):
        self.pool, self.ttl_s = pool, ttl_s
        self._memory = Memory()
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def get(self) -> Memory:
        now = time.monotonic()
        if now - self._loaded_at < self.ttl_s or not self._lock.acquire(blocking=False):
            return self._memory
        try:
            with self.pool.connection(timeout=self.TIMEOUT_S) as conn:
                rows = repository.recent_judgments(conn, self.RECENT, content_chars=self.CONTENT_CHARS)
            self._memory = Memory.from_judgments(rows)
        except (psycopg.Error, PoolTimeout) as exc:
            log.warning("memory not refreshed, judging with the previous one: %s", exc)
        finally:
            self._loaded_at = time.monotonic()
            self._lock.release()
        return self._memory
