"""Check a node: do its journals and PostgreSQL agree (``cynic replay --verify``), and what does it
hold (``cynic stats``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from ..config import Config
from ..durability.archive import Archive
from ..durability.journal import reader
from ..durability.journal.closed import claim
from ..durability.journal.layout import has_legacy_segments, list_journals, list_segments
from ..store import repository
from ..store.migrations import schema_version


@dataclass
class Disagreement:
    missing: list[str] = field(default_factory=list)  # journaled, not aborted, not in PostgreSQL
    resurrected: list[str] = field(default_factory=list)  # aborted, yet in PostgreSQL
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.resurrected


def verify(conn: psycopg.Connection, home: Path, *, batch: int = 1000) -> Disagreement:
    """Compare every record of every journal, archived ones included, with PostgreSQL; journals
    are read, never repaired.

    Run it with no write in flight (records of a live writer between its journal and its
    commit would count as missing).
    """
    root = Path(home) / "journal"
    result = Disagreement()
    legacy = [root] if has_legacy_segments(root) else []
    journals = legacy + list_journals(root) + Archive(home).journals()
    for journal in journals:
        _verify_one(conn, reader.scan(journal, repair=False), result, batch)
    return result


def _verify_one(conn, scanned: reader.ScanResult, result: Disagreement, batch: int) -> None:
    pending: dict[str, list[str]] = {"judgment": [], "perception": []}

    def flush(kind: str) -> None:
        ids = pending[kind]
        present = repository.existing_ids(conn, kind, ids) if ids else set()
        for rid in ids:
            aborted = rid in scanned.aborted
            if aborted and rid in present:
                result.resurrected.append(rid)
            elif not aborted and rid not in present:
                result.missing.append(rid)
        pending[kind] = []

    for record in reader.raw_records(scanned):
        if record.kind == "abort":
            continue
        result.records += 1
        pending[record.kind].append(record.id)
        if len(pending[record.kind]) >= batch:
            flush(record.kind)
    for kind in pending:
        flush(kind)


def stats(conn: psycopg.Connection, config: Config) -> dict:
    """What the node holds: its journals (live or closed, records, torn bytes; read, never
    repaired) and the database's row counts."""
    journals = []
    for journal in list_journals(config.journal_dir):
        segments = list_segments(journal)
        with claim(journal) as closed:
            result = reader.scan(journal, repair=False)
        journals.append(
            {
                "name": journal.name,
                "state": "closed" if closed else "live",
                "segments": len(segments),
                "bytes": sum(p.stat().st_size for _, p in segments),
                "records": result.records,
                "last_seq": result.last_seq,
                "torn_bytes": result.torn_bytes,
            }
        )
    version = schema_version(conn)
    counts = repository.count_rows(conn) if version else dict.fromkeys(repository.COUNTED, 0)
    return {"home": str(config.home), "journals": journals, "schema_version": version, "database": counts}
