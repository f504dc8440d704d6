"""The write path: the ONE place where the order journal → PostgreSQL → guidance.json lives.

A batch of writes (the requests waiting at the same moment: group_commit.py) is acknowledged
only after all of these, in this order, each finished before the next starts:

1. every record is appended to this process's journal and fsynced: one write, one fsync (its
   stamps first catch up with the one guidance.json names);
2. every record is inserted into PostgreSQL in one committed transaction, together with the
   records still in doubt from earlier batches: one transaction, whose COMMIT MUST be seen to
   commit it (a COMMIT that finds no transaction open is answered like one that did);
3. guidance.json durably names the batch's newest judgment, or a newer one: one replacement,
   its lock waited for until the batch's budget is spent.

"Finished before the next starts" is about what becomes durable or visible. BEGIN, the INSERTs
and the COMMIT travel in one pipeline, whose sync brings every result back (one round trip,
two with an Idempotency-Key). Step 1's fsync runs while the server runs the INSERTs; the COMMIT
is sent only once the fsync has returned, and when it fails the transaction is rolled back,
never committed. The server skips the COMMIT when a statement before it failed (the transaction
is then known not to have committed), and cancels a statement that outlasts the batch's budget
before the client would cut the connection, so a COMMIT is in doubt only when the connection
is lost after it was sent. Meanwhile, from the moment the INSERTs are sent, a thread beside the
batch writes guidance.json's next version under a temporary name, fsynced and invisible (its
fsync overlaps the journal's; joined before step 3 and before any other write of the batch);
only its rename, after the COMMIT is confirmed, makes anyone see it.

Recovery relies on every row in PostgreSQL having its record in a journal, and guidance.json on
naming only committed judgments. What each record's client is told when a step fails is in
outcomes.py, and stays exact per record: a record that lost its Idempotency-Key to another is
left out of the transaction alone; a transaction the server rejects, or one kept waiting for a
key another transaction holds, is retried record by record;
a transaction that could not reach the database makes every new record ``not_written`` (each
with its abort record), a COMMIT cut off (or not seen to commit) makes every record of the
batch ``unknown``, and guidance.json not replaced in time makes the stored ones ``written``.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout

from .. import metrics
from ..durability.guidance import GuidanceWriter, Prepared
from ..durability.journal import JournalError, JournalPoisoned, JournalWriter, Position
from ..durability.journal.writer import Appended
from ..store import repository
from ..store.commit import CommitNotConfirmed, send_commit
from ..store.deadline import bounded
from ..store.pool import checkouts_by
from ..store.repository import Stored
from .outcomes import NOT_WRITTEN, UNKNOWN, WRITTEN, IdempotencyMismatch
from .writes import Write, record_ids

log = logging.getLogger(__name__)
#: A request answers within about 2 s even when the database does not: what is left of this,
#: counted from the batch's oldest request, bounds the wait for a connection and the transaction.
BUDGET_S = 1.8
#: Resolving records in doubt on their own (the recovery timer, node/runtime.py) gets this much.
DOUBT_BUDGET_S = 1.0
#: How long a batch waits for an Idempotency-Key another transaction has claimed and not yet
#: decided (another worker's COMMIT is normally milliseconds away). Past it the batch is refused
#: and its records go alone, so only the keyed record fails (not_written; its retry finds the key).
KEY_WAIT_S = 0.25
#: A record retried alone (the server refused its batch) gets at least this long while the
#: batch's budget lasts; below it, the records left are not_written without trying.
MIN_ALONE_S = 0.05
#: The transaction's statements get the server's statement_timeout set to what is left of its
#: budget less this, or less half of it when that is shorter (never more than the role's own):
#: the server then cancels a statement that stalls before the client cuts the connection, so
#: the transaction is known not to have committed (its COMMIT, sent in the same pipeline, is
#: skipped) instead of being in doubt.
SERVER_MARGIN_S = 0.05
#: guidance.json.lock is waited for until the batch's budget is spent, but at least this long
#: (other workers hold it for a replacement: milliseconds).
GUIDANCE_MIN_WAIT_S = 0.2


class _Unavailable(Exception):
    """The transaction did not commit: the database could not be reached, or not in time."""


class _OutOfTime(_Unavailable):
    """The writes ahead of the batch (a guidance.json lock another process held, say) left it no
    time for the database: nothing was tried, and the database is not to blame."""


class _InDoubt(Exception):
    """The connection failed after COMMIT was sent: the transaction may have committed."""


class _Rejected(Exception):
    """The server refused the transaction (an error in the statements, not the connection)."""


class _JournalLost(Exception):
    """The batch's journal fsync failed: its records may or may not be on disk, so the
    transaction is rolled back (never committed) and the process's journal is done."""


class _Fsync:
    """A batch's journal fsync, run in the batch's thread the first time it is asked to (while
    the server runs the INSERTs, or when they failed before that); a failure is kept."""

    def __init__(self, journal: JournalWriter, appended: Appended):
        self._pending: tuple[JournalWriter, Appended] | None = (journal, appended)
        self.error: JournalPoisoned | None = None

    def run(self) -> None:
        if self._pending is None:
            return
        (journal, appended), self._pending = self._pending, None
        try:
            journal.await_durable(appended)
        except JournalPoisoned as exc:  # kept: confirm() answers with it
            self.error = exc

    def confirm(self) -> None:
        """Run the fsync if it has not run yet; raise _JournalLost when it failed."""
        self.run()
        if self.error is not None:
            raise _JournalLost() from self.error


class WritePath:
    """Runs batches through the ordered steps. One per process; one batch at a time.

    The batch's connection is the batch's alone while it runs: ``close`` MUST NOT hand it back
    to the pool under it (the pool would roll its transaction back before the COMMIT).
    """

    def __init__(
        self,
        *,
        journal: JournalWriter,
        pool: ConnectionPool,
        guidance: GuidanceWriter,
        node: str,
        pool_timeout_s: float = 1.0,
        budget_s: float = BUDGET_S,
        on_journal_failure: Callable[[], None] | None = None,
    ):
        self.journal, self.pool, self.guidance, self.node = journal, pool, guidance, node
        self.pool_timeout_s = pool_timeout_s
        self.budget_s = budget_s
        self.on_journal_failure = on_journal_failure
        self._conn: psycopg.Connection | None = None  # used by one batch at a time
        self._doubt: list[Write] = []  # COMMIT outcome unknown: resolved as committed
        self._doubt_lock = threading.Lock()
        self._state = threading.Lock()  # _running and _closing
        self._running = False  # a batch runs: the connection is its own
        self._closing = False
        #: A seam for tests: called with the connection between a batch's INSERTs and its COMMIT.
        self.before_commit: Callable[[psycopg.Connection], None] | None = None
        self._beside: ThreadPoolExecutor | None = None  # prepares guidance.json during transactions
        self._beside_pid: int | None = None
        self._preparing: tuple[Position, Future] | None = None  # the running batch's only

    @property
    def in_doubt(self) -> int:
        with self._doubt_lock:
            return len(self._doubt)

    def write(self, batch: list[Write]) -> None:
        """Take new writes (and the records in doubt) through every step.

        Afterwards every write has its ``error`` (a PersistenceError telling the truth, or an
        IdempotencyMismatch) or none: acknowledged, with ``earlier`` set when it is answered
        with the record its Idempotency-Key already stood for. An empty batch resolves the
        records in doubt.
        """
        with self._state:
            self._running = True
        try:
            oldest = min((w.submitted for w in batch), default=None)
            deadline = oldest + self.budget_s if oldest is not None else time.monotonic() + DOUBT_BUDGET_S
            journaled, synced = self._journal(batch)
            if batch and not journaled:
                return  # the journal failed: every answer is known, and the database can wait
            committed = self._store(journaled, deadline, synced)
            self._name_in_guidance(committed, deadline)
        finally:
            self.guidance.discard(self._prepared())  # not installed: the batch failed on the way
            with self._state:
                self._running = False
                if self._closing:  # close() left the connection to this batch
                    self._drop_connection()

    # -- 1. the journal ----------------------------------------------------------------------

    def _journal(self, batch: list[Write]) -> tuple[list[Write], _Fsync | None]:
        """Write the batch's records to the journal; return them with their fsync, run while
        the server runs the batch's INSERTs (the COMMIT waits for it: ``_Fsync.confirm``)."""
        if not batch:
            return [], None
        try:
            self.guidance.catch_up()  # stamps never behind what another process named
        except OSError as exc:  # the write goes on; guidance.json is replaced (or fails) after it
            log.warning("guidance.json not read before stamping a batch: %s", exc)
        try:
            appended = self.journal.write_many([(w.kind, w.record_id, w.payload, False) for w in batch])
        except JournalPoisoned as exc:
            # On disk or not, nobody knows (an fsync failed, or a failed write could not be cut
            # off): recovery settles this process's journal once the process has exited (this
            # ends it), applying whatever it finds.
            self._journal_failed()
            for w in batch:
                w.fail(UNKNOWN, "journal", exc)
            return [], None
        except JournalError as exc:  # nothing of the batch is on disk
            if self.journal.poisoned is not None:
                self._journal_failed()
            for w in batch:
                w.fail(NOT_WRITTEN, "journal", exc)
            return [], None
        for w, position in zip(batch, appended.positions, strict=True):
            w.position = position
        metrics.batch_records.observe(len(batch))
        return batch, _Fsync(self.journal, appended)

    def _journal_failed(self) -> None:
        """PostgreSQL's rule: after a failed fsync nobody knows what reached the disk, so this
        process's journal is never trusted again and the process asks to be replaced."""
        if self.on_journal_failure is not None:
            self.on_journal_failure()

    # -- 2. PostgreSQL -------------------------------------------------------------------------

    def _store(self, journaled: list[Write], deadline: float, synced: _Fsync | None = None) -> list[Write]:
        """Commit the batch with the records in doubt by the batch's deadline, once its journal
        fsync (synced) has returned; return the writes whose judgment guidance.json may name:
        committed now, or answered with their key's earlier record.

        A write whose client still waits is not ``done``; one in doubt from an earlier batch is.
        """
        with self._doubt_lock:
            doubt, self._doubt = self._doubt, []
        todo = journaled + doubt
        if not todo:
            return []
        try:
            stored = self._commit(todo, deadline - time.monotonic(), synced)
        except _JournalLost as exc:  # no COMMIT was sent: the database has none of them
            self._journal_failed()
            self._keep_in_doubt(doubt)
            for w in journaled:
                w.fail(UNKNOWN, "journal", exc.__cause__)
            return []
        except _InDoubt as exc:
            self._keep_in_doubt(todo)
            for w in journaled:
                w.fail(UNKNOWN, "database", exc.__cause__)
            return []
        except _Unavailable as exc:
            self._keep_in_doubt(doubt)
            self._abort(journaled, exc.__cause__, step="queue" if isinstance(exc, _OutOfTime) else "database")
            return []
        except _Rejected:
            return self._one_by_one(todo, deadline)
        except BaseException:
            # a bug, not a fault: the batch's journal fsync has returned (a failed one is answered
            # above), so whatever the database did, all of them stay in doubt and the next batch
            # resolves them as committed (their clients are told the outcome is unknown)
            self._keep_in_doubt(todo)
            raise
        return self._committed(todo, stored, deadline)

    def _commit(self, writes: list[Write], budget_s: float, synced: _Fsync | None = None) -> Stored:
        """Store the writes in one transaction within budget_s, its COMMIT sent only once the
        journal fsync synced (when given) has returned; classify any failure. Whatever happens,
        this returns only once that fsync has: a failed one (``_JournalLost``) is the answer,
        whatever the database did (it committed nothing). It also returns only once
        guidance.json's preparation has: nothing else of the batch touches the disk before."""
        try:
            return self._transaction(writes, budget_s, synced)
        except _JournalLost:
            raise
        except BaseException:
            if synced is not None:
                synced.confirm()  # raises _JournalLost instead, when the fsync failed too
            raise
        finally:
            self._await_preparation()

    def _transaction(self, writes: list[Write], budget_s: float, synced: _Fsync | None) -> Stored:
        if budget_s < 0.05:
            raise _OutOfTime() from TimeoutError("the writes ahead left no time for the database")
        rows = [w.rows() for w in writes]
        deadline = time.monotonic() + budget_s

        def meanwhile() -> bool:  # the INSERTs are on their way: guidance.json, the fsync
            self._prepare_guidance(writes)
            if synced is None:
                return True
            synced.run()
            return synced.error is None  # COMMIT only once the journal is durable

        for attempt in (1, 2):
            progress = _Progress()
            started = time.perf_counter()
            try:
                conn = self._connection(min(self.pool_timeout_s, deadline - time.monotonic()))
                with bounded(conn, deadline - time.monotonic()):
                    try:
                        stored = _store_and_commit(
                            conn,
                            rows,
                            node=self.node,
                            timeout_s=_server_limit(deadline - time.monotonic()),
                            meanwhile=meanwhile,
                            before_commit=self.before_commit,
                            progress=progress,
                        )
                    except (psycopg.Error, CommitNotConfirmed):
                        raise
                    except BaseException:  # a bug: the transaction ends with the connection
                        self._drop_connection()
                        raise
                    if not progress.commit_sent:  # the journal fsync failed: never committed
                        self._roll_back(conn)
                        synced.confirm()  # raises _JournalLost
                        raise AssertionError("unreachable: COMMIT is held back only for a failed fsync")
            except CommitNotConfirmed as exc:
                self._drop_connection()
                metrics.db_errors.labels("in_doubt").inc()
                log.error("a batch of %d records is in doubt: %s", len(writes), exc)
                raise _InDoubt() from exc
            except PoolTimeout as exc:
                metrics.db_errors.labels("unavailable").inc()
                raise _Unavailable() from exc
            except psycopg.errors.LockNotAvailable as exc:  # a key another transaction holds, mostly
                metrics.db_errors.labels("key_busy").inc()
                log.warning(
                    "a batch of %d records waited too long for a lock another transaction holds"
                    " (an Idempotency-Key's, or a row's under the database's lock_timeout): %s",
                    len(writes),
                    exc,
                )
                raise _Rejected() from exc
            except psycopg.errors.QueryCanceled as exc:
                if progress.commit_sent:  # the COMMIT's outcome is not known: as if it were cut off
                    self._drop_connection()
                    metrics.db_errors.labels("in_doubt").inc()
                    raise _InDoubt() from exc
                # statement_timeout (the role's, behind PgBouncer) or a cancel: the server refused
                # this transaction, not the connection, so its records go alone
                metrics.db_errors.labels("rejected").inc()
                log.error("a batch of %d records was cancelled by the server: %s", len(writes), exc)
                raise _Rejected() from exc
            except psycopg.OperationalError as exc:
                self._drop_connection()
                if not progress.commit_sent and attempt == 1 and deadline - time.monotonic() > 0.05:
                    continue  # no COMMIT was sent, so nothing is stored: try a fresh connection
                metrics.db_errors.labels("in_doubt" if progress.commit_sent else "unavailable").inc()
                raise (_InDoubt() if progress.commit_sent else _Unavailable()) from exc
            except psycopg.Error as exc:
                metrics.db_errors.labels("rejected").inc()
                log.error("the database rejected a batch of %d records: %s", len(writes), exc)
                raise _Rejected() from exc
            metrics.db_commit_seconds.observe(time.perf_counter() - started)
            metrics.db_commits.inc()
            return stored
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _roll_back(self, conn: psycopg.Connection) -> None:
        """End the open transaction without committing it; a connection that cannot is
        dropped (its transaction ends with it)."""
        try:
            conn.rollback()
        except psycopg.Error as exc:
            log.warning("ROLLBACK failed; the connection is dropped: %s", exc)
            self._drop_connection()

    def _connection(self, timeout_s: float) -> psycopg.Connection:
        """The write path's connection, kept across batches (borrowed from the pool once, so
        the pool's check does not cost every batch a round trip); replaced when it fails."""
        if self._conn is None:
            timeout_s = max(timeout_s, 0.01)
            with checkouts_by(time.monotonic() + timeout_s):
                self._conn = self.pool.getconn(timeout=timeout_s)
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self.pool.putconn(conn)  # broken: the pool discards it

    def close(self) -> None:
        """Give the write path's connection back (the process is stopping); if a batch is
        running, leave it the connection: it gives it back when it ends."""
        with self._state:
            self._closing = True  # and no thread beside is started from now on
            running = self._running
            if not running:
                self._drop_connection()
        if self._beside is not None and self._beside_pid == os.getpid():
            self._beside.shutdown(wait=False)  # a batch still running joins its preparation itself
        if running:
            log.warning("the write path closes while a batch runs: the batch gives its connection back")

    def _one_by_one(self, writes: list[Write], deadline: float) -> list[Write]:
        """The server refused a batch: try each record alone, so only the ones it refuses fail,
        all within the batch's deadline. Records without an Idempotency-Key go first (they
        cannot wait on a key another transaction holds), and each gets an even share of the
        time left (at least MIN_ALONE_S, or KEY_WAIT_S more for a keyed one, while there is that
        much), so one record the server stalls on costs the others nothing. The records that
        did not commit are aborted together: one journal append and one fsync (a record still
        in doubt from an earlier batch stays in doubt: whatever stored it, if anything, was not
        this transaction)."""
        order = sorted(writes, key=lambda w: w.idempotency is not None)
        committed: list[Write] = []
        refused: dict[str, BaseException | None] = {}
        for i, w in enumerate(order):
            left = deadline - time.monotonic()
            if left < MIN_ALONE_S:
                for rest in order[i:]:
                    refused[rest.record_id] = TimeoutError("no time was left for the database")
                break
            # a keyed record may wait KEY_WAIT_S for its key: a share shorter than that would cut
            # a wait its key's holder could still end in time
            floor = KEY_WAIT_S + MIN_ALONE_S if w.idempotency is not None else MIN_ALONE_S
            try:
                stored = self._commit([w], min(left, max(left / (len(order) - i), floor)))
            except _InDoubt as exc:
                self._keep_in_doubt([w])
                if not w.done:
                    w.fail(UNKNOWN, "database", exc.__cause__)
                continue
            except (_Unavailable, _Rejected) as exc:
                refused[w.record_id] = exc.__cause__
                continue
            committed += self._committed([w], stored, deadline)
        self._keep_in_doubt([w for w in order if w.record_id in refused and w.done])
        self._abort([w for w in order if w.record_id in refused and not w.done], None, causes=refused)
        return committed

    def _committed(self, writes: list[Write], stored: Stored, deadline: float) -> list[Write]:
        """The transaction committed: resolve its records, answer the superseded ones (their
        keys' records read back by the batch's deadline)."""
        committed = [w for w in writes if w.record_id not in stored.superseded]
        superseded = [w for w in writes if w.record_id in stored.superseded]
        self.journal.resolve([w.position.seq for w in committed])
        for w in committed:
            if w.done:
                log.warning("in-doubt %s %s resolved as committed", w.kind, w.record_id)
        if superseded:
            self._supersede(superseded, stored, deadline)
        return committed + [w for w in superseded if w.earlier is not None]

    def _supersede(self, writes: list[Write], stored: Stored, deadline: float) -> None:
        """Their Idempotency-Key stands for another record: they never commit (an abort record
        says so) and are answered with that record, read back by deadline, or refused when the
        key's request differs."""
        try:
            self._journal_aborts(writes)
        except JournalError as exc:  # recovery leaves them out all the same: the key is taken
            log.warning("abort records of %d superseded records not journaled: %s", len(writes), exc)
            if self.journal.poisoned is not None:
                self._journal_failed()
        self.journal.resolve([w.position.seq for w in writes])
        for w in writes:
            fingerprint, kind, owner = stored.superseded[w.record_id]
            if w.done:
                log.warning(
                    "in-doubt %s %s lost its Idempotency-Key to %s: aborted", w.kind, w.record_id, owner
                )
            elif not w.idempotency.matches(fingerprint) or kind != w.kind:
                w.error = IdempotencyMismatch(w.idempotency.key)
            else:
                self._answer_with_earlier(w, kind, owner, deadline)

    def _answer_with_earlier(self, w: Write, kind: str, owner: str, deadline: float) -> None:
        """w is answered with the record its key stands for (committed: the key row is), and
        every answer about it names that record from now on. Never with w itself: it is aborted.
        The record is read back within what is left of the batch's budget, shared by every
        superseded write of the batch: past it, w is answered ``written`` without it."""
        w.ids = {f"{kind}_id": owner}
        left = deadline - time.monotonic()
        if left <= 0:
            w.fail(WRITTEN, "database", TimeoutError("no time was left to read the key's record back"))
            return
        try:
            with (
                checkouts_by(deadline),
                self.pool.connection(timeout=min(self.pool_timeout_s, left)) as conn,
                bounded(conn, deadline - time.monotonic()),
            ):
                earlier = repository.get_record(conn, kind, owner)
        except (PoolTimeout, psycopg.Error) as exc:
            w.fail(WRITTEN, "database", exc)  # stored, as the key's record; not read back
            return
        w.earlier = earlier
        w.ids = record_ids(kind, earlier)
        metrics.idempotent_replays.inc()

    def _abort(
        self,
        writes: list[Write],
        cause: BaseException | None,
        *,
        causes: dict[str, BaseException | None] | None = None,
        step: str = "database",
    ) -> None:
        """They did not commit: journal that they never will, then answer not_written at step
        (with cause, or each with its own from causes, by record id)."""
        if not writes:
            return
        try:
            self._journal_aborts(writes)
        except JournalPoisoned as exc:
            # The abort records may or may not be on disk: recovery decides from the disk, once
            # this process (which a failed fsync ends) is gone. Not kept in doubt here.
            self._journal_failed()
            for w in writes:
                w.fail(UNKNOWN, "journal", exc)
            return
        except JournalError as exc:
            # Not journaled: recovery would apply them, so they count as committed.
            if self.journal.poisoned is not None:
                self._journal_failed()
            self._keep_in_doubt(writes)
            for w in writes:
                w.fail(UNKNOWN, "database", exc)
            return
        self.journal.resolve([w.position.seq for w in writes])
        for w in writes:
            w.fail(NOT_WRITTEN, step, causes.get(w.record_id, cause) if causes else cause)

    def _journal_aborts(self, writes: list[Write]) -> None:
        self.journal.append_many([("abort", w.record_id, {"ref_seq": w.position.seq}, True) for w in writes])

    def _keep_in_doubt(self, writes: list[Write]) -> None:
        with self._doubt_lock:
            self._doubt.extend(writes)

    # -- 3. guidance.json ------------------------------------------------------------------------

    def _prepare_guidance(self, writes: list[Write]) -> None:
        """Once the INSERTs are sent, while the server runs them and the journal fsync runs: in
        the thread beside the batch, write guidance.json's next version for the newest judgment
        of the transaction. Step 3 installs it if the transaction commits and that judgment is
        still the one to name (its Idempotency-Key may turn out to stand for another record);
        else (the fsync failed too) it is removed. A preparation left by an earlier attempt of
        the same batch is removed first."""
        self.guidance.discard(self._prepared())
        candidates = [(w.position, w.judgment) for w in writes if w.judgment is not None]
        if not candidates or self._closing:  # stopping: step 3 writes the file itself
            return
        position, judgment = max(candidates, key=lambda c: c[0])
        try:
            preparing = self._beside_executor().submit(self.guidance.prepare, judgment, position)
            self._preparing = (position, preparing)
        except RuntimeError as exc:  # shut down meanwhile: step 3 writes the file itself
            log.warning("guidance.json not prepared during the transaction: %s", exc)

    def _beside_executor(self) -> ThreadPoolExecutor:
        """The one thread beside the batch, which prepares guidance.json's next version."""
        if self._beside is None or self._beside_pid != os.getpid():  # first use in this process
            self._beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cynic-guidance")
            self._beside_pid = os.getpid()
        return self._beside

    def _await_preparation(self) -> None:
        """Wait until the preparation (if any) has finished: the batch's next disk writes
        (abort records, guidance.json) come after it, in one order whatever the threads do."""
        if self._preparing is not None:
            wait([self._preparing[1]])

    def _prepared(self) -> Prepared | None:
        """Join the preparation, if any: the prepared version (with its error if it failed)."""
        if self._preparing is None:
            return None
        (position, future), self._preparing = self._preparing, None
        try:
            return future.result()
        except OSError as exc:
            return Prepared(position, None, error=exc)

    def _name_in_guidance(self, writes: list[Write], deadline: float) -> None:
        """Name the newest judgment committed now, or answered as an earlier record, waiting
        for guidance.json.lock until the batch's deadline (GUIDANCE_MIN_WAIT_S at least): past it, the
        records are stored and their clients are told so (``written``). The version prepared
        during the transaction is installed when it names that judgment (when preparing it failed,
        so does this step, unless a newer judgment is named already)."""
        prepared = self._prepared()
        candidates = [
            (w.position, w.judgment) for w in writes if w.earlier is None and w.judgment is not None
        ]
        candidates += [c for w in writes if w.earlier is not None and (c := earlier_candidate(w.earlier))]
        if not candidates:
            self.guidance.discard(prepared)
            return
        position, judgment = max(candidates, key=lambda c: c[0])
        try:
            self.guidance.write(
                judgment,
                position,
                timeout_s=max(deadline - time.monotonic(), GUIDANCE_MIN_WAIT_S),
                prepared=prepared,
            )
        except OSError as exc:  # GuidanceBusy (the lock stayed held) among them
            for w in writes:
                if not w.done and w.error is None:
                    w.fail(WRITTEN, "guidance", exc)


def _server_limit(budget_s: float) -> float:
    """The statement_timeout for a transaction with budget_s left: SERVER_MARGIN_S less, so the
    server's cancel arrives before the client's cut, or half of it when it is that short (a
    record retried alone may get 50 ms: 1 ms would refuse a record the server stores in 3)."""
    return budget_s - min(SERVER_MARGIN_S, budget_s / 2)


class _Progress:
    """How far a transaction got: once its COMMIT may have been sent, a connection lost (or a
    COMMIT cancelled) leaves its outcome unknown."""

    commit_sent = False


def _store_and_commit(
    conn: psycopg.Connection,
    rows: list,
    *,
    node: str,
    timeout_s: float,
    meanwhile: Callable[[], bool],
    progress: _Progress,
    before_commit: Callable[[psycopg.Connection], None] | None = None,
) -> Stored:
    """BEGIN, store the rows and COMMIT in one pipeline: one round trip with its sync, which
    brings every result back. ``meanwhile`` (which MUST NOT raise) runs while the server runs the
    INSERTs; COMMIT is sent after it, and only when it says so (the journal fsync has returned),
    else the transaction is left open for the caller to roll back. The server runs COMMIT only
    when every statement before it succeeded: when one failed, its error is raised here, the
    transaction rolled back and ``progress.commit_sent`` false. Each statement is cancelled by
    the server past timeout_s (the role's statement_timeout when that is shorter), which makes a
    stalled INSERT such a failure rather than a connection cut while COMMIT is on its way.
    Before COMMIT goes, a server that has spoken unasked (in a pipeline it answers only a sync,
    so that is an error that ended the connection: a backend terminated, a server shutting
    down) is heard out with a sync first, so that a connection lost during the fsync leaves the
    transaction known not to have committed (and the caller tries again) rather than in doubt.
    ``before_commit``, a seam for tests, runs just before COMMIT is sent, once the INSERTs'
    results are back."""
    sent_commit = None
    try:
        try:
            with conn.pipeline() as pipeline:
                conn.execute("BEGIN")
                repository.limit_statements(conn, timeout_s)
                sent = repository.send_records(conn, rows, node=node, key_wait_s=KEY_WAIT_S)
                if meanwhile():
                    if before_commit is not None or _said_something(conn):
                        pipeline.sync()  # raises what the server said (or the connection's end)
                    if before_commit is not None:
                        before_commit(conn)
                    progress.commit_sent = True  # from here on, it may reach the server
                    sent_commit = send_commit(conn)
            stored = sent.result()
        finally:
            if sent_commit is not None:
                sent_commit.forget()
    except psycopg.Error:
        # Still in the transaction: a statement before COMMIT failed (QueryCanceled, an
        # OperationalError, among them) and the server skipped the rest, or the error came before
        # COMMIT was sent. Nothing committed. Otherwise the connection is gone, and with it the
        # transaction (committed or not, once COMMIT may have been sent), or COMMIT itself failed.
        if conn.info.transaction_status in (TransactionStatus.INERROR, TransactionStatus.INTRANS):
            progress.commit_sent = False
            conn.rollback()  # also forgets what psycopg took for prepared in the skipped statements
        raise
    if sent_commit is not None:
        sent_commit.confirm()
    return stored


def _said_something(conn: psycopg.Connection) -> bool:
    """Whether the server has sent anything not yet read (a poll that does not wait; poll, not
    select, which refuses descriptors numbered past 1023)."""
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


def earlier_candidate(earlier: dict) -> tuple[Position, dict] | None:
    """(position, judgment) of a stored record, for guidance.json; None when it has neither."""
    judgment, position = earlier.get("judgment"), earlier.get("position")
    if judgment is None or position is None:
        return None
    return Position(*position), judgment
