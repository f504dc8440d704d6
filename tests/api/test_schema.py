"""The request models: every rule of a write request, and the reasons a 422 gives."""

from __future__ import annotations

import pytest

from cynic_app.api.errors import ApiError
from cynic_app.api.schema import MAX_LISTED_UNKNOWN, JudgeRequest, PerceiveRequest, parse


def bad_fields(model, body, *, limit=100_000) -> dict[str, str]:
    with pytest.raises(ApiError) as err:
        parse(model, body, max_content_chars=limit)
    assert (err.value.status, err.value.code) == (422, "validation_failed")
    return err.value.details["fields"]


def test_enums_accept_any_case_and_come_out_upper_cased():
    request = parse(
        JudgeRequest,
        {"content": "x", "reality": "code", "analysis": "quality", "time_dim": "past", "level": "macro"},
        max_content_chars=10,
    )
    cell = request.cell()
    assert (cell.reality, cell.analysis, cell.time_dim, request.level) == ("CODE", "QUALITY", "PAST", "MACRO")


def test_every_bad_field_is_named_at_once():
    fields = bad_fields(
        JudgeRequest,
        {"content": "x\x00", "reality": "MOON", "analysis": "9bad", "lod": 7, "budget_usd": -1, "extra": 1},
    )
    assert fields == {
        "content": "must not contain NUL characters",
        "reality": "must be one of CODE, SOLANA, MARKET, SOCIAL, HUMAN, CYNIC, COSMOS (any case)",
        "analysis": "must be an identifier matching [A-Z][A-Z0-9_]{0,31} (any case)",
        "lod": "must be an integer from 0 to 3",
        "budget_usd": "must be a finite number from 0 to 1000000",
        "extra": "unknown field",
    }


def test_content_is_required_and_bounded_by_the_nodes_limit():
    assert bad_fields(JudgeRequest, {"reality": "CODE"}) == {"content": "is required"}
    assert bad_fields(JudgeRequest, {"content": None}) == {"content": "is required"}
    assert bad_fields(JudgeRequest, {"content": "x" * 11}, limit=10) == {
        "content": "must be at most 10 characters"
    }
    assert parse(JudgeRequest, {"content": "x" * 10}, max_content_chars=10).content == "x" * 10


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u3000\u00a0", "\ufeff"])
def test_blank_content_is_judged_like_any_file(blank):
    """Issue 19: an empty __init__.py is a file to judge, not a 422."""
    assert parse(JudgeRequest, {"content": blank}, max_content_chars=10).content == blank


@pytest.mark.parametrize("value", [True, 1.5, "1", [], -1, 4])
def test_lod_must_be_a_plain_integer(value):
    assert bad_fields(JudgeRequest, {"content": "x", "lod": value}) == {
        "lod": "must be an integer from 0 to 3"
    }


def test_an_integral_float_is_an_integer():
    assert parse(JudgeRequest, {"content": "x", "lod": 2.0}, max_content_chars=10).lod == 2


def test_cell_id_must_be_uuid4_and_is_lower_cased():
    assert bad_fields(JudgeRequest, {"content": "x", "cell_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}) == {
        "cell_id": "must be a version-4 UUID (8-4-4-4-12 hex digits)"
    }
    upper = "6BA7B810-9DAD-41D1-80B4-00C04FD430C8"
    assert (
        parse(JudgeRequest, {"content": "x", "cell_id": upper}, max_content_chars=10).cell().cell_id
        == upper.lower()
    )


@pytest.mark.parametrize(
    ("field", "value"), [("budget_usd", float("inf")), ("budget_usd", True), ("timestamp", -1)]
)
def test_numbers_are_finite_and_in_range(field, value):
    assert set(bad_fields(JudgeRequest, {"content": "x", field: value})) == {field}


def test_text_postgres_cannot_store_is_rejected():
    assert bad_fields(JudgeRequest, {"content": "nul\x00byte", "context": "lone \ud800 surrogate"}) == {
        "content": "must not contain NUL characters",
        "context": "must be valid Unicode (no unpaired surrogates)",
    }


def test_context_is_bounded():
    assert bad_fields(JudgeRequest, {"content": "x", "context": "c" * 10_001}) == {
        "context": "must be at most 10000 characters"
    }


def test_a_perception_takes_its_defaults_and_legacy_data():
    p = parse(
        PerceiveRequest, {"source": " sensor ", "data": {"b": 2, "a": 1}}, max_content_chars=100
    ).perception()
    assert (p.source, p.run_judgment, p.level) == ("sensor", True, "REFLEX")
    assert (p.cell.content, p.cell.reality, p.cell.analysis, p.cell.lod) == (
        '{"a": 1, "b": 2}',
        "CYNIC",
        "PERCEIVE",
        0,
    )
    assert (
        parse(PerceiveRequest, {"source": "s", "content": "x", "reality": ""}, max_content_chars=9)
        .perception()
        .cell.reality
        == "CYNIC"
    )


def test_a_bad_perception_names_every_field():
    fields = bad_fields(PerceiveRequest, {"source": " ", "run_judgment": "yes", "level": "GIGA", "bogus": 1})
    assert fields == {
        "source": "must not be empty",
        "run_judgment": "must be true or false",
        "level": "must be one of REFLEX, MICRO, MACRO (any case)",
        "bogus": "unknown field",
    }
    assert bad_fields(PerceiveRequest, {"source": "s"}) == {"content": "is required"}
    assert bad_fields(PerceiveRequest, {"source": "s" * 257, "content": "x"}) == {
        "source": "must be at most 256 characters"
    }


def test_a_body_of_many_unknown_fields_gets_a_short_answer_built_from_a_few():
    """90,000 unknown keys gave a 2.2 MB 422 and a 125 MiB peak: one error built per key."""
    import json
    import tracemalloc

    body = {"content": "x\x00", **{f"k{i}": i for i in range(90_000)}}
    tracemalloc.start()
    try:
        with pytest.raises(ApiError) as err:
            parse(JudgeRequest, body, max_content_chars=100)
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    details = err.value.details
    unknown = [name for name, reason in details["fields"].items() if reason == "unknown field"]
    assert unknown == [f"k{i}" for i in range(MAX_LISTED_UNKNOWN)]
    assert details["fields"]["content"] == "must not contain NUL characters"  # known fields still checked
    assert details["unknown_fields"] == 90_000
    assert len(json.dumps(details)) < 4096
    assert peak_bytes < 4 * 1024 * 1024, peak_bytes


def test_a_few_unknown_fields_are_all_named():
    details_fields = bad_fields(PerceiveRequest, {"source": "s", "content": "c", "a": 1, "b": 2})
    assert details_fields == {"a": "unknown field", "b": "unknown field"}
