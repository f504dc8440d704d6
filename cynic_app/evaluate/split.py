"""Which half a labelled file belongs to: a fixed hash of its name, never its content or label.

Rules are tuned on the ``tuning`` half; the numbers quoted are the ``held-out`` half's. The hash
is SHA-256 of the file name (not its path: moving a corpus keeps the split), so the split is the
same on every machine and in every run.
"""

from __future__ import annotations

import hashlib

TUNING = "tuning"
HELD_OUT = "held-out"
HALVES = (TUNING, HELD_OUT)


def half_of(name: str) -> str:
    """TUNING or HELD_OUT for a file name, fixed forever."""
    return TUNING if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else HELD_OUT
