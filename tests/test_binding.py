"""A home's journals belong to one database: another one, or one with no identity, is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from cynic_app import create_app
from cynic_app.node.binding import read_binding
from cynic_app.node.errors import DatabaseMismatch
from cynic_app.node.open import settle_node as replay
from cynic_app.store.repository import database_identity
from tests.support.harness import ROOT, Gunicorn, new_database


@pytest.fixture
def other_database_url(pg_url):
    with new_database(pg_url) as url:
        yield url


def identity(url):
    with psycopg.connect(url) as conn:
        return database_identity(conn)


def has_tables(url) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass('judgments')").fetchone()[0] is not None


def cynic(*args, home, database_url=None):
    env = {**os.environ, "CYNIC_HOME": str(home), "PYTHONPATH": str(ROOT), "CYNIC_STARTUP_TIMEOUT_S": "2"}
    env.pop("CYNIC_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["CYNIC_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "cynic_app.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_first_start_binds_the_home_to_its_database(config, database_url):
    replay(config)
    bound = read_binding(config.home)
    assert bound["cluster_id"] == identity(database_url) and bound["embedded"] is False
    replay(config)  # the same database again: fine


def test_another_database_is_refused_before_anything_is_written_to_it(config, other_database_url):
    replay(config)
    with pytest.raises(DatabaseMismatch) as err:
        create_app(config.with_overrides(database_url=other_database_url))
    assert read_binding(config.home)["cluster_id"] in str(err.value)
    assert "no cynic identity" in str(err.value) and "\n" not in str(err.value)
    assert not has_tables(other_database_url)


def test_a_database_with_another_identity_is_refused_naming_both(config, other_database_url):
    replay(config)
    replay(config.with_overrides(home=config.home.parent / "other-home", database_url=other_database_url))
    with pytest.raises(DatabaseMismatch) as err:
        replay(config.with_overrides(database_url=other_database_url))
    assert identity(other_database_url) in str(err.value)
    assert read_binding(config.home)["cluster_id"] in str(err.value)


def test_the_cli_refuses_too_and_adopt_database_rebinds(config, database_url, other_database_url):
    replay(config)
    for command in (["replay"], ["checkpoint"]):
        result = cynic(*command, home=config.home, database_url=other_database_url)
        assert result.returncode == 3 and "adopt-database" in result.stderr, result
        assert result.stderr.count("\n") == 1
    adopted = cynic("adopt-database", home=config.home, database_url=other_database_url)
    assert adopted.returncode == 0, adopted.stderr
    assert read_binding(config.home)["cluster_id"] == identity(other_database_url)
    assert cynic("replay", home=config.home, database_url=other_database_url).returncode == 0
    assert cynic("replay", home=config.home, database_url=database_url).returncode == 3


def test_no_embedded_database_is_started_for_a_home_bound_to_an_external_one(config):
    replay(config)
    result = cynic("replay", home=config.home)
    assert result.returncode == 3 and "belongs to the external database" in result.stderr
    assert not (config.home / "postgres").exists()


@pytest.mark.slow
def test_gunicorn_refuses_another_database_with_one_line(config, other_database_url):
    replay(config)
    g = Gunicorn(config.home, other_database_url, workers=1)
    g.start(wait=False)
    assert g.process.wait(timeout=60) == 3
    assert "refusing to start: CYNIC_HOME" in g.log() and "adopt-database" in g.log()
    assert json.loads((config.home / "database.json").read_text())["cluster_id"] != identity(
        other_database_url
    )
