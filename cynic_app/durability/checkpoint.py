"""conscious_state.json: a durable snapshot of the node's ConsciousState, for operators.

Written atomically after start-up recovery, at shutdown and by ``cynic checkpoint``. Recovery
never reads it: since journals are per writer and delete themselves once settled, there is no
journal position left to vouch for (format 1 carried one; it is ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..judgment.state import ConsciousState
from .fsio import FS, OS_FS, atomic_write

FILE_NAME = "conscious_state.json"
FORMAT = 2
READABLE = (1, 2)


class CheckpointUnreadable(Exception):
    """conscious_state.json exists but is not a checkpoint this version can read."""


def sync_checkpoint(home: Path, state: ConsciousState, *, fs: FS = OS_FS) -> Path:
    """Write the snapshot of state, durably, and return its path."""
    path = Path(home) / FILE_NAME
    doc = {"format": FORMAT, "state": state.to_dict()}
    atomic_write(path, json.dumps(doc, separators=(",", ":")).encode() + b"\n", fs=fs)
    return path


def load_from_checkpoint(home: Path) -> ConsciousState:
    """Return the state in the snapshot; an empty state when there is none."""
    path = Path(home) / FILE_NAME
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return ConsciousState()
    except ValueError as exc:
        raise CheckpointUnreadable(f"{path} is not JSON: {exc}") from exc
    if doc.get("format") not in READABLE:
        raise CheckpointUnreadable(f"{path} has format {doc.get('format')!r}, expected one of {READABLE}")
    return ConsciousState.from_dict(doc["state"])
