"""The one writer of one journal: numbered lines, group commit among threads, self-pruning.

A JournalWriter creates a journal of its own (``<root>/<name>/``) on its first append and holds
that journal's ``lock`` until it is closed or its process dies; nothing else ever writes, cuts
or deletes a file of a journal whose lock is held. From before it creates its journal it also
holds ``<root>/writers.lock`` shared, so that recovery, which takes it exclusively, knows no
writer of the home is alive (not even one half-way through creating its journal). Inside the
process, many threads append:

- a thread serialises its payload outside every lock, then, under the writer's mutex, takes the
  next seqs and a ts from the clock and writes its lines with one ``write``;
- it then waits until an fsync that *started after its write* has returned. One waiting thread
  runs that fsync for everybody whose lines were written before it began (group commit);
- a full segment is fsynced whole and closed before the next one is created, and the new
  segment's name is made durable (directory fsync) before a byte goes into it.

A failed write is cut off again (truncate) and reported as not journaled. A failed fsync of a
file or a directory, or a failed cut, *poisons* the writer: it cannot know what reached the
disk, so it refuses every later append and its process MUST end (PostgreSQL's rule); the
journal is then closed and settled by recovery, which never trusts this process's view.

Each record is *unresolved* from its append until the caller says it is resolved (committed in
PostgreSQL, or aborted). A closed segment whose records are all resolved is retired (``retire``:
moved to the archive, or deleted), oldest first, each retirement made durable before the next:
a power loss can only leave a suffix.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ... import metrics
from .. import locks
from ..fsio import FS, OS_FS
from .clock import Clock, Position
from .errors import JournalPoisoned, JournalRefused, JournalWriteFailed
from .layout import LOCK_NAME, WRITERS_LOCK_NAME, new_journal_name, segment_name
from .record import encode_payload, frame

log = logging.getLogger(__name__)
DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024

#: (kind, record id, data, resolved at birth) — an abort record is resolved the moment it is durable.
#: data is the record's dict, or its payload already encoded (record.encode_payload's framing).
Entry = tuple[str, str, "dict | bytes", bool]


@dataclass(frozen=True)
class Appended:
    """Records written by ``write_many``: their positions, and the write's generation, which
    ``await_durable`` waits to see covered by an fsync."""

    positions: list[Position]
    generation: int
    rotated: bool  # the write closed the segment before it
    kinds: list[str]
    nbytes: int


class JournalWriter:
    """Appends durable records to its own journal. Thread-safe; one per process.

    MUST be created in the process that uses it (after gunicorn's fork): it holds descriptors.
    """

    def __init__(
        self,
        root: Path,
        *,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        fs: FS = OS_FS,
        clock: Clock | None = None,
        retire: Callable[[Path], None] | None = None,
    ):
        self.root = Path(root)
        self.name = new_journal_name()
        self.directory = self.root / self.name
        self.segment_bytes = segment_bytes
        self.fs = fs
        self.clock = clock or Clock()
        self._retire_segment = retire or fs.unlink
        self._pid = os.getpid()
        self._mutex = threading.Lock()  # the open segment, seqs, and the bookkeeping below
        self._lock_fd: int | None = None
        self._share_fd: int | None = None  # writers.lock, shared: a writer of this home is alive
        self._fd: int | None = None
        self._first = 1  # first seq of the open segment
        self._offset = 0
        self._last_seq = 0
        self._written = 0  # successful writes so far (a generation count)
        self._synced = 0  # every write up to this generation is durable
        self._synced_seq = 0  # ... and every record up to this seq
        self._syncing = False
        self._group = threading.Condition()
        self._poison: BaseException | None = None
        self._closed_for_good = False
        self._unresolved: set[int] = set()
        self._closed: deque[tuple[int, int, Path]] = deque()  # (first, last seq, path), oldest first
        self._retiring = threading.Lock()
        self._retire_failed = False
        self.fsyncs = 0
        self.retired = 0

    @property
    def poisoned(self) -> BaseException | None:
        return self._poison

    def append(self, kind: str, record_id: str, data: dict, *, resolved: bool = False) -> Position:
        """Write one record durably and return its position; see ``append_many``."""
        return self.append_many([(kind, record_id, data, resolved)])[0]

    def append_many(self, entries: Sequence[Entry]) -> list[Position]:
        """Write records with one write, return once an fsync covers them, in entry order.

        Raise JournalWriteFailed or JournalRefused when nothing was journaled, JournalPoisoned
        when the fsync that was to cover them failed, or a failed write could not be cut off:
        whether they are on disk is unknown.
        """
        written = self.write_many(entries)
        self.await_durable(written)
        return written.positions

    def write_many(self, entries: Sequence[Entry]) -> Appended:
        """The first half of ``append_many``: write the records with one write and return
        without waiting for their fsync. They are NOT durable until ``await_durable`` of the
        result returns: nothing may rely on them before (the write path commits only then).
        Raise JournalWriteFailed or JournalRefused when nothing was journaled."""
        payloads = [  # serialised outside every lock
            data if isinstance(data, bytes) else encode_payload(kind, rid, data)
            for kind, rid, data, _ in entries
        ]
        with self._mutex:
            self._check_usable()
            ts = [self.clock.now() for _ in entries]
            seqs = range(self._last_seq + 1, self._last_seq + 1 + len(entries))
            sync = self._synced_seq  # lets a reader tell torn bytes from damage (reader.py)
            data = b"".join(frame(seq, t, sync, p) for seq, t, p in zip(seqs, ts, payloads, strict=True))
            full = self._fd is not None and self._offset > 0 and self._offset + len(data) > self.segment_bytes
            try:
                if full:
                    self._rotate()
                self._ensure_segment()
            except JournalPoisoned as exc:  # before this call wrote a byte: not journaled
                raise JournalRefused(f"journal writer failed before writing this record: {exc}") from exc
            self._write(data)
            self._offset += len(data)
            self._last_seq = seqs[-1]
            self._written += 1
            generation = self._written
            self._unresolved.update(s for s, e in zip(seqs, entries, strict=True) if not e[3])
        return Appended(
            [Position(t, self.name, s) for t, s in zip(ts, seqs, strict=True)],
            generation,
            rotated=full,
            kinds=[kind for kind, *_ in entries],
            nbytes=len(data),
        )

    def await_durable(self, written: Appended) -> None:
        """Return once an fsync that started after ``written`` was written has returned (this
        thread runs it, or another waiting thread does for both). Raise JournalPoisoned when it
        failed: whether the records are on disk is unknown, and the writer appends no more."""
        try:
            self._wait_durable(written.generation)
        except JournalPoisoned:
            raise
        except Exception as exc:  # after the write, any failure leaves the line's fate unknown
            raise self._poisoned_by(exc) from exc
        if written.rotated:
            self.resolve(())  # the segment just closed may hold only resolved records
        for kind in written.kinds:
            metrics.journal_appends.labels(kind).inc()
        metrics.journal_bytes.inc(written.nbytes)

    def resolve(self, seqs: Sequence[int]) -> None:
        """Note that these records are resolved; retire closed segments that hold nothing else."""
        with self._mutex:
            self._unresolved.difference_update(seqs)
            retirable = bool(self._closed) and not self._holds_unresolved(self._closed[0])
        if retirable:
            self._retire()

    def close(self) -> None:
        """Close the journal for good: give up its lock (recovery may settle it from now on).

        Lines written but not yet covered by an fsync are fsynced first, so a thread still
        waiting for its fsync is never released by the close alone.
        """
        with self._mutex:
            if self._pid != os.getpid():
                return  # a forked copy: the descriptors belong to the parent
            if self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    if self._poison is None and self._synced < self._written:
                        self._fsync(fd)
                        self._mark_synced(self._written, self._last_seq)
                except JournalPoisoned as exc:
                    log.error("journal %s closed with its last lines unsynced: %s", self.name, exc)
                finally:
                    self.fs.close(fd)
                    with self._group:
                        self._group.notify_all()
            for fd in (self._lock_fd, self._share_fd):
                if fd is not None:
                    locks.release(fd)
            self._lock_fd = self._share_fd = None
            self._closed_for_good = True

    # -- group commit ----------------------------------------------------------------------------

    def _wait_durable(self, generation: int) -> None:
        """Return once write number generation is durable; one waiting thread fsyncs for all."""
        while True:
            with self._group:
                while self._synced < generation:
                    if self._poison is not None:
                        raise JournalPoisoned(
                            f"the journal fsync covering this record failed: {self._poison}"
                        )
                    if not self._syncing:
                        self._syncing = True
                        break
                    self._group.wait()
                else:
                    return
            reached = None
            try:
                reached = self._sync()
            finally:
                with self._group:
                    if reached is not None:
                        self._synced = max(self._synced, reached)
                    self._syncing = False
                    self._group.notify_all()

    def _sync(self) -> int:
        """fsync the open segment; return the generation it covers."""
        try:
            with self._mutex:
                if self._fd is None:
                    # A rotation or close fsynced everything written before it, or poisoned us.
                    if self._poison is not None:
                        raise JournalPoisoned(f"journal fsync failed: {self._poison}")
                    return self._written
                fd = self.fs.dup(self._fd)  # a rotation may close _fd meanwhile
                covers, seq = self._written, self._last_seq
        except OSError as exc:
            raise self._poisoned_by(exc) from exc
        try:
            self._fsync(fd)
        finally:
            try:
                self.fs.close(fd)
            except OSError as exc:
                if self._poison is None:  # else the fsync's own failure is on its way up
                    raise self._poisoned_by(exc) from exc
        self._synced_seq = max(self._synced_seq, seq)
        return covers

    def _mark_synced(self, generation: int, seq: int) -> None:
        with self._group:
            self._synced = max(self._synced, generation)
            self._synced_seq = max(self._synced_seq, seq)
            self._group.notify_all()

    def _poisoned_by(self, exc: BaseException) -> JournalPoisoned:
        """This writer no longer knows what reached the disk: it appends nothing more."""
        self._poison = self._poison or exc
        return JournalPoisoned(f"the journal writer failed after writing: {exc}")

    def _fsync(self, fd: int) -> None:
        started = time.perf_counter()
        try:
            self.fs.fsync(fd)
        except OSError as exc:
            self._poison = exc
            raise JournalPoisoned(f"journal fsync failed: {exc}") from exc
        metrics.journal_fsync_seconds.observe(time.perf_counter() - started)
        metrics.journal_fsyncs.inc()
        self.fsyncs += 1

    # -- segments (callers hold _mutex) ----------------------------------------------------------

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            raise RuntimeError("JournalWriter used across fork; create one per process")
        if self._poison is not None:
            raise JournalRefused(f"journal writer refuses appends after an earlier failure: {self._poison}")
        if self._closed_for_good:
            raise JournalRefused("the journal writer is closed")

    def _ensure_segment(self) -> None:
        """Make sure a segment is open: create the journal (first append) and the next segment."""
        if self._fd is not None:
            return
        if self._lock_fd is None:
            self._create_journal()
        path = self.directory / segment_name(self._last_seq + 1)
        try:
            fd = self.fs.open_append(path)
        except OSError as exc:
            raise JournalWriteFailed(f"cannot create journal segment {path.name}: {exc}") from exc
        self._fsync_dir(self.directory, fd)
        self._fd, self._first, self._offset = fd, self._last_seq + 1, 0

    def _create_journal(self) -> None:
        if self._share_fd is None:
            try:
                self._share_fd = locks.share(self.root / WRITERS_LOCK_NAME)
            except OSError as exc:
                raise JournalWriteFailed(f"cannot take {WRITERS_LOCK_NAME} in {self.root}: {exc}") from exc
        try:
            self.fs.mkdir(self.directory)
        except FileExistsError:
            pass  # an earlier attempt of this writer made it, then failed further on
        except OSError as exc:
            raise JournalWriteFailed(f"cannot create journal {self.directory}: {exc}") from exc
        try:
            fd = locks.try_lock(self.directory / LOCK_NAME, create=True)
        except OSError as exc:
            raise JournalWriteFailed(f"cannot create the lock of journal {self.directory}: {exc}") from exc
        if fd is None:  # settlers never touch a journal without segments, so this is a bug
            raise JournalRefused(f"journal {self.directory} is locked by another process")
        self._lock_fd = fd
        self._fsync_dir(self.root)

    def _fsync_dir(self, directory: Path, fd_to_close: int | None = None) -> None:
        try:
            self.fs.fsync_dir(directory)
        except OSError as exc:
            # Whether the new name survives a power loss is unknown: nothing written under it
            # may be acknowledged, now or later.
            if fd_to_close is not None:
                self.fs.close(fd_to_close)
            self._poison = exc
            raise JournalPoisoned(f"journal directory fsync failed: {exc}") from exc

    def _rotate(self) -> None:
        """Close the full segment: fsync all of it first, so a later segment never outlives it."""
        fd, self._fd = self._fd, None
        try:
            self._fsync(fd)
        finally:
            self.fs.close(fd)
        self._mark_synced(self._written, self._last_seq)
        self._closed.append((self._first, self._last_seq, self.directory / segment_name(self._first)))

    def _write(self, data: bytes) -> None:
        try:
            self.fs.write_all(self._fd, data)
        except OSError as exc:
            try:
                self.fs.truncate(self._fd, self._offset)
            except OSError as cut_exc:
                # A partial last line fails its checksum, but the lines of a batch before it may
                # be whole: on disk, and applied once this journal is settled. So the outcome of
                # every record of this write is unknown, and this writer no longer knows where
                # its file ends.
                self._poison = cut_exc
                raise JournalPoisoned(f"write failed ({exc}) and could not be undone ({cut_exc})") from exc
            raise JournalWriteFailed(f"journal write failed: {exc}") from exc

    def _holds_unresolved(self, segment: tuple[int, int, Path]) -> bool:
        first, last, _ = segment
        return any(first <= seq <= last for seq in self._unresolved)

    # -- pruning ---------------------------------------------------------------------------------

    def _retire(self) -> None:
        """Retire fully resolved closed segments, oldest first, each deletion durable before the next."""
        with self._retiring:
            while not self._retire_failed:
                with self._mutex:
                    if self._closed_for_good:  # the journal is a settler's now: hands off
                        return
                    if not self._closed or self._holds_unresolved(self._closed[0]):
                        return
                    path = self._closed[0][2]
                try:
                    self._retire_segment(path)
                    self.fs.fsync_dir(self.directory)
                except OSError as exc:
                    # Nothing is lost: the segment only holds resolved records, and recovery
                    # deletes it once this journal is closed.
                    self._retire_failed = True
                    log.error("journal %s keeps its resolved segments from now on: %s", self.name, exc)
                    return
                with self._mutex:
                    self._closed.popleft()
                self.retired += 1
