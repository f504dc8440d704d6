"""Start-up recovery: every journal is settled — what PostgreSQL lacks applied once — before serving."""

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.api.context import runtime_of
from cynic_app.config import ConfigError
from cynic_app.durability.guidance import read_guidance
from cynic_app.durability.journal import JournalCorrupt, JournalWriter
from cynic_app.durability.journal.closed import remove_unborn
from cynic_app.durability.journal.layout import list_journals, list_segments
from cynic_app.judgment import Cell, judge
from cynic_app.node.checkpoint import load_from_checkpoint
from cynic_app.node.home import acquire_node_lock
from cynic_app.node.open import settle_node as replay
from cynic_app.store.migrations import migrate
from tests.support.faults import flip_a_byte_after_the_first_line
from tests.support.harness import serving


def journal_judgments(home, n, *, aborted=()):
    (home / "journal").mkdir(parents=True, exist_ok=True)
    writer = JournalWriter(home / "journal")
    ids = []
    for i in range(n):
        j = judge(Cell.create(content=f"value_{i} = {i}")).to_dict()
        seq = writer.append(
            "judgment", j["judgment_id"], {"judgment": j, "created_at": "2026-11-25T00:00:00+00:00"}
        ).seq
        if i in aborted:
            writer.append("abort", j["judgment_id"], {"ref_seq": seq}, resolved=True)
        ids.append(j["judgment_id"])
    writer.close()
    return writer, ids


def stored_ids(database_url):
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute("SELECT judgment_id::text FROM judgments")]


def test_start_up_applies_missing_records_once_and_skips_aborted(config, database_url):
    _, ids = journal_judgments(config.home, 10, aborted={3, 7})
    first = replay(config)
    assert (first.applied, first.already_present, first.aborted) == (8, 0, 2)
    assert sorted(stored_ids(database_url)) == sorted(i for n, i in enumerate(ids) if n not in (3, 7))
    assert list_journals(config.journal_dir) == []
    second = replay(config)
    assert (second.journals, second.scanned) == (0, 0)  # settled history is gone, not re-read
    assert read_guidance(config.home / "guidance.json")["judgment_id"] == ids[9]
    assert load_from_checkpoint(config.home).verdict_counts  # the snapshot was written


def test_dry_run_writes_nothing(config, database_url):
    journal_judgments(config.home, 3)
    with pytest.raises(ConfigError, match="cynic migrate"):
        replay(config, dry_run=True)
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate(conn)
    summary = replay(config, dry_run=True)
    assert summary.applied == 3 and stored_ids(database_url) == []
    assert len(list_journals(config.journal_dir)) == 1
    assert replay(config).applied == 3


def test_torn_tail_is_repaired_at_start_up_and_nothing_journaled_is_lost(config, database_url):
    writer, ids = journal_judgments(config.home, 4)
    ((_, path),) = list_segments(writer.directory)
    path.write_bytes(path.read_bytes() + b'{"crc":"1234abcd","seq":5,"ts":1,"kind":"judg')
    summary = replay(config)
    assert summary.torn_bytes > 0 and summary.applied == 4
    assert sorted(stored_ids(database_url)) == sorted(ids)
    assert len(list((config.home / "broken").iterdir())) == 1


def test_corruption_in_the_middle_refuses_to_start(config):
    writer, _ = journal_judgments(config.home, 4)
    ((_, path),) = list_segments(writer.directory)
    flip_a_byte_after_the_first_line(path)
    with pytest.raises(JournalCorrupt, match="at byte"):
        create_app(config)
    acquire_node_lock(config.home).release()  # a refused start-up holds nothing


def test_the_app_serves_what_start_up_applied(config):
    _, ids = journal_judgments(config.home, 2)
    with serving(config) as app:
        assert app.test_client().get(f"/judge/{ids[0]}").status_code == 200


def test_a_second_app_on_the_same_home_is_refused(app, config):
    from cynic_app.node.errors import NodeBusy

    with pytest.raises(NodeBusy):
        create_app(config)


def test_start_up_removes_journals_whose_writer_died_before_its_first_segment(config):
    unborn = config.journal_dir / "20261125T000000-1-0badf00d"
    unborn.mkdir(parents=True)
    (unborn / "lock").touch()
    replay(config)
    assert not unborn.exists() and remove_unborn(config.home) == 0


def test_start_up_removes_temporary_files_a_killed_process_left(config):
    config.home.mkdir(parents=True)
    (config.home / ".guidance.json.abc123.tmp").write_text("{half")
    replay(config)
    assert not list(config.home.glob(".*.tmp"))


def test_bulk_replay_rebuilds_exactly_what_the_live_path_stored(config, database_url):
    app = create_app(config)
    client = app.test_client()
    for i in range(40):
        client.post("/judge", json={"content": f"v_{i} = eval(input())" if i % 3 else f"v_{i} = {i}"})
    client.post("/perceive", json={"source": "s", "content": "a perception"})
    client.post("/judge", json={"content": "keyed = 1"}, headers={"Idempotency-Key": "replay-key"})
    runtime_of(app).close()  # its journal is closed, still on disk (one segment)

    def snapshot():
        with psycopg.connect(database_url) as conn:
            return (
                conn.execute(
                    "SELECT judgment_id, created_at, state_key, verdict, q_score, journal, journal_seq, body"
                    " FROM judgments ORDER BY judgment_id"
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
    summary = replay(config)
    assert summary.applied == 42
    assert snapshot() == live


def test_a_failed_create_app_holds_nothing(config, monkeypatch):
    """Review finding: a bad setting read after the node was opened (CYNIC_THREADS) failed
    create_app with the node lock still held, so a corrected retry in the same process was
    refused. Every setting is now checked before the node is touched, and a failure after it
    lets go of the node. (create_app(config) reads no setting of its own any more: a bad one in
    the environment is refused by Config.from_env, when create_app is given no config.)"""
    monkeypatch.setenv("CYNIC_HOME", str(config.home))
    monkeypatch.setenv("CYNIC_DATABASE_URL", config.database_url)
    monkeypatch.setenv("CYNIC_THREADS", "lots")
    with pytest.raises(ConfigError, match="CYNIC_THREADS"):
        create_app()
    assert not config.home.exists()  # refused before the node was touched
    monkeypatch.delenv("CYNIC_THREADS")
    monkeypatch.setattr("cynic_app.api.register", lambda app: 1 / 0)  # fails after the node is open
    with pytest.raises(ZeroDivisionError):
        create_app(config)
    acquire_node_lock(config.home).release()


def test_start_up_settles_before_it_forgets_old_keys(config, database_url):
    """Issue 22.2: a record in doubt on a node that stayed down over 48 h, retried on another
    node with its Idempotency-Key, was stored twice at start-up: the key was forgotten first, so
    settling the closed journal claimed it again for the record in doubt."""
    from cynic_app.record import from_data
    from cynic_app.store import repository
    from cynic_app.store.rows import record_rows

    replay(config)  # the schema
    key = {"key": "k-old", "fingerprint": "f"}
    j = judge(Cell.create(content="retried = 1")).to_dict()
    other = judge(Cell.create(content="retried = 1")).to_dict()
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.transaction():  # the retry, stored by another node three days ago
            data = {"judgment": other, "created_at": "2026-11-22T00:00:00+00:00", "idempotency": key}
            repository.store_records(
                conn, [record_rows(from_data("judgment", data), journal="other", seq=1, ts=0)], node="m"
            )
        conn.execute("UPDATE idempotency_keys SET created_at = now() - interval '3 days'")
    config.journal_dir.mkdir(parents=True, exist_ok=True)
    writer = JournalWriter(config.journal_dir)  # the record in doubt, on this node's disk since
    writer.append(
        "judgment",
        j["judgment_id"],
        {"judgment": j, "created_at": "2026-11-22T00:00:00+00:00", "idempotency": key},
    )
    writer.close()
    summary = replay(config)
    assert (summary.applied, summary.superseded) == (0, 1)
    assert stored_ids(database_url) == [other["judgment_id"]]
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0] == 0  # forgotten after
