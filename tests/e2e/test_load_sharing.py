"""Both workers share the load whatever the clients do with their connections.

gunicorn's gthread worker accepts while it has room for connections (1,000), and a kept-alive
connection stays with the worker that accepted it: 16 keep-alive clients sometimes all sat on
one worker (one core at 97 %, the other idle; half the node's throughput). A worker now accepts
only while one of its threads is free, and hands back (``Connection: close``) a connection
beyond its thread count, so the client reconnects to whichever worker has a thread free."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time

import psutil
import pytest

from cynic_app.worker import KEEPALIVE_REQUESTS
from tests.support.harness import Gunicorn, request

pytestmark = pytest.mark.slow

WORKERS, THREADS = 2, 4
CLIENTS = 2 * THREADS
BODY = json.dumps({"reality": "CODE", "content": "def hello(): pass\n", "context": "load sharing"})


def workers_of(g: Gunicorn) -> list[psutil.Process]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = psutil.Process(g.process.pid).children()
        if len(children) == WORKERS:
            return children
        time.sleep(0.1)
    raise AssertionError(f"expected {WORKERS} workers")


def connections_per_worker(g: Gunicorn, workers: list[psutil.Process]) -> list[int]:
    def established(c) -> bool:
        return c.status == psutil.CONN_ESTABLISHED and c.laddr.port == g.port

    return [sum(1 for c in w.net_connections("tcp") if established(c)) for w in workers]


def serving(g: Gunicorn, worker: psutil.Process, other: psutil.Process) -> None:
    """Wait until worker answers a request: other is stopped meanwhile, so only worker can accept."""
    os.kill(other.pid, signal.SIGSTOP)
    try:
        assert request(g.port, "GET", "/health", timeout_s=60)[0] == 200
    finally:
        os.kill(other.pid, signal.SIGCONT)


def load_clients_landed_on_one_worker(
    g: Gunicorn, clients: int, requests: int, samples: list[list[int]] | None = None
) -> list[int]:
    """Connect `clients` keep-alive clients while the second worker cannot accept (so all land
    on the first), then send `requests` dry runs on each; return the connections per worker
    after the load (and append them to `samples` every 20 ms during it)."""
    first, second = workers = workers_of(g)
    serving(g, second, first)  # /ready was one worker's answer: the other may still be booting
    serving(g, first, second)
    os.kill(second.pid, signal.SIGSTOP)
    try:
        conns = [http.client.HTTPConnection("127.0.0.1", g.port, timeout=10) for _ in range(clients)]
        for conn in conns:
            conn.connect()
        deadline = time.monotonic() + 10
        while connections_per_worker(g, workers) != [clients, 0] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connections_per_worker(g, workers) == [clients, 0]
    finally:
        os.kill(second.pid, signal.SIGCONT)
    failures: list[str] = []

    def client(conn: http.client.HTTPConnection) -> None:
        for _ in range(requests):  # http.client reconnects by itself after a Connection: close
            conn.request("POST", "/judge?dry_run=true", BODY, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(str(response.status))

    threads = [threading.Thread(target=client, args=(conn,)) for conn in conns]
    for t in threads:
        t.start()
    while samples is not None and any(t.is_alive() for t in threads):
        samples.append(connections_per_worker(g, workers))
        time.sleep(0.02)
    for t in threads:
        t.join(120)
    shared = connections_per_worker(g, workers)
    for conn in conns:
        conn.close()
    assert failures == []
    if samples is not None and not any(min(sample) > 0 for sample in [*samples, shared]):
        print(state_of(g, workers))  # what the workers were doing, for a failure's report
    return shared


def state_of(g: Gunicorn, workers: list[psutil.Process]) -> str:
    now = [p.pid for p in psutil.Process(g.process.pid).children()]
    each = [f"{w.pid}: {w.status()}, cpu {w.cpu_times().user + w.cpu_times().system:.2f} s" for w in workers]
    return f"workers {each}; children now {now}; log:\n{g.log()[-2000:]}"


@pytest.fixture
def node(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=WORKERS, threads=THREADS).start()
    yield g
    g.stop()


def test_as_many_clients_as_threads_all_accepted_by_one_worker_end_up_shared(node):
    """A worker holding more connections than threads hands the extra ones back, and their
    clients reconnect: the other worker gets some. As in the test below, the claim is that
    connections move while the load runs, not where the last reconnection left them: a client
    whose last answer handed its connection back holds none when the load ends, and on a busy
    machine all four ended so: [4, 0] after 60 requests a client in a fresh clone's CI run, and
    beside two busy loops in 1 of 8 runs (4 of 10 with 78a71e9's service). 400 requests a client
    give the connections time to move: 10 of 10 beside the same loops."""
    samples: list[list[int]] = []
    shared = load_clients_landed_on_one_worker(node, CLIENTS, 4 * KEEPALIVE_REQUESTS, samples)
    print(f"connections per worker after the load: {shared}; {len(samples)} samples during it")
    assert max(shared) <= THREADS, shared
    assert any(min(sample) > 0 for sample in [*samples, shared]), (shared, samples[-5:])


def test_fewer_clients_than_a_worker_has_threads_move_to_the_idle_worker(node):
    """Each worker has a thread free, so none sheds for want of threads: a kept-alive connection
    is closed after KEEPALIVE_REQUESTS answers, and its client reconnects to whichever worker
    accepts first; the idle one usually does, while the busy one waits for the GIL.

    Each reconnection is a new choice, so the claim is that connections move, not where the
    last choice left them (a busy machine's CI once ended at [4, 0] after they had moved).
    Before the change they never moved: [4, 0] throughout."""
    samples: list[list[int]] = []
    shared = load_clients_landed_on_one_worker(
        node, THREADS, 4 * KEEPALIVE_REQUESTS + KEEPALIVE_REQUESTS // 2, samples
    )
    print(f"connections per worker after the load: {shared}; {len(samples)} samples during it")
    assert any(min(sample) > 0 for sample in samples), (shared, samples[-5:])
