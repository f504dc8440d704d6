"""Properties the engine keeps for any input (hypothesis)."""

import ast
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cynic_app.judgment import MAX_CONFIDENCE, REALITIES, Cell, Judgment, judge, verdict_for
from cynic_app.judgment.cell import CANONICAL_ANALYSES, TIME_DIMS, state_key_of

CORPUS = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*/*.py"))
SNIPPETS = [p.read_text() for p in CORPUS]
LEVELS = st.sampled_from([None, "REFLEX", "MICRO", "MACRO"])
FLAWS = st.sampled_from(
    [
        'API_KEY = "sk_live_9f8e7d6c5b4a39281706"\n',
        'DB_PASSWORD = "s3cr3t-Pa55word"\n',
        "result = eval(input())\n",
    ]
)
# Storable text: NUL and unpaired surrogates are rejected by Cell validation (tested elsewhere).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=400)
content = st.one_of(st.sampled_from(SNIPPETS), TEXT.filter(str.strip))
cells = st.builds(
    lambda text, reality, lod, budget: Cell.create(content=text, reality=reality, lod=lod, budget_usd=budget),
    content,
    st.sampled_from(REALITIES),
    st.integers(0, 3),
    st.floats(0, 1, allow_nan=False),
)
SETTINGS = settings(
    max_examples=int(os.environ.get("CYNIC_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(cells, LEVELS)
def test_verdict_agrees_with_q_and_confidence_is_capped(cell, level):
    j = judge(cell, level=level)
    assert 0 <= j.q_score <= 100
    assert j.verdict == verdict_for(j.q_score)
    assert 0 <= j.confidence <= MAX_CONFIDENCE
    assert all(0 <= v <= 100 for v in j.dog_votes.values())
    assert all(0 <= v <= 100 for v in j.axiom_scores.values())
    assert 0 <= j.residual_variance <= 1
    if j.vetoed_by:
        assert j.verdict == "BARK"


@SETTINGS
@given(cells, LEVELS)
def test_deterministic_without_memory(cell, level):
    a, b = judge(cell, level=level).to_dict(), judge(cell, level=level).to_dict()
    for volatile in ("judgment_id", "duration_ms"):
        a.pop(volatile), b.pop(volatile)
    assert a == b


@SETTINGS
@given(cells, LEVELS)
def test_to_dict_round_trips(cell, level):
    j = judge(cell, level=level)
    assert Judgment.from_dict(j.to_dict()) == j


def top_level_starts(text: str) -> list[int]:
    """0-based lines where a top-level statement (or its first decorator) starts, and the end."""
    starts = [
        min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]) - 1
        for s in ast.parse(text).body
    ]
    return [*starts, text.count("\n")]


@SETTINGS
@given(st.sampled_from(SNIPPETS), FLAWS, st.data(), LEVELS)
def test_adding_a_secret_or_eval_never_raises_q(snippet, flaw, data, level):
    snippet = snippet if snippet.endswith("\n") else snippet + "\n"
    lines = snippet.splitlines(keepends=True)
    # Only insert between top-level statements: inside a bracket a line can become an argument.
    at = data.draw(st.sampled_from(top_level_starts(snippet)))
    flawed = "".join(lines[:at]) + flaw + "".join(lines[at:])
    before = judge(Cell.create(content=snippet), level=level).q_score
    after = judge(Cell.create(content=flawed), level=level).q_score
    assert after <= before


@given(st.frozensets(st.text(max_size=3)), st.frozensets(st.text(max_size=3)))
def test_scholar_similarity_is_the_jaccard_index(a, b):
    from cynic_app.judgment.dogs.scholar import jaccard

    assert jaccard(a, b) == (len(a & b) / len(a | b) if a or b else 0.0)


# Few distinct words, so that contents share tokens and tie often.
_WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta", "x1"])
_CONTENTS = st.lists(_WORDS, max_size=6).map(" ".join)


@given(
    st.lists(_CONTENTS, max_size=30),
    _CONTENTS,
    st.lists(st.floats(0, 100), min_size=30, max_size=30),
)
def test_scholar_nearest_is_the_jaccard_ranking_of_the_memory(contents, mine, q_scores):
    """nearest() counts intersections set by set; it ranks like sorting every recollection by
    its Jaccard index (most similar first, ties in the memory's order) and keeping five."""
    from cynic_app.judgment.dogs.scholar import NEIGHBOURS, jaccard, nearest
    from cynic_app.judgment.memory import Memory, Recollection, tokens

    key = "CODE:JUDGE:PRESENT:1"
    recollections = [Recollection(key, q, True, c) for c, q in zip(contents, q_scores, strict=False)]
    scored = [(jaccard(tokens(mine), r.tokens), r.q_score) for r in recollections]
    reference = sorted(scored, key=lambda t: -t[0])
    assert nearest(tokens(mine), Memory(tuple(recollections))) == reference[:NEIGHBOURS]


_KEYS = st.sampled_from(["A:B:C:1", "A:B:C:2", "X:Y:Z:1"])


@given(st.lists(st.tuples(_KEYS, st.floats(0, 100), st.booleans())))
def test_memory_summaries_are_those_of_its_recollections(items):
    """What Memory computes once (by state key, the consensus share) is what a scan finds."""
    from cynic_app.judgment.memory import Memory, Recollection

    memory = Memory(tuple(Recollection(key, q, reached, "") for key, q, reached in items))
    for key in ("A:B:C:1", "A:B:C:2", "X:Y:Z:1", "none"):
        assert memory.with_state_key(key) == [r for r in memory.items if r.state_key == key]
    if items:
        assert memory.consensus_share == sum(r.consensus_reached for r in memory.items) / len(items)


@given(
    st.sampled_from(sorted(REALITIES)),
    st.sampled_from(CANONICAL_ANALYSES),
    st.sampled_from(TIME_DIMS),
    st.integers(0, 5),
)
def test_a_cells_state_key_is_the_one_its_stored_form_gives(reality, analysis, time_dim, lod):
    cell = Cell.create(content="x = 1", reality=reality, analysis=analysis, time_dim=time_dim, lod=lod)
    assert cell.state_key == state_key_of(cell.to_dict())
    assert Cell.from_dict(cell.to_dict()) == cell


def test_a_subclass_keeps_its_own_fields_in_to_dict():
    """to_dict reads the fields of the object's own class (a subclass adds fields; as
    dataclasses.asdict did before the names were cached)."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class TaggedCell(Cell):
        tag: str = "t"

    @dataclass(frozen=True)
    class SignedJudgment(Judgment):
        signature: str = "sig"

    cell = TaggedCell(content="x = 1\n", cell_id="c", timestamp=1.0)
    assert cell.to_dict()["tag"] == "t"
    j = judge(cell, judgment_id="j")
    assert j.to_dict()["cell"]["tag"] == "t"
    signed = SignedJudgment(**{name: getattr(j, name) for name in j.__dataclass_fields__})
    assert signed.to_dict()["signature"] == "sig"


def test_a_memory_cannot_be_changed_under_what_it_computed():
    """Memory caches what the dogs read of it, so its recollections cannot be replaced."""
    import pytest

    from cynic_app.judgment.memory import Memory, Recollection

    memory = Memory((Recollection("CODE:JUDGE:PRESENT:1", 10.0, False, "alpha beta"),))
    assert len(memory.with_state_key("CODE:JUDGE:PRESENT:1")) == 1
    with pytest.raises(AttributeError):
        memory.items = ()


# Cue words, their neighbours in ASCII and beyond it, characters whose lower case is ASCII
# (KELVIN SIGN) or longer (İ), a lone surrogate, separators.
_CUE_TEXT = st.lists(
    st.sampled_from(["was", "will", "plan", "cycle", "trend", "novel", "beyond", "WAS", "Will", "x", "_"])
    | st.sampled_from([" ", "\n", "-", "é", "\u212a", "\u0130", "\udb88", "\u00df", "wasé", "plan_"])
    | st.text(max_size=4),
    max_size=25,
).map("".join)


@given(st.sampled_from(CANONICAL_ANALYSES), _CUE_TEXT, _CUE_TEXT)
def test_time_dim_counts_the_cue_words_among_the_runs_of_letters(analysis, content, context):
    """infer_time_dim reads the text in C; it finds what counting every run of a-z of the lower-cased
    text in Python finds (the code before it)."""
    import re

    from cynic_app.judgment.cell import _TIME_CUES, infer_time_dim

    counts = dict.fromkeys(_TIME_CUES, 0)
    for word in re.findall("[a-z]+", f"{content}\n{context}".lower()):
        for dim, cues in _TIME_CUES.items():
            counts[dim] += word in cues
    best = max(counts.values())
    expected = "PRESENT" if best == 0 else next(d for d, n in counts.items() if n == best)
    if analysis == "EMERGE":
        expected = "TRANSCENDENCE"
    assert infer_time_dim(analysis, content, context) == expected


@given(
    st.lists(
        st.sampled_from(
            ["A", "Z", "a", "z", "@", "[", "`", "{", "_", "9", " ", "LOUD ", "quiet ", "é", "É", "\u0660"]
        )
        | st.text(max_size=3),
        max_size=40,
    ).map("".join)
)
def test_letters_are_counted_as_the_unicode_classes_count_them(text):
    """letter_counts counts an ASCII text's letters in C; it counts what the regexes leave."""
    import re

    from cynic_app.judgment.source import letter_counts

    assert letter_counts(text) == (len(re.sub(r"[\W\d_]+", "", text)), len(re.sub("[^A-Z]+", "", text)))


# Lines as the findings number them (cynic judge's third review: a lone \r, a form feed, \x85 or
# U+2028 above a finding gave Source another line than the parser's, so a `# nosec` one line
# below a hole suppressed it, and deep-indentation or long-lines pointed at the wrong line).
LINE_TEXT = st.text(st.sampled_from(["a", " ", "#", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]))


def _plain_lines(text: str, python: bool) -> list[str]:
    """The plain computation: Python's universal newlines, else \\n alone (a \\r before it dropped)."""
    if python:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" and text.endswith("\n") else lines


@given(LINE_TEXT, st.sampled_from(["file: a.py", "file: a.js", "file: a.sh", "notes"]))
def test_source_lines_are_the_lines_the_findings_number(text, context):
    from cynic_app.judgment.source import PYTHON, Source

    src = Source(text, context)
    python = src.language == PYTHON
    assert src.lines == (_plain_lines(text, python) or [""])
    assert [src.line_text(n) for n in range(1, len(src.lines) + 1)] == src.lines
    if python and src.tree is not None:  # the parser's own count of the lines
        assert all(getattr(node, "lineno", 1) <= len(src.lines) for node in ast.walk(src.tree))
