import pytest

from cynic_app.judgment import Cell
from cynic_app.judgment.cell import infer_time_dim


def test_defaults():
    cell = Cell.create(content="x = 1", analysis="QUALITY", lod=None)  # None: the default
    assert (cell.reality, cell.analysis, cell.lod, cell.consciousness) == ("CODE", "QUALITY", 1, 0)
    assert cell.budget_usd == 0.01
    assert cell.state_key == f"CODE:QUALITY:{cell.time_dim}:1"


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
    assert Cell.create(content="we will plan", time_dim="PAST").time_dim == "PAST"


def test_round_trip():
    cell = Cell.create(content="hello", context="ctx", lod=3, consciousness=6, budget_usd=0.5)
    assert Cell.from_dict(cell.to_dict()) == cell
