"""Recycled workers leave no metric files behind: /metrics costs what the live workers cost."""

from __future__ import annotations

import http.client
import os
import re
import statistics
import time

import pytest

from tests.support.harness import Gunicorn, request

pytestmark = pytest.mark.slow

HEALTH_REQUESTS = 800
RECYCLE_AFTER = 10  # requests per worker (± 1): about 80 workers come and go


def scrape(port: int) -> tuple[float, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    return time.perf_counter() - started, text


def median_scrape_s(port: int, n: int = 7) -> float:
    return statistics.median(scrape(port)[0] for _ in range(n))


def sample(text: str, line_start: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith(line_start)]
    return float(line.split()[-1])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture
def recycling(tmp_path, database_url):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {"CYNIC_MAX_REQUESTS": str(RECYCLE_AFTER), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    g = Gunicorn(tmp_path / "home", database_url, workers=2, threads=2, env=env).start()
    yield g, metrics_dir
    g.stop()


def test_dead_workers_files_are_folded_and_counters_keep_every_request(recycling):
    g, metrics_dir = recycling
    before_s = median_scrape_s(g.port)
    for _ in range(HEALTH_REQUESTS):
        assert request(g.port, "GET", "/health")[0] == 200
    # The last recycled worker's exit reaches the master, which folds its files one by one (a
    # listing taken in between shows the dead worker's histogram file but not its counter file).
    deadline = time.monotonic() + 10
    while True:
        files = sorted(p.name for p in metrics_dir.glob("*.db"))
        owners = {re.match(r"(?:counter|histogram)_(\w+)\.db$", name).group(1) for name in files}
        dead = [o for o in owners if o != "aggregate" and not pid_alive(int(o))]
        if not dead or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert dead == [], files
    after_s = median_scrape_s(g.port)
    print(f"metrics: {len(files)} files; scrape {before_s * 1e3:.1f} ms before, {after_s * 1e3:.1f} ms after")
    # Two live workers, perhaps a replacement starting, the master, and the aggregates.
    assert len(files) <= 2 * (2 + 1 + 1 + 1), files
    _, text = scrape(g.port)
    served = sample(text, 'cynic_http_requests_total{endpoint="/health",method="GET",status="200"}')
    assert served == HEALTH_REQUESTS  # every recycled worker's count survived the fold
    # The file count above is the proof that /metrics reads only live workers' files; the scrape
    # times are printed, not asserted: on a shared machine they measure the neighbours too.
