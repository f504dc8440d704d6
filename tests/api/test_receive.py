"""ReceiveBodies asks the server to close the connection after an answer to a refused body, and
only then (the connection itself: tests/e2e/test_slow_clients.py)."""

from __future__ import annotations

import json

import pytest

from cynic_app.api.receive import CLOSE_KEY

OVER_LIMIT = json.dumps({"content": "x" * 2_000_000})  # CYNIC_MAX_BODY_BYTES is 1 MiB


@pytest.mark.parametrize(
    ("data", "status", "closes"),
    [
        (json.dumps({"content": "x = 1"}), 200, False),
        ("{nope", 400, False),  # the body was received whole: the app refused what it says
        (OVER_LIMIT, 413, True),
    ],
    ids=["received", "received-malformed-json", "over-the-limit"],
)
def test_only_a_refused_body_closes_its_connection(client, data, status, closes):
    asked = []
    r = client.post(
        "/judge?dry_run=true",
        data=data,
        content_type="application/json",
        environ_overrides={CLOSE_KEY: lambda: asked.append(True)},
    )
    assert r.status_code == status, r.get_data()
    assert asked == ([True] if closes else [])


@pytest.mark.parametrize("path", ["/health", "/state", "/nowhere"])
def test_an_over_limit_body_gets_the_413_whatever_the_route_reads(client, path):
    """receive.py promises the 413 to a body over the limit; a route that reads no body (a GET)
    used to answer as if the body were not there."""
    r = client.open(path, method="GET", data=OVER_LIMIT, content_type="application/json")
    assert r.status_code == 413, (r.status_code, r.get_data()[:200])
    assert r.get_json()["error"]["code"] == "request_entity_too_large"
