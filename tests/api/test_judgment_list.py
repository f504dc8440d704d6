"""GET /judge: the stored judgments, newest first, a page at a time by cursor; filters by verdict
and reality; every bad query parameter named in a 422; behind the token when reads are."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from cynic_app.api import responses
from cynic_app.api.cursor import cursor, parse_cursor
from cynic_app.store.listing import Position
from tests.support.harness import serving

CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"
HOLE = "import os\nos.system(input())\n"


def store(client, content: str, **fields) -> dict:
    answer = client.post("/judge", json={"content": content, **fields})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def listed(client, query: str = "") -> dict:
    answer = client.get(f"/judge{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def ids(page: dict) -> list[str]:
    return [item["judgment_id"] for item in page["items"]]


def test_pages_chain_by_cursor_newest_first_until_next_cursor_is_null(client):
    stored = [store(client, f"x = {i}\n")["judgment_id"] for i in range(7)]
    seen, query = [], "?limit=3"
    while True:
        page = listed(client, query)
        seen.append(ids(page))
        if page["next_cursor"] is None:
            break
        query = f"?limit=3&cursor={page['next_cursor']}"
    assert seen == [stored[6:3:-1], stored[3:0:-1], stored[:1]]


def test_the_default_page_is_the_twenty_newest(client):
    stored = [store(client, f"y = {i}\n")["judgment_id"] for i in range(21)]
    page = listed(client)
    assert ids(page) == stored[:0:-1] and page["next_cursor"] is not None


def test_an_empty_node_lists_nothing(client):
    assert listed(client) == {"items": [], "next_cursor": None}


def test_filters_by_verdict_and_reality_in_any_case(client):
    hole, clean = store(client, HOLE), store(client, CLEAN)
    market = store(client, "prices up 3% for a third week", reality="MARKET")
    assert hole["verdict"] == "BARK" and clean["verdict"] != "BARK"
    assert ids(listed(client, "?verdict=bark")) == [hole["judgment_id"]]
    assert ids(listed(client, f"?verdict={clean['verdict']}&reality=CODE")) == [clean["judgment_id"]]
    assert ids(listed(client, "?reality=Market")) == [market["judgment_id"]]
    assert ids(listed(client, "?verdict=&reality=&limit=&cursor=")) == [  # empty: as if absent
        market["judgment_id"],
        clean["judgment_id"],
        hole["judgment_id"],
    ]


def test_each_item_summarises_the_judgment_its_id_opens(client):
    hole = store(client, HOLE, context="file: run.py")
    (item,) = listed(client)["items"]
    responses.JudgmentSummary.model_validate(item, strict=False)
    assert list(item) == list(responses.JudgmentSummary.model_fields)
    whole = client.get(f"/judge/{item['judgment_id']}").get_json()
    assert {k: whole[k] for k in ("judgment_id", "created_at", "verdict", "q_score", "confidence")} == {
        k: item[k] for k in ("judgment_id", "created_at", "verdict", "q_score", "confidence")
    }
    assert item["finding_count"] == len(hole["findings"]) > 0
    assert (item["context"], item["excerpt"], item["language"]) == ("file: run.py", HOLE, "python")
    responses.JudgmentPage.model_validate(listed(client), strict=False)


def test_a_dry_run_is_not_listed(client):
    assert client.post("/judge?dry_run=true", json={"content": HOLE}).status_code == 200
    assert listed(client)["items"] == []


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("?limit=0", {"limit": "must be an integer from 1 to 100"}),
        ("?limit=101", {"limit": "must be an integer from 1 to 100"}),
        ("?limit=ten", {"limit": "must be an integer from 1 to 100"}),
        ("?limit=2.5", {"limit": "must be an integer from 1 to 100"}),
        ("?verdict=MEH", {"verdict": "must be one of HOWL, WAG, GROWL, BARK (any case)"}),
        (
            "?reality=MOON&limit=-1",
            {
                "reality": "must be one of CODE, SOLANA, MARKET, SOCIAL, HUMAN, CYNIC, COSMOS (any case)",
                "limit": "must be an integer from 1 to 100",
            },
        ),
        ("?cursor=not-a-cursor", {"cursor": "must be the next_cursor of an earlier page"}),
        ("?cursor=%25%25", {"cursor": "must be the next_cursor of an earlier page"}),
        ("?cursor=" + "A" * 129, {"cursor": "must be the next_cursor of an earlier page"}),
        ("?verdcit=BARK", {"verdcit": "unknown field"}),
        ("?verdict=BARK&verdict=WAG", {"verdict": "must be given once"}),
    ],
)
def test_each_bad_query_parameter_is_named_in_a_422(client, query, fields):
    answer = client.get(f"/judge{query}")
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed" and error["details"]["fields"] == fields


@pytest.mark.parametrize(
    "text",
    [
        "MTIzLmFiYw",  # "123.abc": not an id
        "OTk5OTk5OTk5OTk5OTk5OTk5LjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA",  # year > 9999
        "Kg",  # "*"
        "A",  # not base64 at all
    ],
)
def test_a_forged_cursor_is_a_422_not_a_500(client, text):
    answer = client.get(f"/judge?cursor={text}")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"]["fields"] == {
        "cursor": "must be the next_cursor of an earlier page"
    }


def test_a_cursor_reads_back_as_the_position_it_was_made_of(client):
    stored = [store(client, f"z = {i}\n") for i in range(2)]
    page = listed(client, "?limit=1")
    position = parse_cursor(page["next_cursor"])
    assert position.judgment_id == stored[1]["judgment_id"]
    assert position.created_at.isoformat() == stored[1]["created_at"]
    assert cursor(Position(position.created_at, position.judgment_id)) == page["next_cursor"]


@pytest.fixture
def secured(config):
    def build(protect_reads: bool):
        settings = config.with_overrides(api_token="list-token", protect_reads=protect_reads)
        return apps.enter_context(serving(settings)).test_client()

    with ExitStack() as apps:
        yield build


def test_the_list_needs_the_token_when_reads_are_protected(secured):
    client = secured(protect_reads=True)
    assert client.get("/judge").status_code == 401
    answer = client.get("/judge", headers={"Authorization": "Bearer list-token"})
    assert answer.status_code == 200 and answer.get_json()["items"] == []


def test_the_list_is_open_when_only_writes_are_protected(secured):
    assert secured(protect_reads=False).get("/judge").status_code == 200
