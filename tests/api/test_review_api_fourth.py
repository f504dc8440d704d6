"""The write endpoints against the fourth adversarial review's reproductions (2026-12-07): a query
parameter a write did not understand stored what the client meant as a preview, and a perception
source blank to Python but not to the contract was stored empty."""

from __future__ import annotations

import pytest

from tests.support.harness import persisted_snapshot

BODIES = {"/judge": {"content": "def hello(): pass"}, "/perceive": {"source": "s", "content": "price rising"}}


@pytest.mark.parametrize("path", sorted(BODIES))
@pytest.mark.parametrize(
    "query",
    ["dryrun=true", "DRY_RUN=true", "dry_run", "dry_run=", "dry_run=false&dry_run=true", "dry_run=true&x=1"],
)
def test_a_write_it_does_not_understand_is_refused_and_stores_nothing(
    client, home, database_url, path, query
):
    client.post(path, json=BODIES[path])  # the node has written before
    before = persisted_snapshot(home, database_url)
    r = client.post(f"{path}?{query}", json=BODIES[path])
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "validation_failed" and error["details"]["fields"], error
    assert persisted_snapshot(home, database_url) == before


@pytest.mark.parametrize("path", sorted(BODIES))
def test_the_documented_dry_run_values_still_work(client, path):
    for value, persisted in (("true", False), ("1", False), ("yes", False), ("false", True), ("no", True)):
        r = client.post(f"{path}?dry_run={value}", json=BODIES[path])
        assert r.status_code == 200 and r.get_json()["persisted"] is persisted, (value, r.get_json())
    assert client.post(path, json=BODIES[path]).get_json()["persisted"] is True


@pytest.mark.parametrize("source", ["\u001c", "\u001f", "\u0085", " \u001e "])
def test_a_source_is_stored_as_it_was_validated(client, source):
    r = client.post("/perceive", json={"source": source, "content": "price rising"})
    if r.status_code == 422:
        assert "source" in r.get_json()["error"]["details"]["fields"]
        return
    assert r.status_code == 200, r.get_json()
    stored = client.get(f"/perceive/{r.get_json()['perception_id']}").get_json()
    assert stored["source"] != "" and stored["source"] == r.get_json()["source"]
