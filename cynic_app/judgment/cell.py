"""The Cell: one thing to judge, validated on construction."""

from __future__ import annotations

import math
import re
import time
import uuid
from dataclasses import asdict, dataclass, field

from .errors import InvalidCell

REALITIES = ("CODE", "SOLANA", "MARKET", "SOCIAL", "HUMAN", "CYNIC", "COSMOS")
CANONICAL_ANALYSES = ("PERCEIVE", "JUDGE", "DECIDE", "ACT", "LEARN", "ACCOUNT", "EMERGE")
TIME_DIMS = ("PAST", "PRESENT", "FUTURE", "CYCLE", "TREND", "EMERGENCE", "TRANSCENDENCE")
ANALYSIS_RE = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
UUID4_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
#: Whitespace as JSON Schema (ECMA-262) regexes see it, so the OpenAPI contract can say exactly
#: which strings count as blank.
BLANK_CHARS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NON_BLANK_RE = re.compile(f"[^{BLANK_CHARS}]")
DEFAULT_MAX_CONTENT_CHARS = 100_000
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
_WORD_RE = re.compile(r"[a-z]+")


def infer_time_dim(analysis: str, content: str, context: str) -> str:
    """Infer the time dimension from the analysis and content+context keywords."""
    if analysis == "EMERGE":
        return "TRANSCENDENCE"
    words = _WORD_RE.findall(f"{content}\n{context}".lower())
    counts = dict.fromkeys(_TIME_CUES, 0)
    cue_of = {cue: dim for dim, cues in _TIME_CUES.items() for cue in cues}
    for word in words:
        dim = cue_of.get(word)
        if dim is not None:
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
    def create(cls, *, max_content_chars: int = DEFAULT_MAX_CONTENT_CHARS, **fields) -> Cell:
        """Validate raw fields (as decoded from JSON) and build a Cell.

        Every bad field is reported at once in ``InvalidCell.errors``.
        """
        errors: dict[str, str] = {}
        unknown = sorted(set(fields) - set(cls.__dataclass_fields__))
        for name in unknown:
            errors[name] = "unknown field"
        values: dict[str, object] = {}
        for name, check in _CHECKS.items():
            if name in fields and fields[name] is not None:
                try:
                    values[name] = check(fields[name], max_content_chars)
                except ValueError as exc:
                    errors[name] = str(exc)
        if "content" not in fields or fields["content"] is None:
            errors.setdefault("content", "is required")
        if errors:
            raise InvalidCell(errors)
        if "time_dim" not in values:
            values["time_dim"] = infer_time_dim(
                values.get("analysis", "JUDGE"), values["content"], values.get("context", "")
            )
        return cls(**values)

    def state_key(self) -> str:
        """Return the key that groups comparable judgments."""
        return state_key_of(self.to_dict())

    def to_dict(self) -> dict:
        """Return the cell as plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Cell:
        """Rebuild a cell stored by ``to_dict`` (validating it again)."""
        return cls.create(max_content_chars=max(len(data.get("content", "")), 1), **data)


def _choice(options: tuple[str, ...]):
    def check(value, _limit):
        if not isinstance(value, str) or not value.isascii() or value.upper() not in options:
            raise ValueError(f"must be one of {', '.join(options)} (any case)")
        return value.upper()

    return check


def _analysis(value, _limit):
    if not isinstance(value, str) or not value.isascii() or not ANALYSIS_RE.fullmatch(value.upper()):
        raise ValueError("must be an identifier matching [A-Z][A-Z0-9_]{0,31} (any case)")
    return value.upper()


def storable_text(value: str) -> str:
    """Reject text PostgreSQL cannot store: NUL characters and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return value


def _content(value, limit):
    if not isinstance(value, str):
        raise ValueError("must be a string")
    storable_text(value)
    if not NON_BLANK_RE.search(value):
        raise ValueError("must not be empty")
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return value


def _context(value, _limit):
    if not isinstance(value, str):
        raise ValueError("must be a string")
    storable_text(value)
    if len(value) > MAX_CONTEXT_CHARS:
        raise ValueError(f"must be at most {MAX_CONTEXT_CHARS} characters")
    return value


def _int_range(low: int, high: int):
    def check(value, _limit):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON has one number type: 2.0 is the integer 2
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be an integer from {low} to {high}")
        return value

    return check


def _budget(value, _limit):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    if not math.isfinite(value) or value < 0 or value > 1_000_000:
        raise ValueError("must be a finite number from 0 to 1000000")
    return float(value)


def _uuid4(value, _limit):
    if not isinstance(value, str) or not UUID4_RE.fullmatch(value):
        raise ValueError("must be a version-4 UUID (8-4-4-4-12 hex digits)")
    return value.lower()


def _timestamp(value, _limit):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("must be a number of seconds since the epoch")
    if not 0 <= value < 32503680000:  # before year 3000
        raise ValueError("must be between 1970 and 3000")
    return float(value)


_CHECKS = {
    "content": _content,
    "reality": _choice(REALITIES),
    "analysis": _analysis,
    "time_dim": _choice(TIME_DIMS),
    "context": _context,
    "lod": _int_range(0, 3),
    "consciousness": _int_range(0, 6),
    "budget_usd": _budget,
    "cell_id": _uuid4,
    "timestamp": _timestamp,
}
