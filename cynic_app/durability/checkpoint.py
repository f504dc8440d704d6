"""conscious_state.json: a durable snapshot of the ConsciousState and the journal position.

The snapshot is written atomically. ``journal_seq`` is the last journal record settled (in
PostgreSQL or aborted) when it was taken: replay may start after it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..judgment.state import ConsciousState
from .fsio import FS, OS_FS, atomic_write

FILE_NAME = "conscious_state.json"
FORMAT = 1


class CheckpointUnreadable(Exception):
    """conscious_state.json exists but is not a checkpoint this version can read."""


def sync_checkpoint(home: Path, state: ConsciousState, *, journal_seq: int, fs: FS = OS_FS) -> Path:
    """Write the checkpoint for state, durably, and return its path."""
    path = Path(home) / FILE_NAME
    doc = {"format": FORMAT, "journal_seq": journal_seq, "state": state.to_dict()}
    atomic_write(path, json.dumps(doc, separators=(",", ":")).encode() + b"\n", fs=fs)
    return path


def load_from_checkpoint(home: Path) -> tuple[ConsciousState, int]:
    """Return (state, journal_seq) from the checkpoint; an empty state and 0 when there is none."""
    path = Path(home) / FILE_NAME
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return ConsciousState(), 0
    except ValueError as exc:
        raise CheckpointUnreadable(f"{path} is not JSON: {exc}") from exc
    if doc.get("format") != FORMAT:
        raise CheckpointUnreadable(f"{path} has format {doc.get('format')!r}, expected {FORMAT}")
    return ConsciousState.from_dict(doc["state"]), int(doc["journal_seq"])
