"""Start-up replay: whatever is journaled but missing from PostgreSQL is applied exactly once."""

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.durability.guidance import read_guidance
from cynic_app.durability.journal import JournalCorrupt, JournalWriter
from cynic_app.durability.journal.segment import list_segments
from cynic_app.durability.replay import replay
from cynic_app.judgment import Cell, judge
from cynic_app.startup import recover


def journal_judgments(home, n, *, aborted=()):
    writer = JournalWriter(home / "journal")
    ids = []
    for i in range(n):
        j = judge(Cell.create(content=f"value_{i} = {i}")).to_dict()
        seq = writer.append(
            "judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00"}
        )
        if i in aborted:
            writer.append("abort", j["judgment_id"], {"ref_seq": seq})
        ids.append(j["judgment_id"])
    writer.close()
    return ids


def stored_ids(database_url):
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute("SELECT judgment_id::text FROM judgments")]


def test_replay_applies_missing_records_once_and_skips_aborted(config, database_url):
    config.home.mkdir(parents=True)
    ids = journal_judgments(config.home, 10, aborted={3, 7})
    first = recover(config)
    assert (first.applied, first.already_present, first.aborted) == (8, 0, 2)
    assert sorted(stored_ids(database_url)) == sorted(i for n, i in enumerate(ids) if n not in (3, 7))
    second = recover(config)
    assert (second.applied, second.scanned) == (0, 0)  # settled history is not read again
    third = recover(config, from_start=True)
    assert (third.applied, third.already_present) == (0, 8)
    assert read_guidance(config.home / "guidance.json")["judgment_id"] == ids[9]


def test_dry_run_writes_nothing(config, database_url):
    config.home.mkdir(parents=True)
    journal_judgments(config.home, 3)
    recover(config)  # schema
    with psycopg.connect(database_url) as conn:
        conn.execute("TRUNCATE judgments CASCADE")
    assert recover(config, dry_run=True).applied == 0  # the checkpoint vouches for them
    summary = recover(config, dry_run=True, from_start=True)
    assert summary.applied == 3 and stored_ids(database_url) == []
    assert recover(config, from_start=True).applied == 3


def test_torn_tail_is_repaired_at_start_up_and_nothing_acknowledged_is_lost(config, database_url):
    config.home.mkdir(parents=True)
    ids = journal_judgments(config.home, 4)
    ((_, path),) = list_segments(config.home / "journal")
    path.write_bytes(path.read_bytes() + b'{"crc":"1234abcd","seq":5,"kind":"judg')
    summary = recover(config)
    assert summary.torn_bytes > 0 and summary.applied == 4
    assert sorted(stored_ids(database_url)) == sorted(ids)
    assert (path.parent / (path.name + ".broken")).exists()


def test_corruption_in_the_middle_refuses_to_start(config):
    config.home.mkdir(parents=True)
    journal_judgments(config.home, 4)
    ((_, path),) = list_segments(config.home / "journal")
    data = bytearray(path.read_bytes())
    data[data.find(b"\n") + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt, match="at byte"):
        create_app(config)


def test_the_app_serves_what_replay_applied(config):
    config.home.mkdir(parents=True)
    ids = journal_judgments(config.home, 2)
    app = create_app(config)
    try:
        assert app.test_client().get(f"/judge/{ids[0]}").status_code == 200
    finally:
        app.extensions["cynic"].close()


def test_a_second_app_on_the_same_home_is_refused(app, config):
    from cynic_app.durability.home import NodeBusy

    with pytest.raises(NodeBusy):
        create_app(config)


def test_replay_with_a_record_already_present_counts_it(config, database_url):
    config.home.mkdir(parents=True)
    journal_judgments(config.home, 2)
    recover(config)
    with psycopg.connect(database_url) as conn:
        summary = replay(conn, config.journal_dir, node="n")
    assert summary.already_present == 2 and summary.applied == 0


def test_bulk_replay_rebuilds_exactly_what_the_live_path_stored(config, database_url):
    app = create_app(config)
    client = app.test_client()
    for i in range(40):
        client.post("/judge", json={"content": f"v_{i} = eval(input())" if i % 3 else f"v_{i} = {i}"})
    client.post("/perceive", json={"source": "s", "content": "a perception"})
    client.post("/judge", json={"content": "keyed = 1"}, headers={"Idempotency-Key": "replay-key"})
    app.extensions["cynic"].close()

    def snapshot():
        with psycopg.connect(database_url) as conn:
            return (
                conn.execute(
                    "SELECT judgment_id, created_at, state_key, verdict, q_score, body FROM judgments"
                    " ORDER BY judgment_id"
                ).fetchall(),
                conn.execute(
                    "SELECT shard, name, n, round(total::numeric, 6) FROM state_counters ORDER BY shard, name"
                ).fetchall(),
                conn.execute("SELECT key, record_id FROM idempotency_keys").fetchall(),
                conn.execute("SELECT count(*) FROM perceptions").fetchone(),
            )

    live = snapshot()
    with psycopg.connect(database_url) as conn:
        conn.execute("TRUNCATE judgments, perceptions, idempotency_keys, state_counters")
    summary = recover(config, from_start=True)
    assert summary.applied == 42
    assert snapshot() == live
