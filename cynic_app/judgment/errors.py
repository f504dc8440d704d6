"""Errors raised by the judgment domain."""

from __future__ import annotations


class InvalidJudgment(ValueError):
    """A stored judgment dict cannot be turned back into a Judgment."""
