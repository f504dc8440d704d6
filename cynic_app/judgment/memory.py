"""Memory: a read-only view of past judgments that ORACLE, SCHOLAR and CYNIC learn from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .cell import state_key_of
from .patterns import tokens

_TOKEN_RE = tokens("identifier-token", r"[A-Za-z_][A-Za-z0-9_]{2,}")


def tokens(text: str) -> frozenset[str]:
    """Return the set of identifier-like tokens (3+ chars) in text, lowercased."""
    return frozenset(_TOKEN_RE.findall(text.lower()))


@dataclass(frozen=True)
class Recollection:
    state_key: str
    q_score: float
    consensus_reached: bool
    content: str

    @cached_property
    def tokens(self) -> frozenset[str]:
        return tokens(self.content)


class Memory:
    """An immutable sequence of recollections, newest last."""

    def __init__(self, recollections: tuple[Recollection, ...] = ()):
        self.items = tuple(recollections)

    @classmethod
    def from_judgments(cls, judgments) -> Memory:
        """Build from Judgment objects or their dicts (as stored by to_dict)."""
        items = []
        for j in judgments:
            d = j if isinstance(j, dict) else j.to_dict()
            cell = d["cell"]
            state_key = state_key_of(cell)
            items.append(
                Recollection(state_key, float(d["q_score"]), bool(d["consensus_reached"]), cell["content"])
            )
        return cls(tuple(items))

    def __len__(self) -> int:
        return len(self.items)

    def with_state_key(self, state_key: str) -> list[Recollection]:
        return [r for r in self.items if r.state_key == state_key]


EMPTY = Memory()
