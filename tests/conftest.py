"""Fixtures: a private PostgreSQL for the session, a fresh database per test, the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cynic_app.config import Config
from tests.support.harness import Tmpfs, new_database, reachable_tmpdir, serving
from tests.support.pg import PrivatePostgres


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("CYNIC_TEST_DATABASE_URL")
    if url:
        yield url
        return
    with reachable_tmpdir() as directory:
        server = PrivatePostgres(directory / "data").start()
        yield server.url
        server.destroy()


@pytest.fixture
def database_url(pg_url):
    """A new, empty database for one test, dropped afterwards."""
    with new_database(pg_url) as url:
        yield url


@pytest.fixture
def reachable_dir():
    """A directory of this test's own that PostgreSQL's unprivileged user can enter."""
    with reachable_tmpdir() as directory:
        yield directory


@pytest.fixture
def private_pg(reachable_dir):
    """A PostgreSQL server of this test's own, which the test may stop or kill."""
    server = PrivatePostgres(reachable_dir / "data").start()
    yield server
    server.destroy()


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def config(home, database_url) -> Config:
    return Config(home=home, database_url=database_url, node="test-node", startup_timeout_s=5)


@pytest.fixture
def app(config):
    with serving(config) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(home, database_url):
    """Run ``cynic ARGS…`` in this process (click's runner) on the test's home and database;
    returns click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from cynic_app.cli import main

    def cynic(*args: str, database_url: str = database_url):
        env = {"CYNIC_HOME": str(home), "CYNIC_DATABASE_URL": database_url, "CYNIC_STARTUP_TIMEOUT_S": "2"}
        return CliRunner().invoke(main, list(args), env=env)

    return cynic


@pytest.fixture
def tmpfs(tmp_path):
    """Mount real tmpfs file systems (root only): ``tmpfs("2m")`` returns a mounted Tmpfs."""
    if not Tmpfs.available():
        pytest.skip("mounting a tmpfs needs root")
    mounted = []

    def mount(size: str, *, read_only: bool = False) -> Tmpfs:
        disk = Tmpfs(tmp_path / f"mnt{len(mounted)}", size=size, read_only=read_only)
        mounted.append(disk)
        return disk

    yield mount
    for disk in mounted:
        disk.unmount()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under xdist (scripts/test runs two test processes), the tests that start servers or
    stop them and hold them to a bound in seconds run one at a time, in one process: they
    measure the service, not their neighbours. The rest are spread over both.

    tryfirst: xdist's own hook reads the xdist_group marks to name each item's group, and
    pluggy calls the plugin registered last first — xdist's worker, registered after this
    conftest. Without it the marks came too late and the group was never kept together."""
    for item in items:
        if item.get_closest_marker("slow") or "private_pg" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("one_at_a_time"))
