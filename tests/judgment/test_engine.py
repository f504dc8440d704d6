import math

import pytest

from cynic_app.judgment import MAX_CONFIDENCE, Cell, Judgment, Memory, judge
from cynic_app.judgment.consensus import quorum, residual_variance
from cynic_app.judgment.dogs import LEVELS
from cynic_app.judgment.memory import Recollection
from cynic_app.judgment.phi import verdict_for

CLEAN = 'def add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n'


def test_verdict_bands_at_their_boundaries():
    assert [verdict_for(q) for q in (82, 81.999, 61.8, 61.79, 38.2, 38.19)] == [
        "HOWL",
        "WAG",
        "WAG",
        "GROWL",
        "GROWL",
        "BARK",
    ]


@pytest.mark.parametrize("level", list(LEVELS))
def test_each_level_runs_its_pack_and_keeps_the_judgment_invariants(level):
    for content in (CLEAN, "x = eval(input())\n", "just some words about a meeting"):
        j = judge(Cell.create(content=content), level=level)
        assert set(j.dog_votes) == set(LEVELS[level])
        assert j.confidence <= MAX_CONFIDENCE and j.verdict == verdict_for(j.q_score)
        assert not j.vetoed_by or j.verdict == "BARK"


@pytest.mark.parametrize(("n", "expected"), [(1, 1), (3, 3), (4, 3), (6, 3), (7, 5), (11, 7)])
def test_quorum(n, expected):
    assert quorum(n) == expected


@pytest.mark.parametrize(
    ("budget", "consciousness", "level"),
    [
        (0.001, 6, "REFLEX"),
        (0.01, 6, "MICRO"),
        (0.04, 0, "MICRO"),
        (0.05, 1, "REFLEX"),
        (0.05, 3, "MICRO"),
        (0.05, 4, "MACRO"),
    ],
)
def test_automatic_level(budget, consciousness, level):
    cell = Cell.create(content=CLEAN, budget_usd=budget, consciousness=consciousness)
    j = judge(cell)
    assert j.level_used == level
    assert set(j.dog_votes) == set(LEVELS[level])


def test_an_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown level 'GIGA'"):
        judge(Cell.create(content=CLEAN), level="GIGA")


def test_clean_code_scores_well_and_reaches_consensus():
    j = judge(Cell.create(content=CLEAN), level="MACRO")
    assert j.consensus_reached
    assert j.verdict in ("HOWL", "WAG")
    assert set(j.axiom_scores) == {"FIDELITY", "PHI", "VERIFY", "CULTURE", "BURN"}
    assert j.cost_usd == 0 and j.llm_calls == 0


def test_guardian_veto_forces_bark_with_reasons():
    j = judge(Cell.create(content="x = eval(input())\n"), level="REFLEX")
    assert j.vetoed_by == ["GUARDIAN"]
    assert not j.consensus_reached
    assert j.verdict == "BARK"
    assert any("eval" in r for r in j.dog_reasons["GUARDIAN"])


def test_syntax_error_scores_low_with_high_confidence():
    j = judge(Cell.create(content="def broken(:\n    return 1\n"), level="REFLEX")
    assert j.dog_votes["ANALYST"] <= 20


def test_residual_variance_is_normalised_to_unit_range():
    assert residual_variance([0, 100]) == 1.0
    assert residual_variance([50, 50, 50]) == 0.0


def test_oracle_learns_from_memory():
    cell = Cell.create(content=CLEAN, analysis="JUDGE", time_dim="PRESENT")
    past = [
        judge(Cell.create(content="x = eval(input())", analysis="JUDGE", time_dim="PRESENT"))
        for _ in range(8)
    ]
    cold = judge(cell, level="REFLEX")
    warm = judge(cell, level="REFLEX", memory=Memory.from_judgments(past))
    assert cold.dog_votes["ORACLE"] == 50.0
    assert warm.dog_votes["ORACLE"] < 30.0
    assert warm.dog_reasons["ORACLE"][0].startswith("8 past judgments")


@pytest.mark.parametrize("q_scores", [(1e308, 1e308), (math.inf, -math.inf)])
def test_another_state_keys_history_is_never_read(q_scores):
    """ORACLE reads the history of the cell's state key only: recollections of another key
    whose mean cannot be taken (a sum past the largest float, inf and -inf) change nothing.
    Found by a review of 6603e71, which averaged every key's history at once."""
    cell = Cell.create(content="x = 1", context="t", timestamp=0.0, cell_id="c")
    assert cell.state_key == "CODE:JUDGE:PRESENT:1"
    odd = Memory(tuple(Recollection("TEXT:JUDGE:PRESENT:1", q, True, "zzz") for q in q_scores))
    plain = Memory(tuple(Recollection("TEXT:JUDGE:PRESENT:1", 50.0, True, "zzz") for _ in q_scores))
    for level in (None, "MICRO", "MACRO"):
        got = judge(cell, level=level, memory=odd, judgment_id="j").to_dict()
        expected = judge(cell, level=level, memory=plain, judgment_id="j").to_dict()
        assert {**got, "duration_ms": 0} == {**expected, "duration_ms": 0}


def test_scholar_finds_similar_content():
    past = [judge(Cell.create(content=CLEAN + f"\n# variant {i}\n")) for i in range(3)]
    j = judge(Cell.create(content=CLEAN), level="MICRO", memory=Memory.from_judgments(past))
    assert "similar past judgments" in j.dog_reasons["SCHOLAR"][0]


def test_round_trip_is_exact():
    j = judge(Cell.create(content=CLEAN, context="ctx"), level="MACRO")
    assert Judgment.from_dict(j.to_dict()) == j
    assert Judgment.from_dict(j.to_dict()).to_dict() == j.to_dict()


def test_text_content_is_judged_too():
    j = judge(
        Cell.create(
            content="The market will grow next year, see https://example.org/report", reality="MARKET"
        ),
        level="MACRO",
    )
    assert 0 <= j.q_score <= 100
    assert j.cell.time_dim == "FUTURE"
    assert j.confidence <= MAX_CONFIDENCE


FLAWED_PAST = [
    "def f(x):\n    try:\n        return eval(x)\n    except:\n        pass\n",
    "import os\n\ndef run(cmd):\n    os.system('ls ' + cmd)\n",
    "def hello(): pass\n",
]


@pytest.mark.parametrize("level", ["REFLEX", "MICRO", "MACRO"])
@pytest.mark.parametrize("content", [CLEAN, "def hello(): pass\n", "x = eval(input())\n"])
def test_a_judgment_is_the_same_whatever_the_node_stored_before(content, level):
    """Issue 19 (repeatable): a clean function was WAG 80.6 on a fresh node and GROWL 59.8 after
    twelve flawed judgments were stored; a stub's confidence moved from 0.3205 to 0.2923 when
    it was stored twice. Memory may add reasons, never move a verdict, q_score or confidence."""
    cell = Cell.create(content=content, analysis="JUDGE", time_dim="PRESENT")
    cold = judge(cell, level=level)
    past = [
        judge(Cell.create(content=text, analysis="JUDGE", time_dim="PRESENT"), level=level)
        for text in FLAWED_PAST * 4
    ] + [judge(cell, level=level) for _ in range(2)]
    warm = judge(cell, level=level, memory=Memory.from_judgments(past))
    assert (warm.verdict, warm.q_score, warm.confidence) == (cold.verdict, cold.q_score, cold.confidence)
    assert warm.axiom_scores == cold.axiom_scores and warm.findings == cold.findings


@pytest.mark.parametrize("content", ["", "\n", "   \n\t"])
def test_an_empty_file_is_judged_like_any_other(content):
    j = judge(Cell.create(content=content, context="file: pkg/__init__.py"))
    assert j.verdict in ("HOWL", "WAG") and j.findings == []


def test_content_past_the_engines_limit_is_judged_on_its_first_part_and_says_so():
    from cynic_app.judgment.engine import JUDGED_CHARS

    shape = '\n\nclass Shape{i}:\n    """A shape."""\n\n    def area(self) -> float:\n        return {i}.0\n'
    block = "".join(shape.format(i=i) for i in range(4000))
    assert len(block) > 2 * JUDGED_CHARS
    j = judge(Cell.create(content=block, context="file: shapes.py"))
    (cut,) = [f for f in j.findings if f["rule"] == "truncated"]
    assert f"of {len(block):,} characters" in cut["message"]
    assert not [f for f in j.findings if f["rule"] == "syntax-error"]  # cut before a statement: it parses
    assert j.language == "python" and j.verdict in ("HOWL", "WAG")
    assert j.cell.content == block  # judged on its first part, kept whole


def test_lone_surrogates_in_string_literals_are_read_not_a_crash():
    """Schemathesis found a 500: legacy data perceived as JSON text with escaped surrogates (a
    Python dict literal whose strings hold lone surrogates, which RE2's UTF-8 cannot encode)."""
    content = '{"\\udb88\\udf67key": "pB\\uda77", "password": "\\udb88hunter2x"}\n'
    j = judge(Cell.create(content=content))
    assert j.language == "python" and j.verdict in ("HOWL", "WAG", "GROWL", "BARK")


def test_a_todo_comment_does_not_explain_a_swallowed_error():
    body = "def f(path):\n    try:\n        work(path)\n    except Exception:\n        pass  # TODO: retry\n"
    assert [f["rule"] for f in judge(Cell.create(content=body)).findings if f["kind"] == "defect"] == [
        "swallowed-error"
    ]
