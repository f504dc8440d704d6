"""Settings are read strictly: every accepted spelling works, every other value is refused at
start with one line naming the variable (exit 3), by the CLI and by the gunicorn master."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from cynic_app.config import Config, ConfigError
from cynic_app.serving import ServerSettings
from cynic_app.settings import boolean, writable_directory
from tests.support.harness import ROOT

TRUE_SPELLINGS = ["1", "true", "True", "TRUE", "yes", "Yes", "on", "ON", " on "]
FALSE_SPELLINGS = ["0", "false", "False", "FALSE", "no", "NO", "off", "Off"]
# Every setting the service reads, with a value it must refuse.
BAD_VALUES = [
    ("CYNIC_PROTECT_READS", "maybe"),
    ("CYNIC_PROTECT_READS", "enabled"),
    ("CYNIC_PGBOUNCER", "transaction"),
    ("CYNIC_MAX_BODY_BYTES", "1MB"),
    ("CYNIC_MAX_BODY_BYTES", "10"),
    ("CYNIC_MAX_CONTENT_CHARS", "0"),
    ("CYNIC_SEGMENT_BYTES", "big"),
    ("CYNIC_POOL_MAX_SIZE", "0"),
    ("CYNIC_STARTUP_TIMEOUT_S", "soon"),
    ("CYNIC_TRUSTED_PROXIES", "-1"),
    ("CYNIC_TRUSTED_PROXIES", "haproxy"),
    ("CYNIC_BODY_TIMEOUT_S", "0"),
    ("CYNIC_BODY_TIMEOUT_S", "nan"),
    ("CYNIC_HEAD_TIMEOUT_S", "0"),
    ("CYNIC_HEAD_TIMEOUT_S", "soon"),
    ("CYNIC_LOG_LEVEL", "verbose"),
    ("CYNIC_LOG_FORMAT", "xml"),
    ("WEB_CONCURRENCY", "0"),
    ("CYNIC_THREADS", "many"),
    ("CYNIC_WORKER_CLASS", "eventlet"),
    ("CYNIC_MAX_REQUESTS", "-5"),
    ("CYNIC_PIN_WORKERS", "on"),
    ("PORT", "99999"),
    ("PORT", "http"),
    ("CYNIC_BIND", "8000"),
    ("CYNIC_BIND", "0.0.0.0:0"),
    ("CYNIC_BIND", "[nope]:8000"),
    ("CYNIC_BIND", "unix:relative.sock"),
    ("PROMETHEUS_MULTIPROC_DIR", "/nonexistent/metrics"),
]


@pytest.mark.parametrize("raw", TRUE_SPELLINGS)
def test_booleans_accept_every_true_spelling(raw):
    assert boolean({"X": raw}, "X", False) is True
    assert Config.from_env({"CYNIC_PROTECT_READS": raw, "CYNIC_API_TOKEN": "t"}).protect_reads is True


@pytest.mark.parametrize("raw", FALSE_SPELLINGS)
def test_booleans_accept_every_false_spelling(raw):
    assert boolean({"X": raw}, "X", True) is False


def test_unset_or_empty_means_the_default():
    assert boolean({"X": ""}, "X", True) is True and boolean({}, "X", False) is False
    assert ServerSettings.from_env({}).bind == "127.0.0.1:8000"
    assert ServerSettings.from_env({"PORT": "9001"}).bind == "127.0.0.1:9001"
    assert ServerSettings.from_env({"PORT": "9001", "CYNIC_BIND": "0.0.0.0:80"}).bind == "0.0.0.0:80"
    assert ServerSettings.from_env({"CYNIC_BIND": "[::]:8000"}).bind == "[::]:8000"


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_the_variable(name, value):
    with pytest.raises(ConfigError) as refused:
        Config.from_env({name: value})
        ServerSettings.from_env({name: value})
        writable_directory({name: value}, name)
        from cynic_app.logs import logging_config

        os.environ[name] = value
        try:
            logging_config()
        finally:
            del os.environ[name]
    assert str(refused.value).startswith(f"{name}=") and "\n" not in str(refused.value)


def _start(argv, env_extra, tmp_path):
    env = {
        **os.environ,
        "CYNIC_HOME": str(tmp_path / "home"),
        "CYNIC_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "PYTHONPATH": str(ROOT),
        **env_extra,
    }
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


CLI = [sys.executable, "-m", "cynic_app.cli", "serve"]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:cynic_app.gunicorn_conf", "cynic_app.wsgi:app"]
# Each entry point must read every setting at start: one bad value per variable shows it (every
# bad value is refused by the readers themselves, above). gunicorn parses WEB_CONCURRENCY itself,
# before reading our configuration: `cynic serve` checks it.
ONE_PER_VARIABLE = list(dict(reversed(BAD_VALUES)).items())
STARTS = [("cli", n, v) for n, v in ONE_PER_VARIABLE] + [
    ("gunicorn", n, v) for n, v in ONE_PER_VARIABLE if n != "WEB_CONCURRENCY"
]


@pytest.fixture(scope="session")
def refusals(tmp_path_factory) -> dict:
    """Every start of STARTS, run a few at a time (each is a new interpreter importing the app).
    Once a session: under xdist another module's test can run between two of these, and a
    module's fixture would then be made again (twice in one run here, 33 s each)."""

    # Made here, not in the threads: the first mktemp of a session makes the base directory, and
    # four threads making it at once made four and refused each other's paths.
    homes = [tmp_path_factory.mktemp(f"{entry}-{name}") for entry, name, _ in STARTS]

    def start(case, home):
        entry, name, value = case
        return _start(CLI if entry == "cli" else GUNICORN, {name: value}, home)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(STARTS, pool.map(start, STARTS, homes), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize(("name", "value"), [(n, v) for e, n, v in STARTS if e == "cli"])
def test_cynic_serve_refuses_a_bad_setting_in_one_line(refusals, name, value):
    result = refusals[("cli", name, value)]
    assert result.returncode == 3, result
    assert result.stderr.startswith(f"cynic: {name}=") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("name", "value"), [(n, v) for e, n, v in STARTS if e == "gunicorn"])
def test_the_gunicorn_master_refuses_a_bad_setting_in_one_line(refusals, name, value):
    result = refusals[("gunicorn", name, value)]
    assert result.returncode == 3, result
    assert result.stderr == f"cynic_app: refusing to start: {result.stderr.split(': ', 2)[2]}"
    assert f": {name}=" in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_protecting_reads_without_a_token_is_refused():
    """CYNIC_PROTECT_READS=true with no CYNIC_API_TOKEN protected nothing, silently."""
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"CYNIC_PROTECT_READS": "true"})
    message = str(refused.value)
    assert message.startswith("CYNIC_PROTECT_READS=") and "CYNIC_API_TOKEN" in message and "\n" not in message
    assert Config.from_env({"CYNIC_PROTECT_READS": "true", "CYNIC_API_TOKEN": "t"}).protect_reads is True


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["cli", "gunicorn"])
def test_both_entry_points_refuse_protected_reads_without_a_token(entry, tmp_path):
    result = _start(CLI if entry == "cli" else GUNICORN, {"CYNIC_PROTECT_READS": "yes"}, tmp_path)
    assert result.returncode == 3, result
    assert "CYNIC_PROTECT_READS=" in result.stderr and "CYNIC_API_TOKEN" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_version_and_usage_errors_have_their_own_exit_codes(tmp_path):
    version = _start([sys.executable, "-m", "cynic_app.cli", "--version"], {}, tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("cynic, version ")
    usage = _start([sys.executable, "-m", "cynic_app.cli", "replay", "--bogus"], {}, tmp_path)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    bind = _start([*CLI, "--bind", "localhost"], {}, tmp_path)
    assert bind.returncode == 2 and "--bind" in bind.stderr
