"""How stored records look on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

from ..judgment.cell import state_key_of

JUDGMENT_FIELDS = (
    "judgment_id",
    "q_score",
    "verdict",
    "confidence",
    "axiom_scores",
    "dog_votes",
    "consensus_reached",
    "consensus_votes",
    "residual_variance",
    "unnameable_detected",
    "cost_usd",
    "llm_calls",
    "duration_ms",
    "level_used",
    "dog_reasons",
    "vetoed_by",
    "findings",
    "language",
)
#: Fields judgments stored before they existed lack, and what they read as.
JUDGMENT_DEFAULTS = {"findings": [], "language": ""}
CELL_FIELDS = (
    "cell_id",
    "reality",
    "analysis",
    "time_dim",
    "content",
    "context",
    "lod",
    "consciousness",
    "budget_usd",
    "timestamp",
)


#: Added to every presented judgment, beside its own and its cell's fields.
EXTRA_FIELDS = ("state_key", "created_at", "persisted")


def timestamp(value: datetime | str) -> str:
    """ISO 8601 in UTC, the same whether it came from the service or from PostgreSQL."""
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def judgment(j: dict, created_at: datetime | str, *, persisted: bool) -> dict:
    """A judgment with its cell's fields alongside, as POST /judge and GET /judge/<id> return it."""
    cell = j["cell"]
    out = {name: j[name] if name in j else JUDGMENT_DEFAULTS[name] for name in JUDGMENT_FIELDS}
    out.update({name: cell[name] for name in CELL_FIELDS})
    out["state_key"] = state_key_of(cell)
    out["created_at"] = timestamp(created_at)
    out["persisted"] = persisted
    return out


def perception(p: dict) -> dict:
    j = p.get("judgment")
    return {
        "perception_id": p["perception_id"],
        "source": p["source"],
        "reality": p["reality"],
        "judgment_id": j["judgment_id"] if j else None,
        "verdict": j["verdict"] if j else None,
        "judgment": judgment(j, p["created_at"], persisted=True) if j else None,
        "content": p["content"],
        "context": p["context"],
        "time_dim": p["time_dim"],
        "created_at": timestamp(p["created_at"]),
        "persisted": True,
    }
