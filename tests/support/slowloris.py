"""Slow clients for the tests: connections that send headers and a byte of the body, then stall;
connections that trickle a request head forever; and a prober that measures how long real
requests take meanwhile. Loopback only, bounded."""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field

STALLED_REQUEST = (
    b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100\r\n\r\n{"
)


class _Flood:
    """n connections, each opened, sent ``opening`` and then held by ``_stall`` until the server
    answers or closes it; each ended one is counted by its status (0: none) and reopened."""

    opening = b""

    def __init__(self, host: str, port: int, n: int):
        self.host, self.port, self.n = host, port, n
        self.stop = threading.Event()
        self.opened = 0
        self.answers: dict[int, int] = {}  # status (0: closed without one) -> count
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._hold, daemon=True) for _ in range(n)]

    def __enter__(self):
        for t in self._threads:
            t.start()
        time.sleep(0.5)  # let every connection reach the server first
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=15)

    def _hold(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    s.sendall(self.opening)
                    with self._lock:
                        self.opened += 1
                    status = self._stall(s)
            except OSError:
                status = 0  # refused or reset: count it and come back
                time.sleep(0.05)
            if status is not None:
                with self._lock:
                    self.answers[status] = self.answers.get(status, 0) + 1

    def _stall(self, s: socket.socket) -> int | None:  # pragma: no cover - each flood's own
        raise NotImplementedError


class SlowBodyFlood(_Flood):
    """n connections, each sending STALLED_REQUEST and then nothing; a closed one is reopened."""

    opening = STALLED_REQUEST

    def _stall(self, s: socket.socket) -> int | None:
        data = b""
        while not self.stop.is_set():
            try:
                chunk = s.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                break
            data += chunk
        return _status_of(data)


@dataclass
class Probe:
    """Real requests, one at a time, each on a new connection, while the flood runs."""

    host: str
    port: int
    latencies_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def run(self, duration_s: float, *, timeout_s: float = 5.0) -> None:
        stop_at = time.monotonic() + duration_s
        i = 0
        while time.monotonic() < stop_at:
            for method, path, body in (
                ("GET", "/health", None),
                ("POST", "/judge", {"content": f"probe_{i} = {i}"}),
            ):
                started = time.monotonic()
                try:
                    status = self._once(method, path, body, timeout_s)
                except (OSError, http.client.HTTPException) as exc:
                    status = repr(exc)
                self.latencies_s.append(time.monotonic() - started)
                if status != 200:
                    self.failures.append(f"{method} {path}: {status}")
            i += 1
            time.sleep(0.05)

    def _once(self, method, path, body, timeout_s) -> int:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout_s)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()


class SlowHeaderFlood(_Flood):
    """n connections, each sending a request head one byte every ``interval_s`` (never ending
    it); one the server ends is counted by its status and reopened."""

    opening = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "

    def __init__(self, host: str, port: int, n: int, *, interval_s: float = 2.0):
        super().__init__(host, port, n)
        self.interval_s = interval_s

    def _stall(self, s: socket.socket) -> int | None:
        """Send a byte every interval until the server answers or closes; its status (0: none)."""
        while not self.stop.wait(self.interval_s):
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                return _status_of(_read_all(s))
            s.sendall(b"x")
        return None


def _read_all(s: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except OSError:
        pass  # reset after the answer: what arrived is what there is
    return data


def _status_of(data: bytes) -> int:
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
