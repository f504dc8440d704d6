"""Bodies are received whole and in bounded time: slow senders get 408 and free their thread, a
flood of them cannot starve the node, and an over-limit body's sender reads its 413."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from tests.support.harness import Gunicorn, persisted_snapshot, request, running
from tests.support.slowloris import STALLED_REQUEST, Probe, SlowBodyFlood

pytestmark = pytest.mark.slow

WORKERS, THREADS = 2, 4


@pytest.fixture
def node(tmp_path, database_url):
    env = {"CYNIC_BODY_TIMEOUT_S": "2"}
    with running(tmp_path / "home", database_url, workers=WORKERS, threads=THREADS, env=env) as g:
        yield g


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


def answers(s: socket.socket, *, quiet_s: float) -> tuple[list[tuple[int, str, bytes]], bool]:
    """Read until the server closes, or sends nothing for quiet_s: the answers read (status,
    Connection header, body), and whether the server closed (a reset counts)."""
    s.settimeout(quiet_s)
    data, closed = b"", False
    try:
        while chunk := s.recv(65536):
            data += chunk
        closed = True
    except ConnectionResetError:
        closed = True
    except TimeoutError:
        pass
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        found.append((int(lines[0].split(" ", 2)[1]), headers.get("connection", ""), rest[:length]))
        data = rest[length:]
    return found, closed


def read_answer(s: socket.socket) -> tuple[int, str, bytes]:
    """Read one answer (Content-Length framed) and nothing after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        byte = s.recv(1)
        assert byte, f"closed before an answer: {data!r}"
        data += byte
    head = data.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    body = b""
    while len(body) < int(headers["content-length"]):
        body += s.recv(int(headers["content-length"]) - len(body))
    return int(head[0].split(" ", 2)[1]), headers.get("connection", ""), body


#: A whole request that writes a judgment, sent where the request before it declared body bytes.
INNER = json.dumps({"reality": "CODE", "content": "smuggled", "context": "sent as body bytes"}).encode()
SMUGGLED = (
    b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(INNER) + INNER
)
BODY_START = b'{"a":'
DECLARING = (
    b"POST /judge?dry_run=true HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % (len(BODY_START) + len(SMUGGLED))
)


def refused_then_rest_of_body(port: int) -> tuple[tuple[int, str, bytes], list, bool]:
    """Send DECLARING and the start of its body; once answered, send the rest of the declared
    body (SMUGGLED, a whole request): (first answer, the answers after it, closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(DECLARING + BODY_START)
        first = read_answer(s)
        try:
            s.sendall(SMUGGLED)
        except OSError:
            pass  # already closed: the rest of the body is not wanted
        later, closed = answers(s, quiet_s=4)
    return first, later, closed


def test_the_rest_of_a_body_timed_out_is_never_read_as_a_request(node):
    """The 408 said keep-alive, and the declared body bytes the client sent after it were parsed
    and served as a second request (a judgment written): request smuggling."""
    before = persisted_snapshot(node.home, node.database_url)
    first, later, closed = refused_then_rest_of_body(node.port)
    after = persisted_snapshot(node.home, node.database_url)
    answered = [(status, connection) for status, connection, _ in [first, *later]]
    assert answered == [(408, "close")], (answered, later, "judgments", before["rows"][0], after["rows"][0])
    assert closed
    assert after == before


def test_the_rest_of_a_body_refused_a_slow_slot_is_never_read_as_a_request(tmp_path, database_url):
    """The same through the 503 for a slow body with no slow-receive slot free: one worker of two
    threads has one slot, which a stalled body holds."""
    g = Gunicorn(tmp_path / "home", database_url, workers=1, threads=2).start()
    try:
        with socket.create_connection(("127.0.0.1", g.port), timeout=20) as occupant:
            occupant.sendall(STALLED_REQUEST)
            time.sleep(0.5)  # its body is slow: it holds the slot (CYNIC_BODY_TIMEOUT_S is 10 s)
            before = persisted_snapshot(g.home, g.database_url)
            first, later, closed = refused_then_rest_of_body(g.port)
            after = persisted_snapshot(g.home, g.database_url)
    finally:
        g.stop()
    answered = [(status, connection) for status, connection, _ in [first, *later]]
    assert answered == [(503, "close")], (answered, later)
    assert json.loads(first[2])["error"]["code"] == "too_many_slow_bodies"
    assert closed
    assert after == before


NEXT = b"GET /state HTTP/1.1\r\nHost: localhost\r\n\r\n"
OVER_LIMIT = b'{"content": "' + b"x" * (1024 * 1024 + 10) + b'"}'  # CYNIC_MAX_BODY_BYTES is 1 MiB


@pytest.mark.parametrize(
    ("raw", "half_close", "status"),
    [
        (CHUNKED_HEAD + b'5\r\n{"a":XX0\r\n\r\n' + NEXT, False, 400),
        (STALLED_REQUEST + b'"content": "cut"', True, 400),
        (
            b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(OVER_LIMIT) + OVER_LIMIT + NEXT,
            False,
            413,
        ),
    ],
    ids=["malformed-chunk", "cut-short", "over-the-limit"],
)
def test_an_answer_to_a_refused_body_closes_the_connection(node, raw, half_close, status):
    """They said keep-alive; after the malformed chunk the connection was then closed with the
    request pipelined behind it unanswered."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=20) as s:
        s.sendall(raw)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        found, closed = answers(s, quiet_s=4)
    assert [(answered, connection) for answered, connection, _ in found] == [(status, "close")], found
    assert closed


def test_a_body_over_the_drain_limit_holds_no_thread(node):
    """Its 413 said keep-alive, and gunicorn then drained the unread body in the request's
    thread for 5 s: as many such clients as the node has threads held /health back that long."""
    raw = (
        b"POST /judge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (16 * 1024 * 1024 + 1)  # DRAIN_LIMIT_BYTES + 1, none sent
    )
    held, answered = [], []
    try:
        for _ in range(WORKERS * THREADS):
            s = socket.create_connection(("127.0.0.1", node.port), timeout=20)
            s.sendall(raw)
            held.append(s)
            answered.append(read_answer(s)[:2])
        started = time.monotonic()
        status, _ = request(node.port, "GET", "/health", timeout_s=20)
        waited_s = time.monotonic() - started
        closed = [answers(s, quiet_s=4) == ([], True) for s in held]
    finally:
        for s in held:
            s.close()
    assert status == 200 and waited_s < 1.0, waited_s
    assert answered == [(413, "close")] * len(held), answered
    assert all(closed), closed


def _head_of_first_answer(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and (chunk := s.recv(65536)):
        data += chunk
    return data.split(b"\r\n", 1)[0]


def _expecting_head(length: int) -> bytes:
    return (
        b"POST /judge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: " + str(length).encode() + b"\r\n\r\n"
    )


def test_a_body_too_large_to_read_is_refused_before_the_client_is_told_to_send_it(node):
    """Review finding: `Expect: 100-continue` with a 50 MB Content-Length got gunicorn's `100
    Continue` (sent before the app ran), so a client sent 50 MB the node never reads; the 413
    should be the first answer (RFC 9110 10.1.1: a server that will refuse does not ask for it)."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        s.sendall(_expecting_head(50 * 1024 * 1024))
        assert _head_of_first_answer(s).startswith(b"HTTP/1.1 413 ")


def test_a_body_the_node_reads_is_asked_for_with_100_continue_then_judged(node):
    body = json.dumps({"content": "def hello(): pass\n"}).encode()
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as s:
        s.sendall(_expecting_head(len(body)))
        assert s.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"  # the client waits for it
        s.sendall(body)
        assert _head_of_first_answer(s) == b"HTTP/1.1 200 OK"
