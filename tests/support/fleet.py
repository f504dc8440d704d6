"""The real parts of a several-node deployment, as processes a test starts and stops: PgBouncer
(transaction pooling) in front of the private PostgreSQL, HAProxy in front of the nodes.

Both come from Debian's packages (scripts/test installs them). They listen on free loopback
ports, with the configuration the deployment ships: deploy/haproxy.cfg as is (addresses from
the environment), deploy/pgbouncer.ini with its placeholders filled in.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import string
import subprocess
import time
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from cynic_app.embedded_pg import _run_as_user, free_port
from tests.support.harness import ROOT

DEPLOY = ROOT / "deploy"


def have(program: str) -> bool:
    return shutil.which(program) is not None or Path("/usr/sbin", program).exists()


def _binary(program: str) -> str:
    return shutil.which(program) or str(Path("/usr/sbin", program))


def _wait_listening(
    host: str, port: int, process: subprocess.Popen, log: Path, timeout_s: float = 10
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{process.args[0]} not listening on {host}:{port}:\n{log.read_text()[-2000:]}")


class _Process:
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class PgBouncer(_Process):
    """PgBouncer in transaction pooling, forwarding every database to the server of ``target_url``.

    PgBouncer refuses to run as root: as root it runs as the PostgreSQL server's user, which can
    also reach that server's private socket directory.
    """

    def __init__(self, work: Path, target_url: str):
        self.work, self.port = work, free_port()
        target = conninfo_to_dict(target_url)
        self.user = _run_as_user()
        values = {
            "target_host": target.get("host", "127.0.0.1"),
            "target_port": target.get("port", "5432"),
            "listen_addr": "127.0.0.1",
            "listen_port": self.port,
            "auth_type": "trust",  # loopback only, this test's own: the shipped file uses scram
            "auth_file": work / "userlist.txt",
            "logfile": work / "pgbouncer.log",
            "pidfile": work / "pgbouncer.pid",
            "pool_size": 20,
        }
        template = string.Template((DEPLOY / "pgbouncer.ini").read_text())
        (work / "pgbouncer.ini").write_text(template.substitute(values))
        (work / "userlist.txt").write_text(f'"{target.get("user", "postgres")}" ""\n')
        self.log_path = work / "pgbouncer.log"
        for path in (work / "pgbouncer.ini", work / "userlist.txt"):
            path.chmod(0o644)
        if self.user is not None:
            os.chown(work, self.user.pw_uid, self.user.pw_gid)

    def url(self, target_url: str) -> str:
        """target_url's database and user, through PgBouncer."""
        target = conninfo_to_dict(target_url)
        return (
            f"postgresql://{target.get('user', 'postgres')}@127.0.0.1:{self.port}/"
            f"{target.get('dbname', 'postgres')}"
        )

    def start(self) -> PgBouncer:
        self.log_path.touch()
        if self.user is not None:
            os.chown(self.log_path, self.user.pw_uid, self.user.pw_gid)
        self.process = subprocess.Popen(
            [_binary("pgbouncer"), str(self.work / "pgbouncer.ini")],
            preexec_fn=self._drop,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_listening("127.0.0.1", self.port, self.process, self.log_path)
        return self

    def _drop(self) -> None:
        if self.user is not None:
            os.setgid(self.user.pw_gid)
            os.setgroups([])
            os.setuid(self.user.pw_uid)


class HAProxy(_Process):
    """HAProxy in front of two nodes, with the shipped configuration (deploy/haproxy.cfg) as is."""

    def __init__(self, work: Path, node1: tuple[str, int], node2: tuple[str, int]):
        self.work, self.port = work, free_port()
        self.env = {
            **os.environ,
            "CYNIC_LB_BIND": f"127.0.0.1:{self.port}",
            "CYNIC_NODE1": f"{node1[0]}:{node1[1]}",
            "CYNIC_NODE2": f"{node2[0]}:{node2[1]}",
        }
        self.log_path = work / "haproxy.log"

    def start(self) -> HAProxy:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [_binary("haproxy"), "-db", "-f", str(DEPLOY / "haproxy.cfg")],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        _wait_listening("127.0.0.1", self.port, self.process, self.log_path)
        return self
