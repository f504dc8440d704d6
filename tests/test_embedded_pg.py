"""The embedded PostgreSQL: found wherever the machine keeps it, reachable by no other user."""

from __future__ import annotations

import hashlib
import os
import pwd
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest

from cynic_app.embedded_pg import EmbeddedPostgres, EmbeddedPostgresError, find_bin_dir
from tests.support.pg import PrivatePostgres

pytestmark = pytest.mark.slow


def test_there_is_no_tcp_listener(private_pg):
    with psycopg.connect(private_pg.url) as conn:
        assert conn.execute("SELECT current_setting('listen_addresses')").fetchone() == ("",)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", private_pg.port)):
        pass


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another local user")
def test_another_local_user_cannot_connect(private_pg):
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "psql",
            private_pg.url,
            "-c",
            "SELECT 1",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "Permission denied" in result.stderr, result


def test_the_socket_directory_is_private(private_pg):
    mode = private_pg.socket_dir.stat().st_mode & 0o777
    assert mode == 0o700


def test_a_killed_server_leaves_its_shared_memory_in_its_data_directory(private_pg):
    """Tests kill servers on purpose; POSIX segments in /dev/shm outlived each one (about 1 MB
    per killed server, never removed). Segments in the data directory go with it."""
    with psycopg.connect(private_pg.url) as conn:
        assert conn.execute("SHOW dynamic_shared_memory_type").fetchone() == ("mmap",)
    segments = list((private_pg.data_dir / "pg_dynshmem").iterdir())
    assert segments, "the server keeps its segments elsewhere"
    private_pg.kill()
    assert all(segment.exists() for segment in segments)


def test_a_long_data_path_gets_a_short_private_socket_directory(reachable_dir):
    data_dir = reachable_dir / ("d" * 90) / "data"
    data_dir.parent.mkdir()
    data_dir.parent.chmod(0o711)
    server = PrivatePostgres(data_dir).start()
    try:
        assert server.socket_dir != server.data_dir and len(str(server.socket_dir)) < 40
        assert server.socket_dir.stat().st_mode & 0o777 == 0o700
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.destroy()


def test_a_socket_directory_another_user_made_first_does_not_stop_the_server(reachable_dir):
    """The socket directory of a long data path was the predictable /tmp/cynic-pg-<hash>: another
    user who made it first kept the node from starting."""
    data_dir = reachable_dir / ("e" * 90) / "data"
    data_dir.parent.mkdir()
    data_dir.parent.chmod(0o711)
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    squatted = Path("/tmp") / f"cynic-pg-{digest}"  # the name the old code chose
    squatted.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(squatted, pwd.getpwnam("nobody").pw_uid, -1)
    try:
        server = PrivatePostgres(data_dir).start()
        made = server.socket_dir
        try:
            assert made != squatted
            assert server.socket_dir.stat().st_mode & 0o777 == 0o700
            with psycopg.connect(server.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
            same = EmbeddedPostgres(data_dir, port=server.port)  # as cynic finds the service's server
            assert same.socket_dir == server.socket_dir and same.url == server.url
        finally:
            server.destroy()
        assert not made.exists()
    finally:
        squatted.rmdir()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start the server as another account")
def test_as_root_the_server_runs_as_an_account_of_its_own(private_pg):
    """It ran as the system postgres account, which owns the machine's own PostgreSQL: anyone who
    could make that server run a program (COPY … FROM PROGRAM as its superuser) could then
    connect to the embedded one and read its judgments."""
    uid = int(Path(f"/proc/{private_pg.process.pid}/status").read_text().split("Uid:")[1].split()[0])
    assert pwd.getpwuid(uid).pw_name == "cynic-pg"
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=postgres",
            "--regid=postgres",
            "--clear-groups",
            "psql",
            private_pg.url,
            "-c",
            "SELECT 1",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "Permission denied" in result.stderr, result


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files as other accounts")
def test_a_cluster_an_earlier_version_made_as_postgres_is_handed_over(reachable_dir):
    data_dir = reachable_dir / "data"
    EmbeddedPostgres(data_dir).start().stop()
    postgres = pwd.getpwnam("postgres")
    for path in [data_dir, *data_dir.rglob("*")]:  # as the earlier version left it
        os.chown(path, postgres.pw_uid, postgres.pw_gid, follow_symlinks=False)
    server = PrivatePostgres(data_dir).start()
    try:
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        owner = pwd.getpwnam("cynic-pg").pw_uid
        assert all(p.lstat().st_uid == owner for p in [data_dir, *data_dir.rglob("*")])
    finally:
        server.destroy()


def test_the_log_file_is_not_readable_by_others_whatever_the_umask(reachable_dir):
    """It was 0644, and 0666 under umask 000, where every file is promised 0640."""
    previous = os.umask(0)
    try:
        server = PrivatePostgres(reachable_dir / "data").start()
    finally:
        os.umask(previous)
    try:
        assert server.log_path.stat().st_mode & 0o777 == 0o640
    finally:
        server.destroy()


def _server_links(directory: Path, real: Path) -> Path:
    directory.mkdir()
    for name in ("postgres", "initdb"):
        (directory / name).symlink_to(real / name)
    return directory


def test_binaries_are_found_on_the_path(tmp_path, monkeypatch):
    real = find_bin_dir()
    on_path = _server_links(tmp_path / "bin", real)
    monkeypatch.delenv("CYNIC_PG_BIN", raising=False)
    monkeypatch.setenv("PATH", str(on_path))
    assert find_bin_dir() == on_path


def test_binaries_are_found_through_pg_config(tmp_path, monkeypatch):
    real = find_bin_dir()
    bindir = _server_links(tmp_path / "pg", real)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "pg_config").write_text(f'#!/bin/sh\n[ "$1" = --bindir ] && echo {bindir}\n')
    (tools / "pg_config").chmod(0o755)
    monkeypatch.delenv("CYNIC_PG_BIN", raising=False)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    assert find_bin_dir() == bindir


def test_cynic_pg_bin_without_a_server_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CYNIC_PG_BIN", str(tmp_path))
    with pytest.raises(EmbeddedPostgresError, match="CYNIC_PG_BIN"):
        find_bin_dir()


@pytest.mark.parametrize("when", ["starting", "serving"])
def test_the_test_wrapper_stops_its_server_when_it_is_terminated(when, reachable_dir):
    """`python -m tests.support.pg DIR -- CMD` (scripts/test; it was cynic_app.embedded_pg's) left
    its server running when it was sent SIGTERM (a CI timeout, `kill`): Python's default handler
    skips the cleanup. CI then
    found the same leak when SIGTERM came while the server was still starting (the handler's
    exception escaped before the cleanup was armed): "starting" sends it the moment the postmaster
    writes its pid file, "serving" once COMMAND runs."""
    import signal
    import sys
    import time

    from cynic_app.embedded_pg import running_port
    from tests.support.harness import ROOT
    from tests.support.pg import children

    data_dir = reachable_dir / "pg"
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "tests.support.pg", str(data_dir), "--", "sleep", "60"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )

    def reached() -> bool:
        if when == "starting":
            return running_port(data_dir) is not None
        return running_port(data_dir) is not None and len(children(wrapper.pid)) == 2

    try:
        deadline = time.monotonic() + 60
        while not reached():
            assert time.monotonic() < deadline and wrapper.poll() is None, "the server did not start"
            time.sleep(0.002)
        wrapper.send_signal(signal.SIGTERM)
        wrapper.wait(timeout=60)
        assert running_port(data_dir) is None, "the server outlived its wrapper"
    finally:
        wrapper.kill()
        wrapper.wait()
        if running_port(data_dir) is not None:  # the bug: stop the orphan (its postmaster's pid)
            orphan = int((data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(orphan, signal.SIGINT)
            deadline = time.monotonic() + 30
            while running_port(data_dir) is not None and time.monotonic() < deadline:
                time.sleep(0.05)
