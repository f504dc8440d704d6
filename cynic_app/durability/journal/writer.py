"""Append records to the journal: one writer per process, many processes per node, group commit.

An append takes the append lock (every process of the node), catches up with what the others
wrote, writes its whole line, and releases the lock. It then waits until an fsync that *started
after its line was written* has returned — its own, or one another thread or process started
later. That is group commit: while one fsync runs, the lines written meanwhile queue behind it
and are covered by the next one, the way PostgreSQL and MySQL group their commits.

Durability is tracked as a *mark* ``(segment first seq, byte offset)``: everything before it is
on disk. Each process keeps its own mark; the sync lock's file holds the node's, so a process
skips its fsync when another process's fsync already covered its line. A segment is fsynced in
full before the next one receives a byte, so a mark in a later segment covers every earlier one.
The shared mark is only a hint that saves fsyncs: start-up recovery resets it (``reset_sync_mark``)
and a mark past the end of its segment is ignored.
"""

from __future__ import annotations

import os
import struct
import threading
import time
from pathlib import Path

from ... import metrics
from ..fsio import FS, OS_FS
from ..locks import FileMutex
from .errors import JournalPoisoned, JournalRefused, JournalWriteFailed
from .record import BadRecord, check, encode_payload, frame, seq_of
from .repair import repair_tail
from .segment import list_segments, segment_name

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
LOCK_NAME = ".lock"
SYNC_LOCK_NAME = ".sync"
_MARK = struct.Struct("<QQ")  # (segment first seq, durable byte offset)


def reset_sync_mark(directory: Path) -> None:
    """Forget the node's durable mark (start-up, before any writer: a crash may have cut bytes)."""
    with FileMutex(Path(directory) / SYNC_LOCK_NAME) as sync:
        sync.write_state(_MARK.pack(0, 0))


class JournalWriter:
    """Appends durable records. ``append`` returns only after an fsync covering its line returned.

    MUST be created in the process that uses it (after gunicorn's fork): it holds descriptors.
    Thread-safe.
    """

    def __init__(self, directory: Path, *, segment_bytes: int = DEFAULT_SEGMENT_BYTES, fs: FS = OS_FS):
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o750, parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self.fs = fs
        self._pid = os.getpid()
        self._append_lock = FileMutex(self.directory / LOCK_NAME)
        self._sync_lock = FileMutex(self.directory / SYNC_LOCK_NAME)
        self._mutex = threading.Lock()  # this process's view of the tail
        self._fd: int | None = None
        self._path: Path | None = None
        self._first = 0  # first seq of the open segment
        self._offset = 0
        self._last_seq = 0
        self._durable = (0, 0)  # this process's mark
        self._syncing = False
        self._group = threading.Condition()
        self._poison: BaseException | None = None
        self.appends = 0
        self.rotations = 0
        self.fsyncs = 0
        self.bytes_written = 0

    @property
    def poisoned(self) -> BaseException | None:
        return self._poison

    def append(self, kind: str, record_id: str, data: dict) -> int:
        """Write one record durably and return its seq.

        Raise JournalWriteFailed or JournalRefused when nothing was journaled, JournalPoisoned
        when the fsync that was to cover this record failed: whether it is on disk is unknown.
        """
        payload = encode_payload(kind, record_id, data)  # the costly part, outside every lock
        with self._mutex:
            self._check_usable()
            with self._append_lock:
                self._catch_up()
                seq = self._last_seq + 1
                line = frame(seq, payload)
                if self._offset > 0 and self._offset + len(line) > self.segment_bytes:
                    self._rotate(seq)
                self._write(line)
                self._offset += len(line)
                self._last_seq = seq
                written = (self._first, self._offset)
        self._wait_durable(written)
        self.appends += 1
        self.bytes_written += len(line)
        metrics.journal_appends.labels(kind).inc()
        metrics.journal_bytes.inc(len(line))
        return seq

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None:
                self.fs.close(self._fd)
                self._fd = None
            self._append_lock.close()
            self._sync_lock.close()

    # -- group commit ----------------------------------------------------------------------------

    def _wait_durable(self, need: tuple[int, int]) -> None:
        """Return once need is durable; one waiting thread of this process does the fsync."""
        while True:
            with self._group:
                while self._durable < need:
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
                reached = self._sync_node(need)
            finally:
                with self._group:
                    if reached is not None:
                        self._durable = max(self._durable, reached)
                    self._syncing = False
                    self._group.notify_all()

    def _sync_node(self, need: tuple[int, int]) -> tuple[int, int]:
        """fsync the tail unless another process's fsync already covers need; return the mark."""
        with self._mutex:
            fd, first = self.fs.dup(self._fd), self._first  # a rotation may close self._fd meanwhile
        try:
            with self._sync_lock:
                shared = self._shared_mark(fd, first)
                if shared >= need:
                    return shared
                size = os.fstat(fd).st_size
                started = time.perf_counter()
                try:
                    self.fs.fsync(fd)
                except OSError as exc:
                    self._poison = exc
                    raise JournalPoisoned(f"journal fsync failed: {exc}") from exc
                self._count_fsync(time.perf_counter() - started)
                reached = max(shared, (first, size))
                self._sync_lock.write_state(_MARK.pack(*reached))
                return reached
        finally:
            self.fs.close(fd)

    def _shared_mark_raw(self) -> tuple[int, int]:
        raw = self._sync_lock.read_state(_MARK.size)
        return _MARK.unpack(raw) if len(raw) == _MARK.size else (0, 0)

    def _shared_mark(self, fd: int, first: int) -> tuple[int, int]:
        mark = self._shared_mark_raw()
        if mark[0] == first and mark[1] > os.fstat(fd).st_size:
            return (0, 0)  # past the end of its segment: stale (a crash cut the tail); ignore it
        return mark

    def _count_fsync(self, seconds: float) -> None:
        metrics.journal_fsync_seconds.observe(seconds)
        metrics.journal_fsyncs.inc()
        self.fsyncs += 1

    # -- the tail ----------------------------------------------------------------------------------

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            raise RuntimeError("JournalWriter used across fork; create one per process")
        if self._poison is not None:
            raise JournalRefused(f"journal writer refuses appends after an earlier failure: {self._poison}")

    def _catch_up(self) -> None:
        """Adopt the current tail and everything other processes appended to it."""
        if self._fd is None:
            segments = list_segments(self.directory)
            if not segments:
                self._open(self.directory / segment_name(1), 1, create=True)
                return
            first, tail = segments[-1]
            self._open(tail, first, create=False)
        while True:
            size = os.fstat(self._fd).st_size
            if size != self._offset:
                self._read_from(0 if size < self._offset else self._offset)
            # Another process rotates only after filling this segment, naming the next one after
            # the seq that follows this one's last record: one stat says whether it did.
            following = self.directory / segment_name(self._last_seq + 1)
            if not following.exists():
                return
            self._open(following, self._last_seq + 1, create=False)

    def _read_from(self, start: int) -> None:
        with self._path.open("rb") as handle:
            handle.seek(start)
            chunk = handle.read()
        offset, last = start, (self._last_seq if start else self._first - 1)
        for line in chunk.splitlines(keepends=True):
            try:
                check(line)
                last = seq_of(line)
            except BadRecord:
                break  # a writer died mid-line: those bytes were never acknowledged
            offset += len(line)
        if offset != start + len(chunk):
            repair_tail(self._path, offset, fs=self.fs)
            self._lower_marks(offset)
        self._offset, self._last_seq = offset, last

    def _lower_marks(self, cut: int) -> None:
        """After cutting a dead writer's bytes, no mark may vouch for offsets past the cut: an fsync
        may have covered those bytes, and lines written there next have not been synced yet."""
        ceiling = (self._first, cut)
        with self._sync_lock:
            shared = self._shared_mark_raw()
            if shared > ceiling:
                self._sync_lock.write_state(_MARK.pack(*ceiling))
        with self._group:
            self._durable = min(self._durable, ceiling)

    def _open(self, path: Path, first: int, *, create: bool) -> None:
        if self._fd is not None:
            self.fs.close(self._fd)
            self._fd = None
        self._fd = self.fs.open_append(path)
        self._path, self._first, self._offset, self._last_seq = path, first, 0, first - 1
        if create:
            self.fs.fsync_dir(self.directory)

    def _rotate(self, next_seq: int) -> None:
        """Close the full tail: fsync all of it first, so a later segment never outlives it."""
        started = time.perf_counter()
        try:
            self.fs.fsync(self._fd)
        except OSError as exc:
            self._poison = exc
            raise JournalPoisoned(f"journal fsync failed: {exc}") from exc
        self._count_fsync(time.perf_counter() - started)
        with self._sync_lock:
            self._sync_lock.write_state(_MARK.pack(next_seq, 0))
        with self._group:
            self._durable = max(self._durable, (next_seq, 0))
        self._open(self.directory / segment_name(next_seq), next_seq, create=True)
        self.rotations += 1

    def _write(self, line: bytes) -> None:
        try:
            self.fs.write_all(self._fd, line)
        except OSError as exc:
            try:
                self.fs.truncate(self._fd, self._offset)
            except OSError as cut_exc:
                # The partial line fails its checksum, so it is not a record; but this writer
                # no longer knows where the file ends.
                self._poison = cut_exc
                raise JournalWriteFailed(f"write failed ({exc}) and could not be undone ({cut_exc})") from exc
            raise JournalWriteFailed(f"journal write failed: {exc}") from exc
