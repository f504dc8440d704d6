"""Helpers shared by tests: a snapshot of everything a write can touch."""

from __future__ import annotations

from pathlib import Path

import psycopg


def persisted_snapshot(home: Path, database_url: str) -> dict:
    """Journal bytes, guidance bytes and row counts: equal snapshots mean nothing was written."""
    journal = b"".join(p.read_bytes() for p in sorted((home / "journal").glob("*/*.jsonl")))
    guidance = (home / "guidance.json").read_bytes() if (home / "guidance.json").exists() else None
    with psycopg.connect(database_url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM judgments), (SELECT count(*) FROM perceptions),"
            " (SELECT coalesce(sum(n), 0) FROM state_counters)"
        ).fetchone()
    return {"journal": journal, "guidance": guidance, "rows": counts}
