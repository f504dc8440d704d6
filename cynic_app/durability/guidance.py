"""guidance.json: the node's latest advice, replaced atomically and never moved backwards.

Invariants: any reader at any instant parses a complete JSON document (atomic_write), and the
judgment it names is never older, in journal order, than one it already named (``journal_seq``
is compared under ``guidance.json.lock`` before replacing).
"""

from __future__ import annotations

import json
import logging
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
    """Writes guidance.json for one CYNIC_HOME; safe across threads and processes."""

    def __init__(self, home: Path, *, fs: FS = OS_FS, lock_timeout_s: float = 10.0):
        self.path = Path(home) / FILE_NAME
        self.fs = fs
        self._lock = FileLock(Path(home) / LOCK_NAME, timeout=lock_timeout_s, poll_interval=0.001, mode=0o640)
        self.writes = 0

    def write(self, judgment: dict, journal_seq: int) -> bool:
        """Make guidance name this judgment unless a newer one is already durable.

        Return True when the file was replaced, False when it already named a newer judgment.
        """
        with self._lock:
            current = read_guidance(self.path)
            if current is not None and current.get("journal_seq", 0) >= journal_seq:
                metrics.guidance_skips.inc()
                return False
            doc = guidance_for(judgment, journal_seq)
            atomic_write(self.path, json.dumps(doc, indent=2).encode() + b"\n", fs=self.fs)
            self.writes += 1
            metrics.guidance_writes.inc()
            return True


def read_guidance(path: Path) -> dict | None:
    """Return the parsed guidance document, or None when there is none yet."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError as exc:  # only a hand edit can do this: writes are atomic
        log.warning("guidance file %s is not JSON (%s); it will be rewritten", path, exc)
        return None
