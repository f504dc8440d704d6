"""Real disk faults: a full file system (a small tmpfs), a read-only home, a failing fsync."""

from __future__ import annotations

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.api.context import runtime_of
from cynic_app.config import Config
from cynic_app.durability.journal import reader
from cynic_app.durability.journal.layout import list_journals
from cynic_app.node.errors import HomeUnusable
from tests.support.faults import FailingFS
from tests.support.harness import serving


def test_disk_full_is_503_acknowledges_nothing_and_leaves_no_half_record(tmpfs, database_url):
    disk = tmpfs("2m")
    home = disk.point / "home"
    config = Config(home=home, database_url=database_url, node="n", startup_timeout_s=5)
    with serving(config) as app:
        client = app.test_client()
        assert client.post("/judge", json={"content": "a = 1"}).status_code == 200
        (journal,) = list_journals(home / "journal")
        records_before = reader.scan(journal, repair=False).records
        disk.fill()
        big = {"content": "value = 1  # padding\n" * 2000}
        r = client.post("/judge", json=big)
        assert r.status_code == 503
        details = r.get_json()["error"]["details"]
        assert details["outcome"] in ("not_written", "written")
        scan = reader.scan(journal, repair=False)
        assert scan.torn_bytes == 0  # the partial line was cut off again
        with psycopg.connect(database_url) as conn:
            stored = conn.execute(
                "SELECT count(*) FROM judgments WHERE judgment_id = %s", (details["judgment_id"],)
            ).fetchone()[0]
        assert stored == (1 if details["outcome"] == "written" else 0)
        assert scan.records == records_before + stored
        disk.free()
        assert client.post("/judge", json=big).status_code == 200
    with serving(config):  # the next start is clean
        pass


def test_read_only_home_refuses_to_start_with_one_line(tmpfs, database_url):
    home = tmpfs("1m", read_only=True).point
    with pytest.raises(HomeUnusable, match="not writable|cannot create") as err:
        create_app(Config(home=home, database_url=database_url))
    assert "\n" not in str(err.value)


def test_a_failed_fsync_answers_unknown_and_the_journal_is_not_trusted_again(home, database_url):
    retired = []
    # File fsyncs (temporary files' are counted apart): 1 the first judgment's journal record,
    # 2 the second's.
    with serving(
        Config(home=home, database_url=database_url, node="n"), fs=FailingFS(fail_fsync_at=2)
    ) as app:
        runtime_of(app).on_journal_failure = lambda: retired.append(True)
        client = app.test_client()
        assert client.post("/judge", json={"content": "a = 1"}).status_code == 200
        r = client.post("/judge", json={"content": "b = 2"})
        assert r.status_code == 503
        details = r.get_json()["error"]["details"]
        assert (details["outcome"], details["step"]) == ("unknown", "journal")
        assert retired == [True]
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.get_json()["checks"]["journal"]["ok"] is False
        r = client.post("/judge", json={"content": "c = 3"})
        assert r.status_code == 503 and r.get_json()["error"]["details"]["outcome"] == "not_written"
