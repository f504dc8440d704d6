"""Hostile input (hypothesis): never a 5xx, never a hang, and a 4xx never writes anything."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import persisted_snapshot

EXAMPLES = int(os.environ.get("CYNIC_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "content",
    "reality",
    "analysis",
    "context",
    "time_dim",
    "lod",
    "consciousness",
    "budget_usd",
    "level",
    "cell_id",
    "timestamp",
    "source",
    "run_judgment",
    "data",
]
# Bodies that look like requests, with any value in any field.
requestish = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


def check(client, home, database_url, method, path, **kwargs):
    before = persisted_snapshot(home, database_url)
    response = client.open(path, method=method, **kwargs)
    assert response.status_code < 500, (response.status_code, response.get_data()[:300])
    if method == "OPTIONS" and response.status_code == 200:
        assert "Allow" in response.headers  # Flask's automatic answer: no body to speak of
        return
    body = response.get_json(silent=True)
    assert isinstance(body, dict), response.get_data()[:300]
    if response.status_code >= 400:
        assert set(body["error"]) == {"code", "message", "details"}
        assert persisted_snapshot(home, database_url) == before, "a 4xx wrote something"


@SETTINGS
@given(body=st.one_of(json_values, requestish), path=st.sampled_from(["/judge", "/perceive"]))
def test_any_json_body(client, home, database_url, body, path):
    check(client, home, database_url, "POST", path, data=json.dumps(body), content_type="application/json")


@SETTINGS
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
            "application/json; charset=latin-1",
        ]
    ),
)
def test_any_bytes_any_content_type(client, home, database_url, raw, content_type):
    check(client, home, database_url, "POST", "/judge", data=raw, content_type=content_type)


@SETTINGS
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.sampled_from(
        [
            "/judge",
            "/perceive",
            "/state",
            "/health",
            "/ready",
            "/judge/x",
            "/nope",
            "/judge/00000000-0000-4000-8000-000000000000",
            "/perceive/%00",
        ]
    ),
)
def test_any_method_any_path(client, home, database_url, method, path):
    check(client, home, database_url, method, path)


@SETTINGS
@given(key=st.text(max_size=300), body=requestish)
def test_any_idempotency_key(client, home, database_url, key, body):
    try:
        header = key.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:
        header = key.encode("utf-8").decode("latin-1")  # what arrives on the wire
    if "\n" in header or "\r" in header:
        return  # not a valid HTTP header at all: the server never sees it
    check(
        client,
        home,
        database_url,
        "POST",
        "/judge",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": header},
    )


def post_raw(client, body: str, path: str = "/perceive"):
    return client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize("body", ['{"source": "s", "data": NaN}', '{"content": "x", "lod": Infinity}'])
def test_nan_and_infinity_are_not_json(client, home, database_url, body):
    """Review finding: Python's json module reads NaN and Infinity, and legacy data stored them as
    the text "NaN"; JSON has neither."""
    before = persisted_snapshot(home, database_url)
    path = "/perceive" if "source" in body else "/judge"
    r = post_raw(client, body, path)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"
    assert persisted_snapshot(home, database_url) == before


def test_deeply_nested_legacy_data_is_never_a_500(client):
    """Review finding: nesting shallow enough for json.loads but too deep for json.dumps one
    stack frame further in ran out of stack inside validation: a 500. (Legacy data is perceived
    as its JSON text whatever its shape; only too deep is refused.) Where the edge lies depends on
    the interpreter (3.13 counts C recursion apart): the sweep crosses the parser's own limit."""
    edge = _deepest_json_loads_takes()
    statuses = set()
    for depth in range(edge - 240, edge + 40, 2):
        r = post_raw(client, '{"source": "s", "data": ' + "[" * depth + "1" + "]" * depth + "}")
        assert r.status_code in (200, 400, 422), (depth, r.status_code)
        if r.status_code == 422:
            assert r.get_json()["error"]["details"]["fields"]["data"] == "is nested too deeply"
        statuses.add(r.status_code)
    assert 200 in statuses and statuses & {400, 422}  # the sweep reached past the deepest accepted


def _deepest_json_loads_takes() -> int:
    """The deepest nesting this interpreter's json.loads reads here (binary search)."""
    low, high = 1, 1_000_000
    while low + 1 < high:
        mid = (low + high) // 2
        try:
            json.loads("[" * mid + "]" * mid)
            low = mid
        except RecursionError:
            high = mid
    return low


@pytest.mark.parametrize("reality", ["false", "0", "[]", "{}"])
def test_a_reality_of_the_wrong_type_is_refused_not_taken_as_the_default(client, reality):
    """Review finding: any falsy reality on /perceive (false, 0, [], {}) was read as "use the
    default"; only null and "" mean that."""
    r = post_raw(client, f'{{"source": "s", "content": "x", "reality": {reality}}}')
    assert r.status_code == 422 and "reality" in r.get_json()["error"]["details"]["fields"]
