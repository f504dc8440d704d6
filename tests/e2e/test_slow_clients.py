"""Bodies are received whole and in bounded time: slow senders get 408 and free their thread, a
flood of them cannot starve the node, and an over-limit body's sender reads its 413."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from tests.support.harness import Gunicorn
from tests.support.slowloris import STALLED_REQUEST, Probe, SlowBodyFlood

pytestmark = pytest.mark.slow

WORKERS, THREADS = 2, 4


@pytest.fixture
def node(tmp_path, database_url):
    env = {"CYNIC_BODY_TIMEOUT_S": "2"}
    g = Gunicorn(tmp_path / "home", database_url, workers=WORKERS, threads=THREADS, env=env).start()
    yield g
    g.stop()


def read_response(s: socket.socket) -> tuple[int, dict]:
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def test_a_client_that_sends_its_whole_body_first_reads_the_413(node):
    body = (
        b'{"content": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    )  # 4 x CYNIC_MAX_BODY_BYTES: more than socket buffers hold
    req = urllib.request.Request(
        f"http://127.0.0.1:{node.port}/judge", data=body, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(req, timeout=20)
    assert answered.value.code == 413
    assert json.loads(answered.value.read())["error"]["code"] == "request_entity_too_large"


def test_a_stalled_body_gets_408_at_the_body_timeout(node):
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(STALLED_REQUEST)
        status, body = read_response(s)
        waited_s = time.monotonic() - started
    assert status == 408 and body["error"]["code"] == "request_timeout"
    assert 1.9 < waited_s < 4.0, waited_s  # CYNIC_BODY_TIMEOUT_S=2


CHUNKED_HEAD = (
    b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def test_a_stalled_chunked_body_gets_408_at_the_body_timeout(node):
    """It was closed at the deadline with no answer and no log line."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(CHUNKED_HEAD + b'10\r\n{"conte')
        status, body = read_response(s)
        waited_s = time.monotonic() - started
    assert status == 408 and body["error"]["code"] == "request_timeout"
    assert 1.9 < waited_s < 4.0, waited_s  # CYNIC_BODY_TIMEOUT_S=2
    deadline = time.monotonic() + 10
    while "POST /judge 408" not in node.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "POST /judge 408" in node.log()


def test_a_chunked_body_cut_short_is_a_json_400(node):
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        s.sendall(CHUNKED_HEAD + b'10\r\n{"conte')
        s.shutdown(socket.SHUT_WR)
        status, body = read_response(s)
    assert status == 400 and body["error"]["code"] == "bad_request"


def test_a_malformed_chunk_is_a_json_400(node):
    """gunicorn answered chunk errors itself, in HTML."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        s.sendall(CHUNKED_HEAD + b"zz\r\n{}\r\n0\r\n\r\n")
        status, body = read_response(s)
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert body["error"]["message"].startswith("the chunked body is malformed: Invalid chunk size")


def test_a_trickled_body_is_cut_at_the_deadline_however_steady(node):
    """One byte every 20 ms never stalls long enough for a per-read timeout to notice."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(STALLED_REQUEST.replace(b"Content-Length: 100", b"Content-Length: 100000"))
        s.settimeout(0.02)
        status = None
        while time.monotonic() - started < 8:
            try:
                s.send(b" ")
                if s.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        s.settimeout(10)
        status, _ = read_response(s)
        waited_s = time.monotonic() - started
    assert status == 408 and waited_s < 4.0, (status, waited_s)


def test_a_flood_of_slow_bodies_does_not_starve_health_or_judge(node):
    flood_size = 3 * WORKERS * THREADS + 6  # more than three times the node's threads
    probe = Probe("127.0.0.1", node.port)
    with SlowBodyFlood("127.0.0.1", node.port, flood_size) as flood:
        probe.run(duration_s=5)
    worst_s = max(probe.latencies_s)
    print(
        f"flood {flood_size} conns ({flood.opened} opened, answers {flood.answers}); probe: "
        f"{len(probe.latencies_s)} requests, worst {worst_s * 1000:.0f} ms"
    )
    assert probe.failures == []
    assert worst_s < 1.0, sorted(probe.latencies_s)[-5:]
    assert flood.answers.get(503, 0) + flood.answers.get(408, 0) > 0  # the flood was refused, not served
