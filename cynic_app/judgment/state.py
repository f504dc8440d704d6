"""ConsciousState: what the node knows about its recent judgments, as one value."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from .cell import state_key_of
from .phi import PHI, VERDICTS

RECENT = 89  # a Fibonacci number, like every window here


def summarise(judgment: dict) -> dict:
    """The part of a judgment the state keeps (content is left out: it can be large)."""
    cell = judgment["cell"]
    return {
        "judgment_id": judgment["judgment_id"],
        "q_score": judgment["q_score"],
        "verdict": judgment["verdict"],
        "confidence": judgment["confidence"],
        "state_key": state_key_of(cell),
        "consensus_reached": judgment["consensus_reached"],
    }


@dataclass
class ConsciousState:
    """Counts per verdict, per-dog vote totals, and the RECENT newest judgments (newest first)."""

    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    verdict_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    dog_totals: dict[str, list[float]] = field(default_factory=dict)  # dog -> [votes, sum of q]

    @property
    def total(self) -> int:
        return sum(self.verdict_counts.values())

    @property
    def consciousness_level(self) -> int:
        """0–6: grows with experience, one level per φ⁴-fold more judgments."""
        return min(6, int(math.log(self.total + 1, PHI**4)))

    def apply(self, judgment: dict) -> None:
        """Account for one more judgment (a dict from Judgment.to_dict)."""
        self.recent.appendleft(summarise(judgment))
        self.verdict_counts[judgment["verdict"]] = self.verdict_counts.get(judgment["verdict"], 0) + 1
        for dog, q in judgment["dog_votes"].items():
            totals = self.dog_totals.setdefault(dog, [0, 0.0])
            totals[0] += 1
            totals[1] += q

    def to_dict(self) -> dict:
        return {
            "consciousness_level": self.consciousness_level,
            "total_judgments": self.total,
            "verdict_counts": dict(self.verdict_counts),
            "dog_averages": {dog: round(s / n, 3) for dog, (n, s) in sorted(self.dog_totals.items()) if n},
            "dog_totals": {dog: list(t) for dog, t in sorted(self.dog_totals.items())},
            "recent_judgments": list(self.recent),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ConsciousState:
        state = cls()
        state.recent.extend(data.get("recent_judgments", [])[:RECENT])
        state.verdict_counts.update(data.get("verdict_counts", {}))
        state.dog_totals = {d: [int(t[0]), float(t[1])] for d, t in data.get("dog_totals", {}).items()}
        return state
