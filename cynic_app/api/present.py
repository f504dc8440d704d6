"""How stored records look on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

from ..judgment.cell import state_key_of
from . import responses

#: The fields of a presented judgment, in order: its own, its cell's, then those added here.
FIELDS = tuple(responses.Judgment.model_fields)
#: Fields judgments stored before they existed lack, and what they read as.
JUDGMENT_DEFAULTS = {"findings": [], "language": ""}


def timestamp(value: datetime | str) -> str:
    """ISO 8601 in UTC, the same whether it came from the service or from PostgreSQL."""
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def judgment(j: dict, created_at: datetime | str, *, persisted: bool) -> dict:
    """A judgment with its cell's fields alongside, as POST /judge and GET /judge/<id> return it."""
    cell = j["cell"]
    added = {"state_key": state_key_of(cell), "created_at": timestamp(created_at), "persisted": persisted}
    values = {**JUDGMENT_DEFAULTS, **j, **cell, **added}
    return {name: values[name] for name in FIELDS}


def summary(item: dict) -> dict:
    """A listed judgment (store/listing.py's row), as GET /judge returns it."""
    return {**item, "created_at": timestamp(item["created_at"])}


def perception(p: dict, *, persisted: bool) -> dict:
    """A perception with its judgment (if any), as POST /perceive and GET /perceive/<id> return it."""
    j = p.get("judgment")
    return {
        "perception_id": p["perception_id"],
        "source": p["source"],
        "reality": p["reality"],
        "judgment_id": j["judgment_id"] if j else None,
        "verdict": j["verdict"] if j else None,
        "judgment": judgment(j, p["created_at"], persisted=persisted) if j else None,
        "content": p["content"],
        "context": p["context"],
        "time_dim": p["time_dim"],
        "created_at": timestamp(p["created_at"]),
        "persisted": persisted,
    }
