import pytest

from cynic_app.judgment import Cell, InvalidCell
from cynic_app.judgment.cell import infer_time_dim


def test_defaults_and_uppercasing():
    cell = Cell.create(content="x = 1", reality="code", analysis="quality")
    assert (cell.reality, cell.analysis, cell.lod, cell.consciousness) == ("CODE", "QUALITY", 1, 0)
    assert cell.budget_usd == 0.01
    assert cell.state_key() == f"CODE:QUALITY:{cell.time_dim}:1"


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidCell) as err:
        Cell.create(content="", reality="MOON", analysis="9bad", lod=7, budget_usd=-1, extra=1)
    assert set(err.value.errors) == {"content", "reality", "analysis", "lod", "budget_usd", "extra"}


def test_content_is_required_and_bounded():
    with pytest.raises(InvalidCell) as err:
        Cell.create(reality="CODE")
    assert "content" in err.value.errors
    with pytest.raises(InvalidCell):
        Cell.create(content="x" * 11, max_content_chars=10)


@pytest.mark.parametrize("value", [True, 1.5, "1", [], -1, 4])
def test_lod_must_be_a_plain_integer(value):
    with pytest.raises(InvalidCell) as err:
        Cell.create(content="x", lod=value)
    assert "lod" in err.value.errors


def test_cell_id_must_be_uuid4():
    with pytest.raises(InvalidCell) as err:
        Cell.create(content="x", cell_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8")  # v1
    assert err.value.errors == {"cell_id": "must be a version-4 UUID (8-4-4-4-12 hex digits)"}


@pytest.mark.parametrize(
    ("analysis", "text", "expected"),
    [
        ("EMERGE", "anything", "TRANSCENDENCE"),
        ("JUDGE", "def f(): return 1", "PRESENT"),
        ("JUDGE", "the roadmap: we will ship next quarter", "FUTURE"),
        ("JUDGE", "the legacy system was slow; history shows", "PAST"),
        ("JUDGE", "a steady growth trend with rising momentum", "TREND"),
        ("JUDGE", "weekly cron jobs in a recurring cycle", "CYCLE"),
        ("JUDGE", "a novel, unexpected anomaly", "EMERGENCE"),
    ],
)
def test_time_dim_is_inferred_from_keywords(analysis, text, expected):
    assert infer_time_dim(analysis, text, "") == expected
    assert Cell.create(content=text, analysis=analysis).time_dim == expected


def test_explicit_time_dim_wins():
    assert Cell.create(content="we will plan", time_dim="past").time_dim == "PAST"


def test_round_trip():
    cell = Cell.create(content="hello", context="ctx", lod=3, consciousness=6, budget_usd=0.5)
    assert Cell.from_dict(cell.to_dict()) == cell


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"])
def test_text_postgres_cannot_store_is_rejected(text):
    with pytest.raises(InvalidCell) as err:
        Cell.create(content=text, context=text)
    assert set(err.value.errors) == {"content", "context"}
