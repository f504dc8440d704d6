"""Review reproducers: request validation (cynic_app/api/schema.py, PerceiveRequest)."""

from __future__ import annotations

import pytest

from tests.support.harness import persisted_snapshot


def post(client, body: str, path="/perceive"):
    return client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize(
    "data",
    ['{"a": {"b": [1, 2]}}', "[1, [2]]", '{"a": null}', "NaN", "Infinity"],
)
def test_legacy_data_outside_its_contract_is_refused_and_not_stored(client, home, database_url, data):
    """/openapi.json: data is a non-blank string, a number, a boolean, or an object of
    string/number/boolean values. Anything else (nested, arrays, null values, NaN) must be a 4xx
    that writes nothing."""
    before = persisted_snapshot(home, database_url)
    r = post(client, '{"source": "s", "data": %s}' % data)
    assert 400 <= r.status_code < 500, (r.status_code, r.get_json())
    assert persisted_snapshot(home, database_url) == before


@pytest.mark.parametrize("reality", ["false", "0", "[]", "{}"])
def test_perceive_reality_of_the_wrong_type_is_refused(client, reality):
    """reality is a string enum in the contract; false/0/[]/{} are silently taken as CYNIC."""
    r = post(client, '{"source": "s", "content": "x", "reality": %s}' % reality)
    assert r.status_code == 422, (r.status_code, r.get_json())


def test_deeply_nested_legacy_data_is_never_a_500(client):
    """json.loads accepts the body, then PerceiveRequest._legacy_data's json.dumps runs out of
    stack (RecursionError escapes pydantic): 500 internal_error instead of a 4xx."""
    statuses = {}
    for depth in range(800, 1000, 2):
        body = '{"source": "s", "data": ' + "[" * depth + "1" + "]" * depth + "}"
        statuses[depth] = post(client, body).status_code
    assert all(s < 500 for s in statuses.values()), {d: s for d, s in statuses.items() if s >= 500}
