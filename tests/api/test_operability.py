"""Metrics, request ids, access logs and bearer-token auth, in-process."""

import logging
import threading
from contextlib import ExitStack

import pytest

from cynic_app.logs import PLAIN
from tests.support.harness import serving


def metric_values(text: str) -> dict[str, float]:
    """Sample name (with labels) → value, from a Prometheus text page."""
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_metrics_count_requests_and_durable_steps(client):
    before = metric_values(client.get("/metrics").get_data(as_text=True))
    client.post("/judge", json={"content": "a = 1"})
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    after = metric_values(page.get_data(as_text=True))
    for name in (
        'cynic_http_requests_total{endpoint="/judge",method="POST",status="200"}',
        "cynic_journal_fsyncs_total",
        "cynic_journal_fsync_duration_seconds_count",
        "cynic_db_commits_total",
        "cynic_db_commit_duration_seconds_count",
        "cynic_guidance_writes_total",
        "cynic_batch_records_count",
        'cynic_http_request_duration_seconds_count{endpoint="/judge"}',
    ):
        assert after.get(name, 0) - before.get(name, 0) >= 1, name


def test_each_series_counts_exactly_its_own_requests(client):
    """The counters a request updates are kept per (endpoint, method, status) in the process
    (observe.py): a status or method of its own is a series of its own, and a series counts
    every request of it."""
    series = 'cynic_http_requests_total{{endpoint="/judge",method="{}",status="{}"}}'
    duration = 'cynic_http_request_duration_seconds_count{endpoint="/judge"}'
    before = metric_values(client.get("/metrics").get_data(as_text=True))
    for _ in range(3):
        assert client.post("/judge?dry_run=true", json={"content": "a = 1"}).status_code == 200
    for _ in range(2):
        assert client.post("/judge?dry_run=true", json={"reality": "CODE"}).status_code == 422
    assert client.get("/judge").status_code == 200
    after = metric_values(client.get("/metrics").get_data(as_text=True))
    for name, added in (
        (series.format("POST", 200), 3),
        (series.format("POST", 422), 2),
        (series.format("GET", 200), 1),
        (duration, 6),
    ):
        assert after.get(name, 0) - before.get(name, 0) == added, name


def test_threads_racing_on_a_fresh_app_count_every_request_once(app):
    """observe.py fills its dict of metric children as series first appear: eight threads
    released together on a fresh app, each making its first requests at once, lose or double
    nothing."""
    series = 'cynic_http_requests_total{endpoint="/health",method="GET",status="200"}'
    unmatched = 'cynic_http_requests_total{endpoint="unmatched",method="GET",status="404"}'
    before = metric_values(app.test_client().get("/metrics").get_data(as_text=True))
    start = threading.Barrier(8)

    def hammer() -> None:
        client = app.test_client()
        start.wait()
        for _ in range(50):
            assert client.get("/health").status_code == 200
            assert client.get("/nowhere").status_code == 404

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = metric_values(app.test_client().get("/metrics").get_data(as_text=True))
    assert after[series] - before.get(series, 0) == 400
    assert after[unmatched] - before.get(unmatched, 0) == 400


def test_request_id_is_echoed_or_made(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/health").headers["X-Request-ID"]
    assert len(made) == 32
    assert (
        client.get("/health", headers={"X-Request-ID": "bad id\x7f"}).headers["X-Request-ID"] != "bad id\x7f"
    )


def test_one_access_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="cynic_app.access"):
        client.post("/judge", json={"content": "b = 2"}, headers={"X-Request-ID": "rid-7"})
    lines = [r for r in caplog.records if r.name == "cynic_app.access"]
    assert len(lines) == 1
    assert (lines[0].method, lines[0].path, lines[0].status, lines[0].request_id) == (
        "POST",
        "/judge",
        200,
        "rid-7",
    )
    assert lines[0].duration_ms > 0


@pytest.fixture
def secured(config):
    def build(protect_reads=False):
        settings = config.with_overrides(api_token="s3cret-token", protect_reads=protect_reads)
        return apps.enter_context(serving(settings)).test_client()

    with ExitStack() as apps:
        yield build


def test_writes_need_the_token_reads_do_not(secured, caplog):
    client = secured()
    with caplog.at_level(logging.DEBUG):
        r = client.post("/judge", json={"content": "x = 1"})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert (
            client.post(
                "/judge", json={"content": "x = 1"}, headers={"Authorization": "Bearer wrong"}
            ).status_code
            == 401
        )
        ok = client.post(
            "/judge", json={"content": "x = 1"}, headers={"Authorization": "Bearer s3cret-token"}
        )
        assert ok.status_code == 200
        assert client.get(f"/judge/{ok.get_json()['judgment_id']}").status_code == 200
    assert "s3cret-token" not in caplog.text


def test_protected_reads_but_open_health(secured):
    client = secured(protect_reads=True)
    assert client.get("/state").status_code == 401
    assert client.get("/state", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/health").status_code == 200 and client.get("/ready").status_code == 200


def _access_client(config, caplog, *, forwarded_for: str, peer: str, trusted_proxies: int) -> str:
    with serving(config.with_overrides(trusted_proxies=trusted_proxies)) as app:
        with caplog.at_level(logging.INFO, logger="cynic_app.access"):
            app.test_client().get(
                "/health", headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": peer}
            )
    (line,) = [r for r in caplog.records if r.name == "cynic_app.access"]
    return line.client


def test_access_line_names_the_client_behind_a_trusted_proxy(config, caplog):
    client = _access_client(
        config, caplog, forwarded_for="198.51.100.9, 203.0.113.7", peer="10.0.0.2", trusted_proxies=1
    )
    assert client == "203.0.113.7"  # the hop our proxy added, not what the client claimed before it


def test_forwarded_for_is_ignored_without_trusted_proxies(config, caplog):
    client = _access_client(config, caplog, forwarded_for="203.0.113.7", peer="10.0.0.2", trusted_proxies=0)
    assert client == "10.0.0.2"


def test_the_access_line_escapes_control_characters(client, caplog):
    """GET /judge/x%0a<line> wrote a forged second access line, and terminal escapes passed through."""
    forged = "2026-01-01 00:00:00,000 INFO [1] cynic_app.access: 10.0.0.1 POST /judge 200 1.0ms"
    with caplog.at_level(logging.INFO, logger="cynic_app.access"):
        client.get(f"/judge/x%0a{forged}%1b[2J%e2%80%a8")
    (line,) = [r for r in caplog.records if r.name == "cynic_app.access"]
    written = logging.Formatter(PLAIN).format(line)
    assert "\n" not in written and "\x1b" not in written and "\u2028" not in written, written
    assert f"/judge/x\\n{forged}\\x1b[2J\\u2028 404" in written, written
    assert line.path == f"/judge/x\\n{forged}\\x1b[2J\\u2028"


def test_made_up_methods_add_no_metric_series(client):
    """100,000 requests with methods AAAA, AAAB, … made 100,002 series (a 7.9 MB scrape)."""
    made_up = [f"AA{a}{b}" for a in "ABCDEFGH" for b in "ABCDEFGH"]
    for method in made_up:
        assert client.open("/judge", method=method).status_code == 405
    page = client.get("/metrics").get_data(as_text=True)
    series = [line for line in page.splitlines() if line.startswith("cynic_http_requests_total{")]
    assert not any(method in line for line in series for method in made_up), series
    assert (
        metric_values(page)['cynic_http_requests_total{endpoint="unmatched",method="other",status="405"}']
        == 64
    )
