import json
import textwrap
import time
from pathlib import Path

import pytest

from cynic_app.durability.guidance import read_guidance
from tests.support.harness import persisted_snapshot, serving

CURL_EXAMPLE = {"reality": "CODE", "analysis": "QUALITY", "content": "def hello(): pass", "context": "test"}


def test_post_judge_returns_the_documented_fields(client):
    r = client.post("/judge", json=CURL_EXAMPLE)
    assert r.status_code == 200
    body = r.get_json()
    for field in (
        "judgment_id",
        "q_score",
        "verdict",
        "confidence",
        "axiom_scores",
        "dog_votes",
        "consensus_reached",
        "consensus_votes",
        "residual_variance",
        "unnameable_detected",
        "cost_usd",
        "llm_calls",
        "duration_ms",
        "level_used",
        "findings",
        "language",
        "reality",
        "analysis",
        "content",
        "context",
        "time_dim",
        "lod",
        "created_at",
    ):
        assert field in body, field
    assert body["analysis"] == "QUALITY" and body["persisted"] is True
    assert body["confidence"] <= 0.618 and round(body["q_score"], 3) == body["q_score"]


def test_findings_name_their_rule_and_line(client):
    body = {"content": 'import psycopg2\n\nconn = psycopg2.connect(user="admin", password="hunter2")\n'}
    j = client.post("/judge?dry_run=true", json=body).get_json()
    assert j["verdict"] == "BARK" and j["language"] == "python"
    assert {"dog": "GUARDIAN", "rule": "hardcoded-secret", "line": 3}.items() <= j["findings"][0].items()
    assert "line 3: hard-coded password passed to psycopg2.connect()" in j["dog_reasons"]["GUARDIAN"]


def test_a_judgment_stored_before_findings_is_presented_with_none():
    from cynic_app.api.present import judgment
    from cynic_app.judgment import Cell, judge

    stored = judge(Cell.create(content="x = 1\n")).to_dict()
    del stored["findings"], stored["language"]
    shown = judgment(stored, "2026-01-01T00:00:00+00:00", persisted=True)
    assert shown["findings"] == [] and shown["language"] == ""


def test_a_read_right_after_the_write_finds_it(client):
    posted = client.post("/judge", json=CURL_EXAMPLE).get_json()
    got = client.get(f"/judge/{posted['judgment_id']}")
    assert got.status_code == 200
    assert got.get_json() == posted


def test_the_write_is_in_journal_database_and_guidance_before_the_answer(client, home, database_url):
    jid = client.post("/judge", json=CURL_EXAMPLE).get_json()["judgment_id"]
    assert jid.encode() in persisted_snapshot(home, database_url)["journal"]
    assert read_guidance(home / "guidance.json")["judgment_id"] == jid


def test_unknown_judgment_is_404_json(client):
    for path in ("/judge/7b0d8b8e-0a3c-4a51-9d49-0b2e0e8f6a11", "/judge/not-a-uuid"):
        r = client.get(path)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        (
            {"data": "content=x", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        ({"data": "{nope", "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": b"\xff\xfe{}", "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": "[" * 100000, "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": "[1, 2]", "content_type": "application/json"}, 422, "validation_failed"),
        ({"json": {"content": 7}}, 422, "validation_failed"),
        ({"json": {"content": "x", "reality": "MOON", "lod": "1", "surprise": 1}}, 422, "validation_failed"),
        ({"json": {"content": "x\u0000y"}}, 422, "validation_failed"),
        ({"json": {"content": "x", "level": "HUGE"}}, 422, "validation_failed"),
        (
            {"data": json.dumps({"content": "x" * 2_000_000}), "content_type": "application/json"},
            413,
            "request_entity_too_large",
        ),
    ],
)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(client, home, database_url, kwargs, status, code):
    client.post("/judge", json=CURL_EXAMPLE)
    before = persisted_snapshot(home, database_url)
    r = client.post("/judge", **kwargs)
    assert r.status_code == status, r.get_data()
    assert r.get_json()["error"]["code"] == code
    assert persisted_snapshot(home, database_url) == before


def test_validation_names_every_bad_field(client):
    r = client.post("/judge", json={"content": [], "reality": "MOON", "lod": 9, "level": "X", "extra": 1})
    assert set(r.get_json()["error"]["details"]["fields"]) == {"content", "reality", "lod", "level", "extra"}


def test_wrong_method_is_405_json(client):
    r = client.delete("/judge")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in r.headers["Allow"]


def test_dry_run_judges_and_stores_nothing(client, home, database_url):
    client.post("/judge", json=CURL_EXAMPLE)
    before = persisted_snapshot(home, database_url)
    r = client.post("/judge?dry_run=true", json=CURL_EXAMPLE)
    assert r.status_code == 200 and r.get_json()["persisted"] is False
    assert persisted_snapshot(home, database_url) == before
    assert client.get(f"/judge/{r.get_json()['judgment_id']}").status_code == 404


def test_a_perceive_dry_run_stores_nothing(client, home, database_url):
    """POST /perceive?dry_run=true stored the perception and answered persisted: true."""
    client.post("/perceive", json={"source": "s", "content": "first"})
    before = persisted_snapshot(home, database_url)
    r = client.post("/perceive?dry_run=true", json={"source": "s", "content": "price rising"})
    body = r.get_json()
    assert r.status_code == 200 and body["persisted"] is False and body["judgment"]["persisted"] is False
    assert body["verdict"] is not None
    assert persisted_snapshot(home, database_url) == before
    assert client.get(f"/perceive/{body['perception_id']}").status_code == 404
    assert client.post("/perceive?dry_run=maybe", json={"source": "s", "content": "x"}).status_code == 422


def test_perceive_with_judgment_and_read_back(client):
    r = client.post("/perceive", json={"source": "sensor-1", "content": "price rising trend"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["reality"] == "CYNIC" and body["judgment"]["analysis"] == "PERCEIVE"
    assert body["judgment"]["lod"] == 0 and body["judgment"]["level_used"] == "REFLEX"
    got = client.get(f"/perceive/{body['perception_id']}").get_json()
    assert got == body
    assert client.get(f"/judge/{body['judgment_id']}").status_code == 200


def test_perceive_without_judgment_and_legacy_data(client):
    body = client.post(
        "/perceive", json={"source": "s", "data": {"k": [1, 2]}, "run_judgment": False}
    ).get_json()
    assert body["judgment_id"] is None and body["content"] == '{"k": [1, 2]}'


def test_perceive_requires_a_source(client):
    r = client.post("/perceive", json={"content": "x", "run_judgment": "yes"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["details"]["fields"]) == {"source", "run_judgment"}


def test_state_counts_what_was_judged(client):
    ids = [client.post("/judge", json={"content": f"x = {i}"}).get_json()["judgment_id"] for i in range(3)]
    client.post("/judge", json={"content": "y = eval(input())"})
    state = client.get("/state").get_json()
    assert state["total_judgments"] == 4 and state["verdict_counts"]["BARK"] >= 1
    assert [j["judgment_id"] for j in state["recent_judgments"][1:]] == ids[::-1]
    assert "GUARDIAN" in state["dog_averages"]


def test_health_and_ready(client):
    assert client.get("/health").get_json()["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"


def test_the_page_is_served_with_a_strict_content_security_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert b'id="judge-form"' in r.data and b"<script>" not in r.data  # no inline script
    assert client.get("/page/page.js").status_code == 200


def test_the_page_is_open_but_writes_from_it_still_need_the_token(config):
    from dataclasses import replace

    with serving(replace(config, api_token="t0ken", protect_reads=True)) as app:
        c = app.test_client()
        assert c.get("/").status_code == 200 and c.get("/page/page.css").status_code == 200
        assert c.get("/state").status_code == 401
        assert c.post("/judge?dry_run=true", json={"content": "x = 1"}).status_code == 401
        token = {"Authorization": "Bearer t0ken"}
        assert c.post("/judge?dry_run=true", json={"content": "x = 1"}, headers=token).status_code == 200


def test_a_permalink_is_the_page_named_for_its_judgment_and_holds_none_of_it(config):
    from dataclasses import replace

    with serving(replace(config, api_token="t0ken", protect_reads=True)) as app:
        c = app.test_client()
        token = {"Authorization": "Bearer t0ken"}
        secret = "SECRET_MARKER = 'only behind the token'\n"
        stored = c.post("/judge", json={"content": secret, "context": "file: s.py"}, headers=token).get_json()
        judgment_id = stored["judgment_id"]
        page = c.get(f"/j/{judgment_id.upper()}")  # open to anyone: the page holds no data
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        html = page.get_data(as_text=True)
        assert f'data-judgment-id="{judgment_id}"' in html  # canonical, for the script to fetch
        assert "SECRET_MARKER" not in html and "s.py" not in html
        assert c.get(f"/judge/{judgment_id}").status_code == 401  # what it shows still needs the token
        absent = c.get("/j/not-a-uuid")
        assert absent.status_code == 404 and absent.get_json()["error"]["code"] == "not_found"


def test_scholar_finds_long_content_judged_before_as_alike(client):
    """The node remembers the first RECALLED_CHARS characters of each content; SCHOLAR compares
    the same prefix of the cell, so content judged again is told it is alike (1.00), however
    long it is (comparing all of a 20 KB cell with the first 2,000 characters of its twin told
    0.2-something)."""
    content = Path(textwrap.__file__).read_text()
    assert len(content) > 10_000
    body = {"reality": "CODE", "content": content}
    assert client.post("/judge", json=body).status_code == 200
    time.sleep(1.05)  # the node's memory (service/memory.py) is refreshed at most once a second
    again = client.post("/judge?dry_run=true", json=body).get_json()
    assert again["dog_reasons"]["SCHOLAR"] == ["1 similar past judgments (best similarity 1.00)"]
