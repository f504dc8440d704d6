"""guidance.json: the node's latest advice, replaced atomically and never moved backwards.

Invariants: any reader at any instant parses a complete JSON document (atomic_write), and the
judgment it names is never older, in journal order, than one it already named (``journal_seq``
is compared under ``guidance.json.lock`` before replacing).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from .. import metrics
from .fsio import FS, OS_FS, atomic_write

FILE_NAME = "guidance.json"
LOCK_NAME = "guidance.json.lock"
log = logging.getLogger(__name__)


def guidance_for(judgment: dict, journal_seq: int) -> dict:
    """Return the guidance document for a judgment dict (as produced by Judgment.to_dict)."""
    cell = judgment["cell"]
    return {
        "timestamp": datetime.now(UTC).isoformat(),
        "judgment_id": judgment["judgment_id"],
        "state_key": f"{cell['reality']}:{cell['analysis']}:{cell['time_dim']}:{cell['lod']}",
        "verdict": judgment["verdict"],
        "q_score": judgment["q_score"],
        "confidence": judgment["confidence"],
        "reality": cell["reality"],
        "dog_votes": judgment["dog_votes"],
        "journal_seq": journal_seq,
    }


class GuidanceWriter:
    """Writes guidance.json for one CYNIC_HOME; safe across threads and processes.

    Writes are coalesced: while one thread of the process replaces the file, the others wait,
    and the next replacement names the newest judgment any of them brought. A caller returns
    once the file durably names its judgment *or a newer one* — which is all it needs.
    """

    def __init__(self, home: Path, *, fs: FS = OS_FS, lock_timeout_s: float = 10.0):
        self.path = Path(home) / FILE_NAME
        self.fs = fs
        self._lock = FileLock(Path(home) / LOCK_NAME, timeout=lock_timeout_s, poll_interval=0.001, mode=0o640)
        self._group = threading.Condition()
        self._writing = False
        self._newest: tuple[int, dict] | None = None  # the newest judgment waiting to be named
        self._durable_seq = -1  # guidance.json durably names this seq or a newer one
        self.writes = 0

    def write(self, judgment: dict, journal_seq: int) -> bool:
        """Return once guidance.json durably names this judgment or a newer one.

        True when this call replaced the file, False when a newer judgment was already named
        (or was named by the replacement another thread made for it).
        """
        with self._group:
            if self._newest is None or journal_seq > self._newest[0]:
                self._newest = (journal_seq, judgment)
            while self._durable_seq < journal_seq:
                if not self._writing:
                    self._writing = True
                    seq, newest = self._newest
                    self._newest = None
                    break
                self._group.wait()
            else:
                metrics.guidance_skips.inc()
                return False
        named = None
        try:
            named, replaced = self._replace(newest, seq)
        finally:
            with self._group:
                if named is not None:
                    self._durable_seq = max(self._durable_seq, named)
                elif self._newest is None or seq > self._newest[0]:
                    self._newest = (seq, newest)  # not written: let the next leader try it
                self._writing = False
                self._group.notify_all()
        return replaced and seq == journal_seq

    def _replace(self, judgment: dict, journal_seq: int) -> tuple[int, bool]:
        """Under the file lock, name judgment unless the file names a newer one; return
        (the seq the file now names, whether it was replaced)."""
        with self._lock:
            current = read_guidance(self.path)
            current_seq = current.get("journal_seq", 0) if current is not None else -1
            if current_seq >= journal_seq:
                metrics.guidance_skips.inc()
                return current_seq, False
            doc = guidance_for(judgment, journal_seq)
            atomic_write(self.path, json.dumps(doc, indent=2).encode() + b"\n", fs=self.fs)
            self.writes += 1
            metrics.guidance_writes.inc()
            return journal_seq, True


def read_guidance(path: Path) -> dict | None:
    """Return the parsed guidance document, or None when there is none yet."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError as exc:  # only a hand edit can do this: writes are atomic
        log.warning("guidance file %s is not JSON (%s); it will be rewritten", path, exc)
        return None
