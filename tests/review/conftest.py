"""`cynic judge` as a user runs it: a real process on real files, in real git repositories."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

#: A Flask view that runs a shell command from the request: the judge BARKs on it (shell-injection
#: alone: its answer is JSON, so nothing reaches HTML).
HOLE = """import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/run")
def run():
    done = subprocess.run(request.form["cmd"], shell=True)
    return {"status": done.returncode}
"""
HOLE_LINE = 10
NOSEC = HOLE.replace("shell=True)", "shell=True)  # nosec B602")
CLEAN = '''"""Prices with tax."""

from decimal import Decimal

VAT = Decimal("0.2")


def with_vat(price: Decimal) -> Decimal:
    """The price with VAT added."""
    return price * (1 + VAT)
'''
#: An error caught and dropped: a defect, GROWL.
DEFECT = """import json


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        pass
"""


def cynic(*args: str, cwd: Path, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``cynic judge ARGS…`` in a new process, its output captured (a pipe: no terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "cynic_app.cli", "judge", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def judged_json(*args: str, cwd: Path) -> dict:
    done = cynic("--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


class Repo:
    """A git repository in a temporary directory."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def write(self, name: str, text: str) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "repo")


# A fake node for --server: /health answers, POST /judge answers what the test asked for.


class Node(BaseHTTPRequestHandler):
    """A node that answers /health, and POST /judge with what the test asked for."""

    status = 200
    body = b"{}"
    content_type = "application/json"

    def log_message(self, *_args):
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._send(200, b'{"status": "ok"}', "application/json")

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(self.status, self.body, self.content_type)


@pytest.fixture
def fake_node():
    servers = []

    def start(status: int, body: bytes, content_type: str = "application/json") -> str:
        handler = type("Handler", (Node,), {"status": status, "body": body, "content_type": content_type})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def raw_node(answer):
    """A listener on 127.0.0.1 that gives each connection to answer(conn) in a thread of its own, for
    nodes that do not speak HTTP as they should; yields its URL and closes it on the way out."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def request_head(conn: socket.socket) -> bytes:
    """What a client sent, up to the end of its head."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(65536)
        if not chunk:
            break
        head += chunk
    return head


def on_a_terminal(command: list[str], cwd) -> bytes:
    """All command writes to a pseudo-terminal (stdout and stderr both; NO_COLOR unset)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    process = subprocess.Popen(command, cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks)


def judge_on_a_terminal(*args: str, cwd) -> bytes:
    """``cynic judge ARGS…`` on a pseudo-terminal (colours on): all it wrote."""
    return on_a_terminal([sys.executable, "-m", "cynic_app.cli", "judge", *args], cwd)
