"""Check that the journal and PostgreSQL agree (``cynic replay --verify``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from ..store import repository
from .journal import reader


@dataclass
class Disagreement:
    missing: list[str] = field(default_factory=list)  # journaled, not aborted, not in PostgreSQL
    resurrected: list[str] = field(default_factory=list)  # aborted, yet in PostgreSQL
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.resurrected


def verify(conn: psycopg.Connection, journal_dir, *, batch: int = 1000) -> Disagreement:
    """Compare every journaled record with PostgreSQL; the journal is read, never repaired."""
    scan = reader.scan(journal_dir, repair=False)
    result = Disagreement()
    pending: dict[str, list[str]] = {"judgment": [], "perception": []}

    def flush(kind: str) -> None:
        ids = pending[kind]
        present = repository.existing_ids(conn, kind, ids)
        for rid in ids:
            aborted = rid in scan.aborted
            if aborted and rid in present:
                result.resurrected.append(rid)
            elif not aborted and rid not in present:
                result.missing.append(rid)
        pending[kind] = []

    for record in reader.records(journal_dir):
        if record.kind == "abort":
            continue
        result.records += 1
        pending[record.kind].append(record.id)
        if len(pending[record.kind]) >= batch:
            flush(record.kind)
    for kind in pending:
        flush(kind)
    return result
