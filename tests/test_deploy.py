"""The shipped deployment files are valid for the tools that will read them: systemd's unit
checker, hadolint for the Dockerfile, the compose-spec schema, HAProxy's own config check."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.harness import ROOT

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def run(*argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, **kwargs)


def unit_directives() -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for line in (DEPLOY / "cynic.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            directives.setdefault(key.strip(), []).append(value.strip())
    return directives


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze (scripts/test installs systemd)"
)
def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    # verify also checks that ExecStart exists: point it at this checkout's .venv.
    unit = tmp_path / "cynic.service"
    unit.write_text((DEPLOY / "cynic.service").read_text().replace("/opt/cynic", str(ROOT)))
    result = run("systemd-analyze", "verify", str(unit))
    # verify exits 0 on an unknown key or a bad value and only says so: any output is a finding.
    assert result.returncode == 0 and result.stdout + result.stderr == "", result


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze (scripts/test installs systemd)"
)
def test_the_systemd_unit_is_rated_ok_by_systemd_analyze_security(tmp_path):
    unit = tmp_path / "cynic.service"
    unit.write_text((DEPLOY / "cynic.service").read_text().replace("/opt/cynic", str(ROOT)))
    result = run("systemd-analyze", "security", "--offline=true", "--no-pager", str(unit))
    exposure = float(re.search(r"Overall exposure level for cynic.service: ([\d.]+)", result.stdout).group(1))
    assert exposure <= 2.5, result.stdout[-2000:]


def test_the_systemd_unit_runs_confined_as_its_own_user():
    d = unit_directives()
    assert d["User"] == ["cynic"] and d["ProtectSystem"] == ["strict"]
    assert d["ReadWritePaths"] == ["/var/lib/cynic"] and "CYNIC_HOME=/var/lib/cynic" in d["Environment"][0]
    assert d["NoNewPrivileges"] == ["true"] and d["Restart"] == ["on-failure"]


def test_the_dockerfile_passes_hadolint():
    result = run(str(BIN / "hadolint"), "--failure-threshold", "info", str(ROOT / "Dockerfile"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_runs_as_a_user_with_a_health_check_and_a_volume():
    text = (ROOT / "Dockerfile").read_text()
    (user,) = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert not user.startswith(("root", "0:", "0\n")) and user != "0"
    assert re.search(r"^HEALTHCHECK .*\n?.*/ready", text, re.MULTILINE)
    assert 'VOLUME ["/var/lib/cynic"]' in text and "CYNIC_HOME=/var/lib/cynic" in text


def test_the_compose_file_follows_the_compose_spec():
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(
    shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(), reason="haproxy"
)
def test_the_haproxy_configuration_is_valid():
    env = {
        **os.environ,
        "CYNIC_LB_BIND": "127.0.0.1:18080",
        "CYNIC_NODE1": "127.0.0.2:8000",
        "CYNIC_NODE2": "127.0.0.3:8000",
    }
    result = run(
        shutil.which("haproxy") or "/usr/sbin/haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg"), env=env
    )
    assert result.returncode == 0 and "Configuration file is valid" in result.stdout + result.stderr, result


def test_the_license_is_the_one_setup_cfg_names():
    metadata = configparser.ConfigParser()
    metadata.read(ROOT / "setup.cfg")
    assert metadata["metadata"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_the_package_requires_exactly_the_pinned_requirements():
    """Issue 23.8: setup.cfg's install_requires was a second list, and lacked pydantic, which the
    API cannot run without. The package's requirements are read from requirements.txt."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    metadata = configparser.ConfigParser()
    metadata.read(ROOT / "setup.cfg")
    assert metadata["options"]["install_requires"].strip() == "file: requirements.txt"
    pinned = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(str(Requirement(r)) for r in requires("cynic_app")) == sorted(
        str(Requirement(r)) for r in pinned
    )
    assert any(Requirement(r).name == "pydantic" for r in pinned)
