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


@pytest.mark.parametrize(
    ("first", "retry"),
    [
        (
            {"content": "def ok(): return 1", "reality": "code"},
            {"content": "def ok(): return 1", "reality": "CODE"},
        ),
        ({"content": "def ok(): return 1", "lod": None}, {"content": "def ok(): return 1"}),
        ({"content": "def ok(): return 1", "lod": 2}, {"content": "def ok(): return 1", "lod": 2.0}),
    ],
    ids=["a name's case", "a null for an absent field", "2.0 for 2"],
)
def test_a_retry_another_serialiser_wrote_is_the_same_request(client, first, retry):
    headers = {"Idempotency-Key": f"retry-{sorted(first.items())!r}"}
    answer = client.post("/judge", json=first, headers=headers)
    again = client.post("/judge", json=retry, headers=headers)
    assert answer.status_code == 200 and again.status_code == 200, again.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["judgment_id"] == answer.get_json()["judgment_id"]
    other = client.post("/judge", json={**retry, "content": "def other(): return 2"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_a_key_an_older_node_stored_still_answers_its_retry(client, database_url):
    """Older nodes fingerprinted the body as sent: a key they stored holds that fingerprint."""
    import hashlib
    import json

    import psycopg

    body = {"content": "def ok(): return 1", "reality": "code"}
    headers = {"Idempotency-Key": "stored-by-an-older-node"}
    answer = client.post("/judge", json=body, headers=headers)
    assert answer.status_code == 200
    as_sent = json.dumps(["/judge", body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with psycopg.connect(database_url, autocommit=True) as conn:
        changed = conn.execute(
            "UPDATE idempotency_keys SET fingerprint = %s WHERE key = %s",
            (hashlib.sha256(as_sent.encode()).hexdigest(), headers["Idempotency-Key"]),
        ).rowcount
    assert changed == 1
    again = client.post("/judge", json=body, headers=headers)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["judgment_id"] == answer.get_json()["judgment_id"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        {"Content-Type": "application/json", "Content-Encoding": "br"},
        {"Content-Type": "application/json; charset=iso-8859-1"},
        {"Content-Type": "application/json; charset=utf-16"},
    ],
    ids=["gzip", "br", "latin-1", "utf-16"],
)
def test_a_body_in_a_coding_or_charset_it_does_not_read_is_refused(client, home, database_url, headers):
    client.post("/judge", json=BODIES["/judge"])
    before = persisted_snapshot(home, database_url)
    r = client.post("/judge", data=b'{"content": "def caf\xe9(): pass"}', headers=headers)
    assert r.status_code == 415 and r.get_json()["error"]["code"] == "unsupported_media_type", r.get_json()
    assert persisted_snapshot(home, database_url) == before
    for fine in ("application/json; charset=utf-8", "application/json; charset=UTF-8", "application/json"):
        ok = client.post("/judge", data=b'{"content": "x = 1"}', headers={"Content-Type": fine})
        assert ok.status_code == 200, (fine, ok.get_json())


def test_the_document_states_what_any_request_may_be_answered(client):
    """Review finding: 400 host_not_allowed was answered on GET /judge, /state, /health, /ready,
    /openapi.json and /metrics, and 413 on any GET with a body too large, undeclared."""
    paths = client.get("/openapi.json").get_json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "413", "500"} <= set(operation["responses"]), (method, path)
    assert client.get("/state", headers={"Host": "elsewhere.example"}).status_code == 400


def test_the_document_refuses_a_perception_whose_data_is_null(client):
    """Review finding: the PerceiveRequest schema let {"data": null} through; the node answers 422."""
    import jsonschema

    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    validator = jsonschema.Draft202012Validator(
        with_own_defs({**schemas["PerceiveRequest"], "$defs": schemas})
    )
    body = {"source": "s", "data": None}
    assert not validator.is_valid(body)
    assert client.post("/perceive", json=body).status_code == 422
    assert validator.is_valid({"source": "s", "data": {"a": 1}})


def with_own_defs(schema: dict) -> dict:
    """The schema with #/components/schemas/ references pointed at its own $defs."""
    import json

    return json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
