"""Clients that do not read their answers cannot take every thread (worker.py, ``_BoundedSend``).

An adversarial review (2026-12-07) had eight connections pipeline big dry-run judgments and never
read: every thread of both workers blocked in send, with no time limit, and /health went
unanswered for as long as the clients stayed. A thread now waits for a client that does not read
only FAST_SEND_WAIT_S, and longer only while holding one of the worker's slow slots (the ones slow
bodies take too), at most CYNIC_BODY_TIMEOUT_S; past either, its connection is closed.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time

import pytest

from tests.support.harness import running

pytestmark = pytest.mark.slow

#: One worker of two threads: one slow slot, so one stalled reader may hold a thread and the
#: second is refused.
WORKERS, THREADS = 1, 2
CONTENT = "x" * 400_000  # echoed in the answer (the judgment's cell): answers of about 400 KB
PIPELINED = 20  # answers owed per connection: far more than socket buffers hold


def big_requests() -> bytes:
    body = json.dumps({"reality": "CODE", "content": CONTENT, "context": "a slow reader"}).encode()
    one = (
        b"POST /judge?dry_run=true HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    return one * PIPELINED


def health_s(port: int, timeout_s: float) -> float | None:
    """Seconds /health took to answer, or None when it did not within timeout_s."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return None
    return time.monotonic() - started if data.startswith(b"HTTP/1.1 200") else None


class StalledReader:
    """A connection that sends its requests and never reads (a tiny receive buffer)."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(60)
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        try:
            self.sock.sendall(big_requests())
        except OSError:  # the server closed the connection (a reset), with requests left to send
            pass

    def closed_by_server(self, timeout_s: float) -> bool:
        """Whether the server ends the connection (a reset or its half-close) within timeout_s;
        seen without reading what it sent."""
        poller = select.poll()
        poller.register(self.sock.fileno(), select.POLLRDHUP)
        return bool(poller.poll(timeout_s * 1000))

    def close(self) -> None:
        self.sock.close()
        self._feeder.join(timeout=10)


@pytest.fixture
def server(tmp_path, database_url):
    """One worker of two threads, whose body timeout (and so a reader's) is 3 s."""
    env = {"CYNIC_BODY_TIMEOUT_S": "3"}
    with running(tmp_path / "home", database_url, workers=WORKERS, threads=THREADS, env=env) as g:
        yield g


def test_clients_that_never_read_their_answers_do_not_take_every_thread(server):
    readers = []
    try:
        for _ in range(THREADS + 1):
            readers.append(StalledReader(server.port))
            time.sleep(0.5)
        time.sleep(2)  # every thread has tried to answer one of them by now
        took = [health_s(server.port, timeout_s=5) for _ in range(4)]
    finally:
        for reader in readers:
            reader.close()
    assert None not in took, took
    assert max(took) < 2.0, took


def test_a_thread_stops_waiting_for_a_reader_at_the_body_timeout(server):
    reader = StalledReader(server.port)
    try:
        # it holds the slot (the first reader): closed at CYNIC_BODY_TIMEOUT_S (3 s), not later
        assert reader.closed_by_server(timeout_s=15)
    finally:
        reader.close()
    assert health_s(server.port, timeout_s=5) is not None
