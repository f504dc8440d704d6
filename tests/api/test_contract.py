"""The served contract states what the code enforces: its enums and limits come from the code."""

from __future__ import annotations

from importlib.metadata import version

from cynic_app.api import responses
from cynic_app.api.schema import DEFAULT_PAGE, MAX_PAGE
from cynic_app.judgment.cell import CANONICAL_ANALYSES, REALITIES, TIME_DIMS
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


def choices(prop: dict) -> list[str]:
    """The enum of a property that may also be null."""
    (value,) = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    return value["enum"]


def test_fixed_choice_request_fields_are_enums_for_generated_clients(client):
    doc = client.get("/openapi.json").get_json()
    for model in ("JudgeRequest", "PerceiveRequest"):
        fields = doc["components"]["schemas"][model]["properties"]
        assert choices(fields["reality"]) == list(REALITIES)
        assert choices(fields["time_dim"]) == list(TIME_DIMS)
        assert choices(fields["level"]) == list(LEVELS)
    listing = {p["name"]: p for p in doc["paths"]["/judge"]["get"]["parameters"]}
    assert listing["verdict"]["schema"]["enum"] == list(VERDICTS)
    assert listing["reality"]["schema"]["enum"] == list(REALITIES)
    # analysis takes any identifier (stored judgments hold QUALITY and others): not an enum
    analysis = doc["components"]["schemas"]["JudgeRequest"]["properties"]["analysis"]
    (analysis,) = [b for b in analysis["anyOf"] if b.get("type") != "null"]
    assert "enum" not in analysis and analysis["examples"] == list(CANONICAL_ANALYSES)


def test_the_list_query_parameters_are_the_models(client):
    doc = client.get("/openapi.json").get_json()
    listing = {p["name"]: p for p in doc["paths"]["/judge"]["get"]["parameters"]}
    assert set(listing) == {"verdict", "reality", "limit", "cursor"}
    assert all(p["in"] == "query" and p["required"] is False for p in listing.values())
    limit = listing["limit"]["schema"]
    assert (limit["type"], limit["minimum"], limit["maximum"], limit["default"]) == (
        "integer",
        1,
        MAX_PAGE,
        DEFAULT_PAGE,
    )
    assert "422" in doc["paths"]["/judge"]["get"]["responses"]


def test_every_answer_has_the_shape_its_model_states(client):
    judged = client.post("/judge", json={"content": "def f(x):\n    return eval(x)\n", "level": "macro"})
    answers = [
        (responses.Judgment, judged),
        (responses.Judgment, client.post("/judge?dry_run=true", json={"content": "x = 1"})),
        (responses.Judgment, client.get(f"/judge/{judged.get_json()['judgment_id']}")),
        (responses.Perception, client.post("/perceive", json={"source": "s", "content": "up 3%"})),
        (
            responses.Perception,
            client.post("/perceive", json={"source": "s", "data": 1, "run_judgment": False}),
        ),
        (responses.State, client.get("/state")),
        (responses.Health, client.get("/health")),
        (responses.Ready, client.get("/ready")),
        (responses.Error, client.post("/judge", json={"content": 7})),
        (responses.Error, client.get("/judge/nope")),
        (responses.JudgmentPage, client.get("/judge?limit=1")),
        (responses.Error, client.get("/judge?limit=0")),
    ]
    perceived = answers[3][1].get_json()
    answers.append((responses.Perception, client.get(f"/perceive/{perceived['perception_id']}")))
    for model, answer in answers:
        model.model_validate(answer.get_json(), strict=False)
    assert judged.get_json()["findings"], "the eval call is found, so a Finding is checked too"
    assert list(judged.get_json()) == list(responses.Judgment.model_fields)
