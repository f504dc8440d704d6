"""Helpers for reporting errors in one line."""

from __future__ import annotations


def first_line(exc: BaseException | None) -> str:
    """The first line of an exception's message, or its class name when it has none."""
    text = str(exc).strip() if exc is not None else ""
    return text.splitlines()[0] if text else type(exc).__name__
