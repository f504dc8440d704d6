"""A write: one record on its way through the write path, and what became of it.

Its journal payload is built once (``cynic_app/record.py`` encodes the record around its
judgment's bytes), before any lock; the same judgment bytes go into PostgreSQL's jsonb column.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ..durability.journal import Position
from ..durability.journal.record import payload
from ..record import IdempotencyKey, Record, encode
from ..store.rows import RecordRows, record_rows
from .outcomes import PersistenceError, failure

__all__ = ["IdempotencyKey", "Write", "record_ids"]


@dataclass(eq=False)
class Write:
    """One record and what became of it. ``done`` with ``error`` None means acknowledged."""

    record: Record | None  # None: a marker
    payload: bytes  # the journal payload ("kind", "id", "data"), built once
    ids: dict  # judgment_id / perception_id: every answer about it carries them
    submitted: float = field(default_factory=time.monotonic)
    position: Position | None = None
    error: PersistenceError | Exception | None = None
    earlier: dict | None = None  # the record its Idempotency-Key already stood for
    done: bool = False
    event: threading.Event = field(default_factory=threading.Event)  # set: done, or to lead
    handed: list[Write] | None = None  # the batch it is to lead (group_commit.py)
    is_marker: bool = False  # no record: asks for a batch to run (to resolve records in doubt)

    @classmethod
    def of(cls, record: Record) -> Write:
        framed = payload(record.kind, record.record_id, encode(record))
        return cls(record, framed, record_ids(record.kind, record.answer()))

    @classmethod
    def marker(cls) -> Write:
        return cls(None, b"", {}, is_marker=True)

    @property
    def kind(self) -> str:
        return self.record.kind if self.record is not None else "marker"

    @property
    def record_id(self) -> str:
        return self.record.record_id if self.record is not None else ""

    @property
    def idempotency(self) -> IdempotencyKey | None:
        return self.record.idempotency

    @property
    def judgment(self) -> dict | None:
        return self.record.judgment

    def fail(self, outcome: str, step: str, cause: BaseException | None) -> None:
        self.error = failure(outcome, step, self.ids, cause)

    def rows(self) -> RecordRows:
        """Its rows in PostgreSQL (it MUST be journaled: the rows name their journal position)."""
        p = self.position
        return record_rows(self.record, journal=p.journal, seq=p.seq, ts=p.ts)


def record_ids(kind: str, record: dict) -> dict:
    """The ids an answer about a stored record carries: its own, and its judgment's."""
    judgment = record.get("judgment")
    ids = {"perception_id": record["perception_id"]} if kind == "perception" else {}
    if judgment is not None:
        ids["judgment_id"] = judgment["judgment_id"]
    return ids
