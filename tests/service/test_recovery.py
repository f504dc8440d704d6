"""Recovery does not depend on a probe: the runtime's recovery timer resolves records in doubt
and settles closed journals with no request and no /ready (issue 23.7: /ready did both, so a
node that nobody probed kept them)."""

from __future__ import annotations

import time

import psycopg

from cynic_app.api.context import runtime_of
from cynic_app.durability.journal import JournalWriter
from cynic_app.durability.journal.layout import list_journals, list_segments
from cynic_app.judgment import Cell, judge
from tests.service.test_shutdown import HeldBatch, stored
from tests.support.faults import flip_a_byte_after_the_first_line
from tests.support.harness import serving

WAIT_S = 30  # generous: reached only when recovery never happens


def eventually(check, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, f"{what} within {WAIT_S} s, with no request and no probe"
        time.sleep(0.05)


def closed_journal(config, n: int = 3, *, contents: list[str] | None = None) -> tuple:
    """A journal whose writer is gone (closed), holding n judgments PostgreSQL lacks (of these
    contents, when given)."""
    writer = JournalWriter(config.journal_dir)
    ids = []
    for content in contents if contents is not None else [f"left_behind_{i} = {i}" for i in range(n)]:
        j = judge(Cell.create(content=content)).to_dict()
        writer.append(
            "judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-12-07T10:00:00+00:00"}
        )
        ids.append(j["judgment_id"])
    writer.close()
    return writer.directory, ids


def test_a_record_in_doubt_is_resolved_with_no_request_and_no_probe(config, database_url):
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s = 0.05
        service = runtime.service()
        doubtful = HeldBatch(service, "in_doubt = 1", at_pause=lambda conn: conn.execute("ROLLBACK")).go_on()
        assert doubtful.outcome == "unknown"
        eventually(
            lambda: stored(database_url, doubtful.ids["judgment_id"]) == 1, "the record was not stored"
        )
        eventually(lambda: service.in_doubt == 0, "the record stayed in doubt")


def test_a_closed_journal_is_settled_with_no_request_and_no_probe(config, database_url):
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s, runtime.settle_every_s = 0.05, 0.1
        runtime.service()  # the process's resources, and its recovery timer
        journal, ids = closed_journal(config)
        eventually(lambda: not journal.exists(), "the closed journal was not settled")
        for judgment_id in ids:
            assert stored(database_url, judgment_id) == 1
        # the journal is deleted inside the timer's settling, and counted once it returns
        eventually(lambda: runtime.closed_journals() == {"ok": True, "settled": 1}, "not counted")
        assert app.test_client().get("/ready").get_json()["checks"]["closed_journals"] == {
            "ok": True,
            "settled": 1,
        }


def test_ready_reports_a_closed_journal_the_timer_cannot_settle_and_leaves_it_alone(config):
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s, runtime.settle_every_s = 0.05, 0.1
        runtime.service()
        journal, _ = closed_journal(config)
        ((_, segment),) = list_segments(journal)
        flip_a_byte_after_the_first_line(segment)
        damaged = segment.read_bytes()
        eventually(lambda: not runtime.closed_journals()["ok"], "the corruption was not reported")
        ready = app.test_client().get("/ready")
        assert ready.status_code == 503
        assert "journal corrupt in" in ready.get_json()["checks"]["closed_journals"]["error"]
        assert segment.read_bytes() == damaged and journal in list_journals(config.journal_dir)


def test_ready_settles_nothing_itself(config, database_url):
    """/ready reads; a closed journal waits for the timer (held back here), however often it is asked."""
    with serving(config) as app:
        runtime = runtime_of(app)
        runtime.recover_every_s = runtime.settle_every_s = 3600
        runtime.service()
        journal, ids = closed_journal(config)
        client = app.test_client()
        for _ in range(3):
            assert client.get("/ready").status_code == 200
        assert journal.exists() and stored(database_url, ids[0]) == 0
        with psycopg.connect(database_url) as conn:
            assert conn.execute("SELECT count(*) FROM judgments").fetchone()[0] == 0
