"""Append records to the journal: one writer per process, many processes per node."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from filelock import FileLock

from ... import metrics
from ..fsio import FS, OS_FS
from .errors import JournalPoisoned, JournalRefused, JournalWriteFailed
from .record import BadRecord, check, encode, seq_of
from .repair import repair_tail
from .segment import list_segments, segment_name

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
LOCK_NAME = ".lock"


class JournalWriter:
    """Appends durable records. ``append`` returns only after the record's fsync returned.

    MUST be created in the process that uses it (after gunicorn's fork): it holds a file
    descriptor and a lock handle. Thread-safe.
    """

    def __init__(
        self,
        directory: Path,
        *,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        fs: FS = OS_FS,
        lock_timeout_s: float = 10.0,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o750, parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self.fs = fs
        self._pid = os.getpid()
        self._mutex = threading.Lock()
        # Contended waits poll; 1 ms keeps a queued appender from sleeping past its turn.
        self._lock = FileLock(
            self.directory / LOCK_NAME, timeout=lock_timeout_s, poll_interval=0.001, mode=0o640
        )
        self._fd: int | None = None
        self._path: Path | None = None
        self._offset = 0
        self._last_seq = 0
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
        when this record's fsync failed and whether it is on disk is unknown.
        """
        with self._mutex:
            self._check_usable()
            with self._lock:
                self._catch_up()
                seq = self._last_seq + 1
                line = encode(seq, kind, record_id, data)
                if self._offset > 0 and self._offset + len(line) > self.segment_bytes:
                    self._rotate(seq)
                self._write(line)
                self._sync()
                self._offset += len(line)
                self._last_seq = seq
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

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            raise RuntimeError("JournalWriter used across fork; create one per process")
        if self._poison is not None:
            raise JournalRefused(f"journal writer refuses appends after an earlier failure: {self._poison}")

    def _catch_up(self) -> None:
        """Adopt the current tail and everything other processes appended to it."""
        segments = list_segments(self.directory)
        if not segments:
            self._open(self.directory / segment_name(1), create=True)
            self._last_seq = 0
            return
        first, tail = segments[-1]
        if tail != self._path:
            self._open(tail, create=False)
            self._offset, self._last_seq = 0, first - 1
        size = os.fstat(self._fd).st_size
        if size != self._offset:
            self._read_from(0 if size < self._offset else self._offset, first)

    def _read_from(self, start: int, first: int) -> None:
        with self._path.open("rb") as handle:
            handle.seek(start)
            chunk = handle.read()
        offset, last = start, (self._last_seq if start else first - 1)
        for line in chunk.splitlines(keepends=True):
            try:
                check(line)
                last = seq_of(line)
            except BadRecord:
                break  # a writer died mid-line: those bytes were never acknowledged
            offset += len(line)
        if offset != start + len(chunk):
            repair_tail(self._path, offset, fs=self.fs)
        self._offset, self._last_seq = offset, last

    def _open(self, path: Path, *, create: bool) -> None:
        if self._fd is not None:
            self.fs.close(self._fd)
            self._fd = None
        self._fd = self.fs.open_append(path)
        self._path = path
        self._offset = 0
        if create:
            self.fs.fsync_dir(self.directory)

    def _rotate(self, next_seq: int) -> None:
        self._open(self.directory / segment_name(next_seq), create=True)
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

    def _sync(self) -> None:
        started = time.perf_counter()
        try:
            self.fs.fsync(self._fd)
        except OSError as exc:
            self._poison = exc
            raise JournalPoisoned(f"journal fsync failed: {exc}") from exc
        metrics.journal_fsync_seconds.observe(time.perf_counter() - started)
        metrics.journal_fsyncs.inc()
        self.fsyncs += 1
