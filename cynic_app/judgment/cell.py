"""The Cell: one thing to judge. Its values arrive validated (api/schema.py states the rules)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, fields
from functools import cache

REALITIES = ("CODE", "SOLANA", "MARKET", "SOCIAL", "HUMAN", "CYNIC", "COSMOS")
CANONICAL_ANALYSES = ("PERCEIVE", "JUDGE", "DECIDE", "ACT", "LEARN", "ACCOUNT", "EMERGE")
TIME_DIMS = ("PAST", "PRESENT", "FUTURE", "CYCLE", "TREND", "EMERGENCE", "TRANSCENDENCE")
#: The longest content a node accepts by default: the default body limit's worth (1 MiB). The
#: judge reads at most engine.JUDGED_CHARS of it; a node may refuse less (CYNIC_MAX_CONTENT_CHARS).
DEFAULT_MAX_CONTENT_CHARS = 1_048_576
MAX_CONTEXT_CHARS = 10_000

# Whole-word cues for inferring time_dim; the dimension with most hits wins, ties in this order.
_TIME_CUES = {
    "PAST": (
        "was",
        "were",
        "history",
        "historical",
        "legacy",
        "previous",
        "previously",
        "yesterday",
        "deprecated",
        "former",
        "ago",
        "postmortem",
    ),
    "FUTURE": (
        "will",
        "plan",
        "planned",
        "roadmap",
        "future",
        "next",
        "forecast",
        "predict",
        "prediction",
        "tomorrow",
        "upcoming",
        "soon",
    ),
    "CYCLE": (
        "cycle",
        "cycles",
        "cyclical",
        "periodic",
        "recurring",
        "seasonal",
        "daily",
        "weekly",
        "monthly",
        "cron",
    ),
    "TREND": (
        "trend",
        "trends",
        "growth",
        "decline",
        "increasing",
        "decreasing",
        "momentum",
        "trajectory",
        "rising",
        "falling",
    ),
    "EMERGENCE": (
        "emerge",
        "emerging",
        "emergent",
        "novel",
        "unexpected",
        "anomaly",
        "anomalous",
        "surprising",
    ),
    "TRANSCENDENCE": ("transcend", "transcendent", "transcendence", "beyond"),
}
_CUE_OF = {cue.encode(): dim for dim, cues in _TIME_CUES.items() for cue in cues}
#: Every byte that is not a-z becomes a space. In UTF-8 a character other than a-z is made of
#: bytes other than a-z only, so the words left are exactly the runs of a-z of the text.
_LETTERS_ONLY = bytes(b if 0x61 <= b <= 0x7A else 0x20 for b in range(256))


def infer_time_dim(analysis: str, content: str, context: str) -> str:
    """Infer the time dimension from the analysis and content+context keywords: the cues are
    the runs of a-z of the lower-cased text (of all of it, which is read in C: a request carries
    up to a mebibyte, and a Python loop over its words took 0.44 ms for 20 KB)."""
    if analysis == "EMERGE":
        return "TRANSCENDENCE"
    text = f"{content}\n{context}".lower().encode("utf-8", "surrogatepass")
    counts = dict.fromkeys(_TIME_CUES, 0)
    for dim in filter(None, map(_CUE_OF.get, text.translate(_LETTERS_ONLY).split())):
        counts[dim] += 1
    best = max(counts.values())
    if best == 0:
        return "PRESENT"
    return next(dim for dim, n in counts.items() if n == best)


def state_key_of(cell: dict) -> str:
    """The key that groups comparable judgments, from a cell as stored (``Cell.to_dict``)."""
    return f"{cell['reality']}:{cell['analysis']}:{cell['time_dim']}:{cell['lod']}"


@dataclass(frozen=True)
class Cell:
    """A validated unit of content to judge. Build one with ``Cell.create``."""

    content: str
    reality: str = "CODE"
    analysis: str = "JUDGE"
    time_dim: str = "PRESENT"
    context: str = ""
    lod: int = 1
    consciousness: int = 0
    budget_usd: float = 0.01
    cell_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timestamp: float = field(default_factory=time.time)

    @classmethod
    def create(cls, **values) -> Cell:
        """A cell from validated values; None (or absent) means the default, and time_dim is
        inferred from the content when not given."""
        values = {name: value for name, value in values.items() if value is not None}
        if "time_dim" not in values:
            values["time_dim"] = infer_time_dim(
                values.get("analysis", "JUDGE"), values["content"], values.get("context", "")
            )
        return cls(**values)

    @property
    def state_key(self) -> str:
        """The key that groups comparable judgments (``state_key_of`` of ``to_dict``)."""
        return f"{self.reality}:{self.analysis}:{self.time_dim}:{self.lod}"

    def to_dict(self) -> dict:
        """Return the cell as plain JSON-ready data (every field is a scalar: no copy is deep)."""
        return {name: getattr(self, name) for name in field_names(type(self))}

    @classmethod
    def from_dict(cls, data: dict) -> Cell:
        """Rebuild a cell stored by ``to_dict``."""
        return cls(**data)


@cache
def field_names(cls: type) -> tuple[str, ...]:
    """The names of a dataclass's fields, read once per class (``dataclasses.fields`` is slow)."""
    return tuple(f.name for f in fields(cls))
