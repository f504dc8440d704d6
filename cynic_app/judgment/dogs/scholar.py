"""SCHOLAR — precedent: how the most similar content judged before was scored.

Like ORACLE, SCHOLAR tells and does not vote (its vote always abstains): what a node stored
before never moves a judgment."""

from __future__ import annotations

from ..memory import recalled, tokens
from ..source import Source
from ..vote import TELLS_ONLY, Vote

NAME = "SCHOLAR"
NEIGHBOURS = 5
MIN_SIMILARITY = 0.1
COLD_START = Vote(NAME, 50.0, 0.1, False, ("no similar content judged yet",))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|, the union counted rather than built (a 20 KB cell against the memory's
    89 judgments built 89 unions of hundreds of tokens per request)."""
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 0.0


def nearest(mine: frozenset[str], memory) -> list[tuple[float, float]]:
    """The NEIGHBOURS recollections most similar to mine, as (jaccard, q_score), most similar
    first (ties in the memory's order). Each distinct token set of the memory is intersected
    once (``Memory.token_groups``), the intersections counted by the sets themselves; the
    ranking is a stable sort (``sorted(..., reverse=True)`` keeps ties in order, as
    ``heapq.nlargest`` does), with no Python call per recollection."""
    sets, sizes, index, q_scores = memory.token_groups
    n = len(mine)
    per_set = [
        shared / (n + size - shared) if n or size else 0.0
        for shared, size in zip(map(len, map(mine.intersection, sets)), sizes, strict=True)
    ]
    similarity = list(map(per_set.__getitem__, index))
    ranked = sorted(range(len(similarity)), key=similarity.__getitem__, reverse=True)[:NEIGHBOURS]
    return [(similarity[i], q_scores[i]) for i in ranked]


def vote(src: Source, cell, memory, votes=None) -> Vote:
    if not memory.items:
        return COLD_START
    mine = tokens(recalled(src.text))  # compared like with like: the memory holds no more
    near = [(s, q) for s, q in nearest(mine, memory) if s >= MIN_SIMILARITY]
    if not near:
        return COLD_START
    total = sum(s for s, _ in near)
    q = sum(s * q for s, q in near) / total
    best = near[0][0]
    return Vote(
        NAME,
        round(q, 3),
        TELLS_ONLY,
        False,
        (f"{len(near)} similar past judgments (best similarity {best:.2f})",),
    )
