"""The archive: settled journal segments kept for a while, so a PostgreSQL restored from a backup
can be healed (``cynic replay --from-start``).

``CYNIC_HOME/archive/<journal name>/<segment>.jsonl``: a segment whose records are all settled is
moved here (one rename) instead of being deleted, and deleted once it is older than the
retention age (by its last write) or, oldest first, beyond the retention bytes. With either
limit at 0 nothing is kept: settled segments are deleted at once.

Order when retiring a segment (each step MUST finish before the next): rename it into the
archive, fsync the archive directory (its new name is durable), then the caller fsyncs the
journal directory (its old name is gone). A power loss in between leaves it in both places,
never in neither; settling it again is harmless (every record is already stored).

Files here are never written again, so anyone may delete them; two processes pruning at once
only see each other's deletions as files already gone.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .fsio import FS, OS_FS, make_dir_durable
from .journal.layout import list_segments

DIR_NAME = "archive"
PRUNE_EVERY_S = 60.0
DEFAULT_RETENTION_S = 24 * 3600
DEFAULT_RETENTION_BYTES = 1024**3


@dataclass(frozen=True)
class Retention:
    max_age_s: float = DEFAULT_RETENTION_S
    max_bytes: int = DEFAULT_RETENTION_BYTES

    @property
    def keeps(self) -> bool:
        return self.max_age_s > 0 and self.max_bytes > 0


NONE = Retention(0, 0)


class Archive:
    """Retires settled segments of one CYNIC_HOME (into the archive, or away). Thread-safe."""

    def __init__(self, home: Path, retention: Retention = NONE, *, fs: FS = OS_FS):
        self.root = Path(home) / DIR_NAME
        self.retention = retention
        self.fs = fs
        self._lock = threading.Lock()
        self._pruned_at = -float("inf")

    def retire(self, segment: Path, *, journal: str | None = None) -> None:
        """Move a settled segment into the archive (or delete it when nothing is kept).

        The caller MUST fsync the segment's directory afterwards.
        """
        if not self.retention.keeps:
            self.fs.unlink(segment)
            return
        target = self.root / (journal or segment.parent.name)
        if not target.is_dir():
            make_dir_durable(self.root, fs=self.fs)
            make_dir_durable(target, fs=self.fs)
        self.fs.replace(segment, target / segment.name)
        self.fs.fsync_dir(target)
        self.prune()

    def journals(self) -> list[Path]:
        """Archived journals, oldest first."""
        return sorted(p for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []

    def prune(self, *, now: float | None = None, force: bool = False) -> int:
        """Delete what is past the retention (at most every PRUNE_EVERY_S); return how many files."""
        with self._lock:
            if not force and time.monotonic() - self._pruned_at < PRUNE_EVERY_S:
                return 0
            self._pruned_at = time.monotonic()
        now = time.time() if now is None else now
        files = []
        for journal in self.journals():
            for _first, path in list_segments(journal):
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # pruned by another process meanwhile
                files.append((stat.st_mtime, path, stat.st_size))
        files.sort()
        total = sum(size for *_, size in files)
        removed, touched = 0, set()
        for mtime, path, size in files:  # oldest first: a journal keeps a suffix, never a gap
            if now - mtime <= self.retention.max_age_s and total <= self.retention.max_bytes:
                break
            try:
                self.fs.unlink(path)
            except FileNotFoundError:
                pass  # another process pruned it first
            total -= size
            removed += 1
            touched.add(path.parent)
        for journal in touched:
            self.fs.fsync_dir(journal)
            # Emptied, and its journal is gone (settled), so no segment can arrive any more.
            if not any(journal.iterdir()) and not (self.root.parent / "journal" / journal.name).exists():
                self.fs.rmdir(journal)
        if touched:
            self.fs.fsync_dir(self.root)
        return removed
