"""A private PostgreSQL for tests and tools: the service's EmbeddedPostgres, plus what only tests
do to a server (freeze, thaw, destroy), and the wrapper scripts/test runs pytest under.

``python -m tests.support.pg DATA_DIR -- COMMAND...`` runs COMMAND with a private server up and
its URL in $CYNIC_TEST_DATABASE_URL, stops the server after, and exits as COMMAND did.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from cynic_app.embedded_pg import EmbeddedPostgres


class PrivatePostgres(EmbeddedPostgres):
    """An embedded server a test owns: it may also stop answering (freeze) or vanish (destroy)."""

    def freeze(self) -> None:
        """SIGSTOP the postmaster and every child: a server that stops answering, as a hung host
        or a network that holds packets looks to a client (thaw() resumes it)."""
        self._signal_all(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal_all(signal.SIGCONT)

    def _signal_all(self, signum: int) -> None:
        # Each backend is a session of its own (PostgreSQL calls setsid in every child), so the
        # postmaster's group does not reach them: find them by their parent.
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass  # exited meanwhile: nothing left to stop or resume

    def destroy(self) -> None:
        """Kill the server and delete its files."""
        self.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.remove_socket_dir()
        if self.requested_dir.is_symlink():
            self.requested_dir.unlink()
        self.log_path.unlink(missing_ok=True)


def children(parent: int) -> list[int]:
    """The pids whose parent is parent (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process exited while we looked
        if int(fields[1]) == parent:
            found.append(int(status.parent.name))
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.support.pg DATA_DIR -- COMMAND...`` (module doc)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    server = PrivatePostgres(Path(args[0]))
    print(
        f"private PostgreSQL: {server.bin_dir}, data {server.data_dir}, port {server.port}, "
        f"run as {server.user.pw_name if server.user is not None else 'this user'}",
        file=sys.stderr,
    )

    pending: list[int] = []

    def terminated(signum, _frame):
        if server.process is None:
            pending.append(signum)  # the server is being spawned: stop it once it is ours to stop
            return
        raise SystemExit(128 + signum)  # so the server is stopped below (and COMMAND killed)

    signal.signal(signal.SIGTERM, terminated)
    try:
        server.start()
        if pending:
            raise SystemExit(128 + pending[0])
        env = {**os.environ, "CYNIC_TEST_DATABASE_URL": server.url}
        return subprocess.run(args[2:], env=env, check=False).returncode
    finally:
        server.stop()
        server.remove_socket_dir()


if __name__ == "__main__":
    raise SystemExit(main())
