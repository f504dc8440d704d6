"""Memory: a read-only view of past judgments that ORACLE, SCHOLAR and CYNIC learn from."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cached_property

from .cell import state_key_of
from .patterns import tokens

_TOKEN_RE = tokens("identifier-token", r"[A-Za-z_][A-Za-z0-9_]{2,}")
#: What a memory keeps of each content: its first RECALLED_CHARS characters (a node reads no
#: more of its stored judgments: service/memory.py). SCHOLAR compares the same prefix of a cell.
RECALLED_CHARS = 2000


def recalled(content: str) -> str:
    """What a memory keeps of content, and what SCHOLAR compares of a cell."""
    return content[:RECALLED_CHARS]


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
        """The tokens of what is recalled of the content (``recalled``)."""
        return tokens(recalled(self.content))


#: Memory.token_groups: distinct token sets, their sizes, each recollection's set, its q_score.
TokenGroups = tuple[tuple[frozenset[str], ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]]


class Memory:
    """An immutable sequence of recollections, newest last (what the dogs read of it is computed
    once, below: its recollections cannot be replaced)."""

    def __init__(self, recollections: tuple[Recollection, ...] = ()):
        self._items = tuple(recollections)
        self._histories: dict[str, tuple[int, float]] = {}  # history_of's, per state key asked

    @property
    def items(self) -> tuple[Recollection, ...]:
        return self._items

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
        return list(self._by_state_key.get(state_key, ()))

    # What the dogs read of a memory is computed once per memory, not once per judgment: a
    # node's memory stays the same for many requests (service/memory.py refreshes it at most
    # once a second). Computing twice, by two threads at once, gives the same values.

    @cached_property
    def _by_state_key(self) -> dict[str, tuple[Recollection, ...]]:
        grouped: dict[str, list[Recollection]] = {}
        for r in self.items:
            grouped.setdefault(r.state_key, []).append(r)
        return {key: tuple(rs) for key, rs in grouped.items()}

    @cached_property
    def consensus_share(self) -> float:
        """The share of the recollections whose pack reached consensus (0.0 when empty)."""
        return statistics.fmean(r.consensus_reached for r in self.items) if self.items else 0.0

    def history_of(self, state_key: str) -> tuple[int, float] | None:
        """How many recollections have state_key and their mean q_score (None: none has).
        Computed for the keys asked about only, once each: a key whose mean cannot be taken
        (an overflowing sum in a hand-edited body) fails the judgments of its own state only."""
        found = self._histories.get(state_key)
        if found is None:
            history = self._by_state_key.get(state_key)
            if not history:
                return None
            found = self._histories[state_key] = (len(history), statistics.fmean(r.q_score for r in history))
        return found

    @cached_property
    def token_groups(self) -> TokenGroups:
        """The distinct token sets of the recollections and their sizes, then, in the memory's
        order, each recollection's set (an index into the first) and its q_score. A node
        often judges the same content again, so a set is compared once however many
        recollections share it."""
        distinct: dict[frozenset[str], int] = {}
        index = tuple(distinct.setdefault(r.tokens, len(distinct)) for r in self.items)
        sets = tuple(distinct)
        return sets, tuple(map(len, sets)), index, tuple(r.q_score for r in self.items)


EMPTY = Memory()
