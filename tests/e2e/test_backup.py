"""The backup runbook, for real: pg_dump, more writes, restore the dump, replay --from-start —
every acknowledged judgment is back (docs/operations.md, "Backups")."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from tests.support.harness import ROOT, Gunicorn, request

pytestmark = pytest.mark.slow


def judge_many(port: int, n: int, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        status, body = request(port, "POST", "/judge", {"content": f"backup_{tag}_{i} = {i}"})
        assert status == 200
        ids.append(body["judgment_id"])
    return ids


def cynic(g: Gunicorn, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cynic_app.cli", *args], env=g.env(), cwd=ROOT, capture_output=True, text=True
    )


def test_a_restored_dump_is_healed_by_replaying_the_archive(tmp_path, private_pg):
    dump = tmp_path / "cynic.dump"
    g = Gunicorn(tmp_path / "home", private_pg.url, workers=2, env={"CYNIC_SEGMENT_BYTES": "4096"}).start()
    try:
        before = judge_many(g.port, 40, "before")
        subprocess.run(
            [str(private_pg.bin_dir / "pg_dump"), "-Fc", "-f", str(dump), "-d", private_pg.url], check=True
        )
        after = judge_many(g.port, 40, "after")
    finally:
        assert g.stop() == 0  # every journal settled; their segments kept in the archive
    subprocess.run(
        [str(private_pg.bin_dir / "pg_restore"), "--clean", "--if-exists", "-d", private_pg.url, str(dump)],
        check=True,
    )
    with psycopg.connect(private_pg.url) as conn:
        assert conn.execute("SELECT count(*) FROM judgments").fetchone()[0] == 40  # the dump's

    healed = cynic(g, "replay", "--from-start")
    assert healed.returncode == 0, healed.stderr
    assert "applied 40," in healed.stdout, healed.stdout
    with psycopg.connect(private_pg.url) as conn:
        counts = dict(conn.execute("SELECT judgment_id::text, count(*) FROM judgments GROUP BY 1").fetchall())
        verdicts = conn.execute("SELECT sum(n) FROM state_counters WHERE name LIKE 'verdict:%'").fetchone()[0]
    assert [i for i in before + after if counts.get(i) != 1] == [] and verdicts == 80
    assert cynic(g, "replay", "--verify").returncode == 0
    g.start()
    try:
        assert request(g.port, "GET", f"/judge/{after[-1]}")[0] == 200
    finally:
        g.stop()
