"""The Judgment: everything the pack concluded about one cell, as stored and returned."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .cell import Cell, field_names
from .errors import InvalidJudgment


@dataclass(frozen=True)
class Judgment:
    """A verdict with its evidence.

    Invariants (the engine MUST keep them; ``check`` verifies them):
    the verdict is the band of q_score, confidence never exceeds φ⁻¹, a veto means BARK, and
    a BARK or GROWL the pack caused is explained by at least one finding. Judgments stored
    before findings existed read back with none (and language "").
    """

    judgment_id: str
    cell: Cell
    q_score: float
    verdict: str
    confidence: float
    axiom_scores: dict[str, float]
    dog_votes: dict[str, float]
    consensus_votes: int
    consensus_reached: bool
    residual_variance: float
    unnameable_detected: bool
    level_used: str
    duration_ms: float
    dog_reasons: dict[str, list[str]] = field(default_factory=dict)
    vetoed_by: list[str] = field(default_factory=list)
    cost_usd: float = 0.0
    llm_calls: int = 0
    findings: list[dict] = field(default_factory=list)  # {dog, rule, severity, line, message}
    language: str = ""

    def to_dict(self) -> dict:
        """Return plain JSON-ready data; ``from_dict`` rebuilds an equal Judgment."""
        out = {}
        for name in field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, Cell):
                value = value.to_dict()
            elif isinstance(value, dict):
                value = {k: (list(v) if isinstance(v, list) else v) for k, v in value.items()}
            elif isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Judgment:
        """Rebuild a Judgment from ``to_dict`` output; raise InvalidJudgment when it is not one."""
        names = {f.name for f in fields(cls)}
        try:
            kwargs = {k: v for k, v in data.items() if k in names}
            kwargs["cell"] = Cell.from_dict(data["cell"])
            return cls(**kwargs)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidJudgment(f"not a judgment: {exc}") from exc

    @property
    def state_key(self) -> str:
        return self.cell.state_key
