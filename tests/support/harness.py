"""The real parts tests drive: the service under gunicorn in a subprocess (talked to over
HTTP, loopback only), a tmpfs, a fresh database, a snapshot of everything a write can touch.

Used by the tests, scripts/crashtest and scripts/bench.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from cynic_app import create_app
from cynic_app.api.context import runtime_of
from cynic_app.config import DEFAULT_THREADS, Config, default_workers
from cynic_app.embedded_pg import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def reachable_tmpdir() -> Iterator[Path]:
    """A fresh directory PostgreSQL's unprivileged user can enter (mkdtemp makes it 0700),
    removed with everything in it on leaving (a private server's data is tens of MB)."""
    path = Path(tempfile.mkdtemp(prefix="cynic-pg-"))
    try:
        path.chmod(0o711)
        yield path
    finally:
        shutil.rmtree(path)


@contextmanager
def serving(config: Config, **kwargs) -> Iterator:
    """A Flask app on config (create_app: the node opened, recovered), stopped on leaving:
    its pool and journal closed and the node let go, as a graceful shutdown does."""
    app = create_app(config, **kwargs)
    try:
        yield app
    finally:
        runtime_of(app).close()


class Gunicorn:
    """The service under gunicorn. workers/threads None: the shipped defaults."""

    def __init__(
        self,
        home: Path,
        database_url: str,
        *,
        workers: int | None = 3,
        threads: int | None = 4,
        env: dict | None = None,
        log_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        root: Path = ROOT,
        config: str = "cynic_app.gunicorn_conf",
    ):
        self.home, self.database_url, self.host = home, database_url, host
        self.config = config  # the gunicorn configuration module (a probe wraps the shipped one)
        self.root = root  # the source tree the service runs from (the bench measures an older one too)
        self._layout = {
            **({"WEB_CONCURRENCY": str(workers)} if workers is not None else {}),
            **({"CYNIC_THREADS": str(threads)} if threads is not None else {}),
        }
        self.workers = workers if workers is not None else default_workers()
        self.threads = threads if threads is not None else DEFAULT_THREADS
        self.extra_env = env or {}
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = (log_dir or home.parent) / f"gunicorn-{self.port}.log"

    def env(self) -> dict:
        return {
            **os.environ,
            "CYNIC_HOME": str(self.home),
            "CYNIC_DATABASE_URL": self.database_url,
            "CYNIC_BIND": f"{self.host}:{self.port}",
            "PORT": str(self.port),
            "CYNIC_STARTUP_TIMEOUT_S": "10",
            "PYTHONPATH": str(self.root),
            # The master's own temporary files (its metrics directory) go with the test's files:
            # a master killed with SIGKILL cannot remove them itself.
            "TMPDIR": str(self.log_path.parent),
            **self._layout,
            **self.extra_env,
        }

    def describe(self) -> str:
        layout = (
            f"{self.workers} gthread workers × {self.threads} threads" if self._layout else "shipped defaults"
        )
        return f"gunicorn, {layout}"

    def start(self, *, wait: bool = True, timeout_s: float = 30) -> Gunicorn:
        self.home.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    f"python:{self.config}",
                    "cynic_app.wsgi:app",
                ],
                env=self.env(),
                cwd=self.root,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        if wait:
            self.wait_ready(timeout_s)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}:\n{self.log()}")
            try:
                if request(self.port, "GET", "/ready", host=self.host)[0] == 200:
                    return
            except OSError:
                pass  # not listening yet: keep polling until the deadline
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready in {timeout_s}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (they share its process group)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # already gone
        self.process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
                time.sleep(0.05)
            except ProcessLookupError:
                break
        self.process = None

    def stop(self, timeout_s: float = 30) -> int | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        finally:
            self.process = None


@contextmanager
def running(home: Path, database_url: str, **kwargs) -> Iterator[Gunicorn]:
    """A started Gunicorn (its keyword arguments), stopped on the way out."""
    g = Gunicorn(home, database_url, **kwargs).start()
    try:
        yield g
    finally:
        g.stop()


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    timeout_s: float = 10,
    headers: dict | None = None,
    host: str = "127.0.0.1",
) -> tuple[int, dict | None]:
    """One HTTP request on a new connection; returns (status, parsed JSON body or None)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        sent = {**({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})}
        conn.request(method, path, body=payload, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)
    finally:
        conn.close()


class Tmpfs:
    """A real tmpfs of a given size (root only), and a ballast file that fills it to the last byte."""

    BALLAST = ".ballast"

    def __init__(self, point: Path, *, size: str, read_only: bool = False):
        self.point = Path(point)
        self.point.mkdir(parents=True, exist_ok=True)
        options = f"size={size}" + (",ro" if read_only else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.point)], check=True)

    @staticmethod
    def available() -> bool:
        return os.geteuid() == 0

    def fill(self) -> int:
        """Write the ballast until the file system is full, to the last block; return its size."""
        path = self.point / self.BALLAST
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (b"\0" * 65536, b"\0" * 512, b"\0"):
                try:
                    while True:
                        os.write(fd, chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)
        return path.stat().st_size

    def free(self) -> None:
        (self.point / self.BALLAST).unlink(missing_ok=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.point)], check=False)


@contextmanager
def new_database(pg_url: str) -> Iterator[str]:
    """A new, empty database on pg_url's server (its URL), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(pg_url, dbname=name)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def persisted_snapshot(home: Path, database_url: str) -> dict:
    """Journal bytes, guidance bytes and row counts: equal snapshots mean nothing was written."""
    journal = b"".join(p.read_bytes() for p in sorted((home / "journal").glob("*/*.jsonl")))
    guidance = (home / "guidance.json").read_bytes() if (home / "guidance.json").exists() else None
    with psycopg.connect(database_url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM judgments), (SELECT count(*) FROM perceptions),"
            " (SELECT coalesce(sum(n), 0) FROM state_counters)"
        ).fetchone()
    return {"journal": journal, "guidance": guidance, "rows": counts}
