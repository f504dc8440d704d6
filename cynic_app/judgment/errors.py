"""Errors raised by the judgment domain."""

from __future__ import annotations


class InvalidCell(ValueError):
    """The cell's fields failed validation; ``errors`` maps each bad field to why."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {why}" for field, why in self.errors.items()))


class InvalidJudgment(ValueError):
    """A stored judgment dict cannot be turned back into a Judgment."""
