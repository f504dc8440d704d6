"""The Host header: a node bound to loopback answers only to loopback names, so a page on another
site cannot reach it through DNS rebinding (CYNIC_ALLOWED_HOSTS widens or narrows the list)."""

from __future__ import annotations

import pytest

from cynic_app.config import Config, ConfigError
from tests.support.harness import serving


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1234", "[::1]:80", "LOCALHOST."])
def test_loopback_names_are_answered(client, host):
    assert client.get("/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["rebind.attacker.example", "rebind.attacker.example:8000", "10.0.0.1"])
def test_another_host_is_refused_with_a_json_400(client, host):
    for method, path in (("GET", "/state"), ("POST", "/judge"), ("GET", "/health")):
        r = client.open(path, method=method, json={"content": "x = 1"}, headers={"Host": host})
        assert r.status_code == 400, (method, path, r.status_code)
        assert r.get_json()["error"]["code"] == "host_not_allowed"


def test_the_allowed_hosts_are_the_operators(config):
    with serving(config.with_overrides(allowed_hosts=("cynic.example",))) as app:
        client = app.test_client()
        assert client.get("/health", headers={"Host": "cynic.example:443"}).status_code == 200
        assert client.get("/health", headers={"Host": "localhost"}).status_code == 400


def test_the_default_depends_on_the_bind():
    loopback = ("localhost", "127.0.0.1", "[::1]")
    assert Config.from_env({}).allowed_hosts == loopback
    assert Config.from_env({"CYNIC_BIND": "127.0.0.2:8000"}).allowed_hosts == (*loopback, "127.0.0.2")
    assert Config.from_env({"CYNIC_BIND": "[::1]:8000"}).allowed_hosts == loopback
    assert Config.from_env({"CYNIC_BIND": "0.0.0.0:8000"}).allowed_hosts is None  # any
    assert Config.from_env({"CYNIC_BIND": "unix:/run/cynic.sock"}).allowed_hosts is None
    given = {"CYNIC_BIND": "0.0.0.0:8000", "CYNIC_ALLOWED_HOSTS": "Cynic.Example, [::1] ,10.0.0.5"}
    assert Config.from_env(given).allowed_hosts == ("cynic.example", "[::1]", "10.0.0.5")
    assert Config.from_env({"CYNIC_ALLOWED_HOSTS": "*"}).allowed_hosts is None


@pytest.mark.parametrize("raw", ["cynic.example:8000", "a b", "a,,b", "http://cynic.example", "[nope]"])
def test_a_bad_host_list_is_refused(raw):
    with pytest.raises(ConfigError, match="^CYNIC_ALLOWED_HOSTS="):
        Config.from_env({"CYNIC_ALLOWED_HOSTS": raw})
