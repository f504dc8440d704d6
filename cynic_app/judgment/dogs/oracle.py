"""ORACLE — expectation: what judgments with this state_key have scored before.

ORACLE tells, it does not vote: a judgment is the same on every node whatever the node stored
before (its verdict, q_score and confidence depend on the cell alone), so ORACLE's vote always
abstains and only its reason and its own dog_votes entry carry what the past says."""

from __future__ import annotations

from ..source import Source
from ..vote import TELLS_ONLY, Vote

NAME = "ORACLE"
COLD_START = Vote(NAME, 50.0, 0.1, False, ("no history for this state yet",))


def vote(src: Source, cell, memory, votes=None) -> Vote:
    history = memory.history_of(cell.state_key)
    if history is None:
        return COLD_START
    count, q = history
    return Vote(
        NAME,
        round(q, 3),
        TELLS_ONLY,
        False,
        (f"{count} past judgments of {cell.state_key} average {q:.1f}",),
    )
