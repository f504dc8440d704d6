"""Pages of stored judgments, newest first, by keyset.

The order is (created_at DESC, judgment_id DESC); the id breaks ties between judgments stored in
the same microsecond. A page MUST start strictly after the position of the last row of the page
before it, never at an OFFSET: so a page costs the same however deep it is, and judgments stored
between two requests neither repeat a row nor skip one (they are newer: they go in front).
Each filter has an index in that order (judgments_newest, judgments_by_verdict,
judgments_by_reality: migrations.py), where the position is the index condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

#: How much of each judgment's content a summary carries.
EXCERPT_CHARS = 200

#: Each page's body is read once, after its rows are picked (repository.py says why and how):
#: the rows are picked, in whatever plan, by their columns and their bodies' pointers, not by
#: bodies read whole (a plan that sorts the rows matching both filters would sort those).
_SUMMARY = sql.SQL(
    """
SELECT judgment_id::text, created_at, verdict, q_score, (b->>'confidence')::float8, reality,
       b->'cell'->>'analysis', state_key, coalesce(b->>'language', ''), b->>'level_used',
       coalesce(jsonb_array_length(b->'findings'), 0), b->'cell'->>'context',
       left(b->'cell'->>'content', %(excerpt_chars)s)
  FROM (SELECT judgment_id, created_at, verdict, q_score, reality, state_key, body #> '{{}}' AS b
          FROM (SELECT judgment_id, created_at, verdict, q_score, reality, state_key, body
                  FROM judgments
                 WHERE {conditions}
                 ORDER BY judgments.created_at DESC, judgments.judgment_id DESC
                 LIMIT %(rows)s) AS page
         ORDER BY page.created_at DESC, page.judgment_id DESC
        OFFSET 0) AS read_once
 ORDER BY read_once.created_at DESC, read_once.judgment_id DESC  -- the columns, not the text id
"""
)
SUMMARY_FIELDS = (
    "judgment_id",
    "created_at",
    "verdict",
    "q_score",
    "confidence",
    "reality",
    "analysis",
    "state_key",
    "language",
    "level_used",
    "finding_count",
    "context",
    "excerpt",
)


@dataclass(frozen=True)
class Position:
    """Where a page ended: its last row's order key."""

    created_at: datetime
    judgment_id: str


@dataclass(frozen=True)
class Page:
    items: list[dict]  # SUMMARY_FIELDS → value, newest first
    next: Position | None  # None: this page is the last


def list_judgments(
    conn: psycopg.Connection,
    *,
    limit: int,
    verdict: str | None = None,
    reality: str | None = None,
    after: Position | None = None,
) -> Page:
    """Return up to limit judgment summaries, newest first, after the given position."""
    query, params = page_query(limit=limit, verdict=verdict, reality=reality, after=after)
    rows = conn.execute(query, params).fetchall()
    items = [dict(zip(SUMMARY_FIELDS, row, strict=True)) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, Position(items[-1]["created_at"], items[-1]["judgment_id"]) if more else None)


def page_query(
    *, limit: int, verdict: str | None = None, reality: str | None = None, after: Position | None = None
) -> tuple[sql.Composed, dict]:
    """Build the query of one page and its parameters (the tests EXPLAIN it as it is sent)."""
    conditions = [sql.SQL("true")]
    params: dict = {"excerpt_chars": EXCERPT_CHARS, "rows": limit + 1}  # one more: is there a next page?
    if verdict is not None:
        conditions.append(sql.SQL("verdict = %(verdict)s"))
        params["verdict"] = verdict
    if reality is not None:
        conditions.append(sql.SQL("reality = %(reality)s"))
        params["reality"] = reality
    if after is not None:
        # A row comparison, which a btree index in this order takes as where to start.
        conditions.append(sql.SQL("(created_at, judgment_id) < (%(after_at)s, %(after_id)s::uuid)"))
        params["after_at"], params["after_id"] = after.created_at, after.judgment_id
    return _SUMMARY.format(conditions=sql.SQL(" AND ").join(conditions)), params
