"""A node takes everything from the Config it is given (flaskr's test_config promise): the
environment is read only by Config.from_env, when no config is given."""

from __future__ import annotations

import os
from dataclasses import replace

from cynic_app import create_app
from cynic_app.api.context import runtime_of
from cynic_app.config import Config, ServerSettings
from tests.support.harness import serving


def test_create_app_takes_pgbouncer_threads_and_the_master_from_its_config_not_the_environment(
    config, monkeypatch
):
    """Review finding: store/pool.py read CYNIC_PGBOUNCER (Config.pgbouncer did nothing),
    CYNIC_THREADS was parsed a second time, and create_app read CYNIC_RECOVERED_BY."""
    monkeypatch.setenv("CYNIC_PGBOUNCER", "true")
    monkeypatch.setenv("CYNIC_THREADS", "3")
    monkeypatch.setenv("CYNIC_RECOVERED_BY", str(os.getppid()))  # "our master opened the node"
    given = replace(config, pgbouncer=False, server=ServerSettings(threads=5))
    with serving(given) as app:
        runtime = runtime_of(app)
        kwargs = runtime.service().pool.kwargs
        assert "options" in kwargs and "prepare_threshold" not in kwargs  # not PgBouncer's
        assert app.wsgi_app.slow_slots == 4  # threads - 1, from the config
        assert runtime.recovered_by == f"process {os.getpid()}"  # it opened the node itself


def test_pgbouncer_in_the_config_is_obeyed_with_nothing_in_the_environment(config, monkeypatch):
    monkeypatch.delenv("CYNIC_PGBOUNCER", raising=False)
    with serving(replace(config, pgbouncer=True)) as app:
        kwargs = runtime_of(app).service().pool.kwargs
        assert kwargs["prepare_threshold"] is None and "options" not in kwargs


def test_from_env_reads_each_setting_once_into_the_config():
    env = {"CYNIC_THREADS": "6", "CYNIC_BIND": "0.0.0.0:9000", "CYNIC_RECOVERED_BY": "4242"}
    config = Config.from_env(env)
    assert config.server.threads == 6 and config.pool_max_size == 6  # one parse, both uses
    assert config.server.bind == "0.0.0.0:9000" and config.allowed_hosts is None
    assert config.opened_by == 4242
    assert Config.from_env({"CYNIC_EMBEDDED_PG_PORT": "5999"}).embedded_pg_port == 5999


def test_create_app_without_a_config_reads_the_environment(home, database_url, monkeypatch):
    monkeypatch.setenv("CYNIC_HOME", str(home))
    monkeypatch.setenv("CYNIC_DATABASE_URL", database_url)
    monkeypatch.setenv("CYNIC_THREADS", "3")
    app = create_app()
    try:
        assert runtime_of(app).config.home == home and app.wsgi_app.slow_slots == 2
    finally:
        runtime_of(app).close()
