"""Review: mixed clients against 2x4 gunicorn, then each worker must still accept alone."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import struct
import threading
import time

import psutil
import pytest

from tests.support.harness import Gunicorn

BODY = json.dumps({"reality": "CODE", "content": "def hello(): pass\n", "context": "review"})
DURATION_S = float(os.environ.get("REVIEW_DURATION_S", "15"))


@pytest.fixture
def node(tmp_path, database_url):
    env = {"CYNIC_MAX_REQUESTS": os.environ.get("REVIEW_MAX_REQUESTS", "400")}
    g = Gunicorn(tmp_path / "home", database_url, workers=2, threads=4, env=env).start()
    yield g
    g.stop()


def workers_of(g: Gunicorn) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = psutil.Process(g.process.pid).children()
        if len(children) == 2:
            return children
        time.sleep(0.1)
    raise AssertionError("expected 2 workers")


def once(port: int, method: str, path: str, body: str | None, timeout_s: float = 8) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_mixed_clients(node):
    stop = threading.Event()
    failures: list[str] = []
    counts = {"ka": 0, "new": 0, "pipe": 0, "abort": 0}
    slow: list[float] = []
    lock = threading.Lock()

    def note(kind: str, started: float) -> None:
        took = time.monotonic() - started
        with lock:
            counts[kind] += 1
            if took > 3:
                slow.append((kind, round(took, 2), round(started, 2)))

    def keepalive_client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=8)
        i = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                if i % 2:
                    conn.request("POST", "/judge?dry_run=true", BODY, {"Content-Type": "application/json"})
                else:
                    conn.request("GET", "/health")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"ka {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"ka {exc!r} after {time.monotonic() - started:.2f}s")
                conn.close()
            note("ka", started)
            i += 1
        conn.close()

    def new_conn_client() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = once(node.port, "POST", "/judge?dry_run=true", BODY)
                if status != 200:
                    failures.append(f"new {status}")
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"new {exc!r} after {time.monotonic() - started:.2f}s")
            note("new", started)

    def pipeline_client() -> None:
        req = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
        while not stop.is_set():
            started = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", node.port), timeout=8) as s:
                    s.sendall(req * 3)
                    data = b""
                    while data.count(b"HTTP/1.1 200") < 3:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    got = data.count(b"HTTP/1.1 200")
                    if got == 0:
                        failures.append(f"pipe none: {data[:80]!r}")
                    elif got < 3 and b"connection: close" not in data.lower():
                        failures.append(f"pipe {got}/3 without close")
            except OSError as exc:
                failures.append(f"pipe {exc!r} after {time.monotonic() - started:.2f}s")
            note("pipe", started)

    def abort_client() -> None:
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", node.port), timeout=8) as s:
                    if n % 3 == 0:
                        s.sendall(b"GET /health HTTP/1.1\r\nHo")
                    elif n % 3 == 1:
                        s.sendall(
                            b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 100\r\n\r\n{"
                        )
                    else:
                        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    time.sleep(0.01)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            n += 1
            note("abort", started)
            time.sleep(0.01)

    threads = (
        [threading.Thread(target=keepalive_client) for _ in range(6)]
        + [threading.Thread(target=new_conn_client) for _ in range(3)]
        + [threading.Thread(target=pipeline_client) for _ in range(1)]
        + [threading.Thread(target=abort_client) for _ in range(2)]
    )
    for t in threads:
        t.start()
    time.sleep(DURATION_S)
    stop.set()
    for t in threads:
        t.join(30)
    print("counts", counts, "slow", slow[:10], "failures", len(failures), failures[:20])
    time.sleep(3)  # restarts settle
    # each worker alone must still accept and answer
    alone_failures = []
    for _ in range(2):
        for stopped in workers_of(node):
            os.kill(stopped.pid, signal.SIGSTOP)
            try:
                for _ in range(10):
                    started = time.monotonic()
                    try:
                        status = once(node.port, "GET", "/health", None, timeout_s=5)
                    except (OSError, http.client.HTTPException) as exc:
                        status = repr(exc)
                    if status != 200:
                        alone_failures.append(
                            f"{stopped.pid} stopped: {status} {time.monotonic() - started:.1f}s"
                        )
            finally:
                os.kill(stopped.pid, signal.SIGCONT)
    print("alone failures", alone_failures)
    print(node.log()[-3000:])
    assert failures == [] and slow == [] and alone_failures == []
