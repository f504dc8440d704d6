"""Pages of judgments: newest first, each after the last row of the one before (no repeats, no
gaps, whatever is stored meanwhile), and each filter read from its index at the cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from psycopg import sql

from cynic_app.judgment import Cell, judge
from cynic_app.record import from_data
from cynic_app.store.listing import Position, list_judgments, page_query
from cynic_app.store.repository import store_records
from cynic_app.store.rows import record_rows

from .toast import ONCE, large_content, toast_blocks_read_by

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def store(conn, content: str, created_at: datetime, *, reality: str = "CODE", seq: int = 1) -> dict:
    judgment = judge(Cell.create(content=content, reality=reality, context="listing test")).to_dict()
    data = {"judgment": judgment, "created_at": created_at.isoformat()}
    with conn.transaction():
        store_records(
            conn, [record_rows(from_data("judgment", data), journal="j1", seq=seq, ts=seq)], node="n"
        )
    return judgment


def walk(conn, **filters) -> list[list[str]]:
    """Every page, following each page's position, as lists of ids."""
    pages, after = [], None
    while True:
        page = list_judgments(conn, after=after, **filters)
        pages.append([item["judgment_id"] for item in page.items])
        if page.next is None:
            return pages
        after = page.next


def test_pages_follow_each_other_newest_first_and_the_last_says_so(conn):
    ids = [store(conn, f"x = {i}\n", T0 + timedelta(seconds=i), seq=i)["judgment_id"] for i in range(7)]
    assert walk(conn, limit=3) == [ids[6:3:-1], ids[3:0:-1], ids[:1]]
    assert walk(conn, limit=7) == [ids[::-1]]


def test_judgments_stored_in_the_same_microsecond_are_each_listed_once(conn):
    ids = [store(conn, f"y = {i}\n", T0, seq=i)["judgment_id"] for i in range(5)]
    pages = walk(conn, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in p] == sorted(ids, reverse=True)  # the id breaks the tie


def test_a_judgment_stored_between_two_pages_neither_repeats_nor_shifts_the_next(conn):
    ids = [store(conn, f"z = {i}\n", T0 + timedelta(seconds=i), seq=i)["judgment_id"] for i in range(4)]
    first = list_judgments(conn, limit=2)
    newer = store(conn, "w = 1\n", T0 + timedelta(seconds=10), seq=9)["judgment_id"]
    second = list_judgments(conn, limit=2, after=first.next)
    assert [i["judgment_id"] for i in second.items] == [ids[1], ids[0]] and second.next is None
    assert list_judgments(conn, limit=1).items[0]["judgment_id"] == newer


def test_filters_by_verdict_and_reality_and_summarises_each_judgment(conn):
    bark = store(conn, "import os\nos.system(input())\n", T0, seq=1)
    wag = store(conn, "def add(a: int, b: int) -> int:\n    return a + b\n", T0 + timedelta(seconds=1), seq=2)
    market = store(conn, "prices up 3%", T0 + timedelta(seconds=2), reality="MARKET", seq=3)
    assert bark["verdict"] == "BARK" and wag["verdict"] != "BARK"
    only = lambda **f: [i["judgment_id"] for i in list_judgments(conn, limit=10, **f).items]  # noqa: E731
    assert only(verdict="BARK") == [bark["judgment_id"]]
    assert only(reality="MARKET") == [market["judgment_id"]]
    assert only(reality="CODE") == [wag["judgment_id"], bark["judgment_id"]]
    assert only(verdict="BARK", reality="MARKET") == []
    (item,) = list_judgments(conn, limit=10, verdict="BARK").items
    assert item == {
        "judgment_id": bark["judgment_id"],
        "created_at": T0,
        "verdict": "BARK",
        "q_score": bark["q_score"],
        "confidence": bark["confidence"],
        "reality": "CODE",
        "analysis": bark["cell"]["analysis"],
        "state_key": item["state_key"],
        "language": "python",
        "level_used": bark["level_used"],
        "finding_count": len(bark["findings"]),
        "context": "listing test",
        "excerpt": "import os\nos.system(input())\n",
    }


def test_the_excerpt_is_the_start_of_the_content(conn):
    store(conn, "a" * 5000, T0)
    assert list_judgments(conn, limit=1).items[0]["excerpt"] == "a" * 200


def fill(conn, rows: int) -> None:
    """rows judgments, one second apart (bodies empty: only the columns matter here); one in 50
    is a BARK, one in 47 is about MARKET, the rest common values."""
    conn.execute(
        "INSERT INTO judgments (judgment_id, created_at, state_key, reality, verdict, q_score,"
        " consensus_reached, node, journal_seq, body)"
        " SELECT gen_random_uuid(), %s + i * interval '1 second', 'k',"
        " CASE WHEN i %% 47 = 0 THEN 'MARKET' ELSE 'CODE' END,"
        " CASE WHEN i %% 50 = 0 THEN 'BARK' ELSE (array['HOWL','WAG','GROWL'])[1 + i %% 3] END,"
        " 50, true, 'n', i, '{}'"
        " FROM generate_series(1, %s) AS i",
        (T0, rows),
    )
    conn.execute("ANALYZE judgments")


def explained_page(conn, **filters) -> tuple[list, list[dict]]:
    """A page deep in 20,000 judgments, and the nodes of the plan of the very query it sent."""
    fill(conn, 20_000)
    position = Position(T0 + timedelta(seconds=15_000), "00000000-0000-4000-8000-000000000000")
    page = list_judgments(conn, limit=20, after=position, **filters)
    assert all(item["created_at"] < position.created_at for item in page.items)
    query, params = page_query(limit=20, after=position, **filters)
    (plan,) = conn.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query, params).fetchone()[0]
    return page.items, scans(plan["Plan"])


def scans(plan: dict) -> list[dict]:
    return [plan, *(s for child in plan.get("Plans", ()) for s in scans(child))]


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "judgments_newest"),
        ({"verdict": "BARK"}, "judgments_by_verdict"),
        ({"reality": "MARKET"}, "judgments_by_reality"),
    ],
)
def test_a_deep_page_reads_only_its_own_rows_from_its_index(conn, filters, index):
    items, nodes = explained_page(conn, **filters)
    assert len(items) == 20 and all(items[0][k] == v for k, v in filters.items())
    (scan,) = [n for n in nodes if n.get("Index Name")]
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan") and scan["Index Name"] == index
    assert "created_at" in scan["Index Cond"]  # the cursor is where the index scan starts
    assert scan["Actual Rows"] == 21 and scan.get("Rows Removed by Filter", 0) == 0  # the page and one more
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort", "Seq Scan")]


def test_a_deep_page_of_a_common_verdict_starts_at_the_cursor_and_never_sorts(conn):
    items, nodes = explained_page(conn, verdict="WAG")
    assert len(items) == 20 and {i["verdict"] for i in items} == {"WAG"}
    (scan,) = [n for n in nodes if n.get("Index Name")]
    assert "created_at" in scan["Index Cond"]  # whichever index the planner picks, it starts there
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort", "Seq Scan")]


def test_both_filters_are_read_from_one_filters_index_from_the_cursor(conn):
    """Rare together (6 rows here), so the planner may sort those few; it never scans the table."""
    items, nodes = explained_page(conn, verdict="BARK", reality="MARKET")
    assert len(items) == 6 and {(i["verdict"], i["reality"]) for i in items} == {("BARK", "MARKET")}
    (scan,) = [n for n in nodes if n.get("Index Name")]
    assert scan["Index Name"] in ("judgments_by_verdict", "judgments_by_reality")
    assert "created_at" in scan["Index Cond"]
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"]


def test_a_page_reads_each_stored_body_once(conn):
    """A page reads each of its rows' bodies out of their TOAST storage once: naming the stored
    column in each of its seven fields read each body seven times."""
    for i in range(6):
        store(conn, large_content(i), T0 + timedelta(seconds=i), seq=i + 1)
    once = toast_blocks_read_by(conn, lambda c: c.execute(ONCE))
    assert once >= 6 * 2  # every body spans TOAST blocks: the comparison below means something
    page = toast_blocks_read_by(conn, lambda c: list_judgments(c, limit=6))
    assert page <= once * 1.5, (page, once)


def test_a_page_whose_plan_sorts_the_matching_rows_reads_only_its_own_bodies(conn):
    """When the plan sorts the rows a filter matches (the planner's choice when two filters'
    values go together more than it expects; forced here), only the page's bodies are read, once,
    after the sort: the sort holds the rows' columns and their bodies' pointers. A first version
    read every matching row's body before the sort and sorted the bodies whole: a page of 100
    sorted 75 MB on disk (found by a review of b8304de)."""
    for i in range(6):
        store(conn, large_content(i), T0 + timedelta(seconds=i), seq=i + 1)
    conn.execute("SET enable_indexscan = off")
    page_bodies = toast_blocks_read_by(
        conn, lambda c: c.execute(ONCE + " WHERE created_at >= %s", (T0 + timedelta(seconds=4),))
    )
    assert page_bodies >= 2 * 2  # the two newest bodies span TOAST blocks
    page = toast_blocks_read_by(conn, lambda c: list_judgments(c, limit=2, reality="CODE"))
    assert page <= page_bodies * 1.5, (page, page_bodies)
    query, params = page_query(limit=2, reality="CODE")
    (plan,) = conn.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query, params).fetchone()[0]
    assert [n for n in scans(plan["Plan"]) if n["Node Type"] == "Sort"]  # the case this is about
