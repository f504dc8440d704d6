"""The parts scripts/bench measures the service against (tests/support/limits.py) run the real
steps on real files and a real PostgreSQL, and leave nothing behind."""

from __future__ import annotations

import psycopg

from cynic_app.durability.fsio import remove_temporaries
from cynic_app.durability.guidance import read_guidance
from tests.support import limits


def test_the_chained_parts_install_the_file_and_clean_up(tmp_path, database_url):
    ms = limits.chain_ms(tmp_path, database_url, n=5)
    assert set(ms) == {"overlapped", "serial"} and min(ms.values()) > 0
    assert list(tmp_path.iterdir()) == []  # journal, file and temporary files removed
    assert remove_temporaries(tmp_path) == 0
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT to_regclass('chain_probe')").fetchone() == (None,)


def test_the_chained_parts_commit_each_row(tmp_path, database_url, monkeypatch):
    """Each write of either arrangement commits its row: just before the table is dropped,
    another connection sees all of them."""
    counted = []
    real = psycopg.Connection.execute

    def execute(self, query, *args, **kwargs):
        if isinstance(query, str) and query.startswith("DROP TABLE chain_probe"):
            with psycopg.connect(database_url) as other:
                counted.append(other.execute("SELECT count(*) FROM chain_probe").fetchone()[0])
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", execute)
    limits.chain_ms(tmp_path, database_url, n=7)
    assert counted == [14]  # 7 of each arrangement


def test_the_write_path_alone_stores_each_record_and_names_the_last(tmp_path, database_url):
    """The service's own write path, measured alone: every batch's record committed and
    guidance.json naming the newest, as a request's write would leave them."""
    ms = limits.write_path_ms(tmp_path / "home", database_url, n=5, warm_up=2)
    assert set(ms) == {"wall", "cpu"} and min(ms.values()) > 0
    with psycopg.connect(database_url) as conn:
        ids = [row[0] for row in conn.execute("SELECT judgment_id::text FROM judgments ORDER BY journal_seq")]
    assert len(ids) == 7
    assert read_guidance(tmp_path / "home" / "guidance.json")["judgment_id"] == ids[-1]


def test_the_price_of_a_wait_is_measured_per_wait():
    """Two threads take turns, round after round, and a wait costs some wall time and CPU."""
    us = limits.handoff_us(n=200, rounds=3)
    assert set(us) == {"wall", "cpu"} and min(us.values()) > 0


def test_judge_alone_is_timed_per_call():
    assert limits.judge_ms("def hello(): pass\n", n=20, warm_up=2) > 0
