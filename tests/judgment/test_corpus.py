"""The engine must tell clean code from flawed code (the system it replaces could not)."""

import json
from pathlib import Path

import pytest

from cynic_app.judgment import Cell, judge

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text())
SNIPPETS = sorted(CORPUS.glob("*/*.py"))


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_corpus_is_big_and_balanced():
    clean = [p for p in SNIPPETS if p.parent.name == "clean"]
    flawed = [p for p in SNIPPETS if p.parent.name == "flawed"]
    assert len(clean) >= 20 and len(flawed) >= 20
    assert {f"flawed/{p.name}" for p in flawed} == {k for k in LABELS if not k.startswith("_")}


@pytest.mark.parametrize("level", [None, "REFLEX", "MACRO"])
def test_auc_separates_clean_from_flawed(level):
    scores = {p: judge(Cell.create(content=p.read_text()), level=level).q_score for p in SNIPPETS}
    clean = [q for p, q in scores.items() if p.parent.name == "clean"]
    flawed = [q for p, q in scores.items() if p.parent.name == "flawed"]
    auc = roc_auc(clean, flawed)
    print(f"ROC AUC at level {level or 'auto'}: {auc:.3f}")
    assert auc >= 0.9


@pytest.mark.parametrize("name", [k for k, v in LABELS.items() if isinstance(v, dict) and v["security"]])
@pytest.mark.parametrize("level", [None, "REFLEX", "MICRO", "MACRO"])
def test_security_flaws_growl_or_bark(name, level):
    j = judge(Cell.create(content=(CORPUS / name).read_text()), level=level)
    assert j.verdict in ("GROWL", "BARK"), (name, j.q_score, j.dog_reasons)
