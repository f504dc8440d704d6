"""The served contract states what the code enforces: its enums and limits come from the code."""

from __future__ import annotations

from importlib.metadata import version

from cynic_app.judgment.dogs import LEVELS
from cynic_app.judgment.phi import VERDICTS
from cynic_app.judgment.state import RECENT
from tests.support.harness import serving


def test_the_content_limit_is_the_nodes_own(config):
    with serving(config.with_overrides(max_content_chars=5000)) as app:
        client = app.test_client()
        doc = client.get("/openapi.json").get_json()
        content = doc["components"]["schemas"]["JudgeRequest"]["properties"]["content"]
        assert content["maxLength"] == 5000
        over = client.post("/judge", json={"content": "x" * 5001})
        assert over.status_code == 422 and "content" in over.get_json()["error"]["details"]["fields"]


def test_enums_and_version_are_the_codes(client):
    doc = client.get("/openapi.json").get_json()
    judgment = doc["components"]["schemas"]["Judgment"]["properties"]
    assert judgment["verdict"]["enum"] == list(VERDICTS)
    assert judgment["level_used"]["enum"] == list(LEVELS)
    state = doc["components"]["schemas"]["State"]["properties"]
    assert state["recent_judgments"]["maxItems"] == RECENT

    assert doc["info"]["version"] == version("cynic_app")
