"""Issue 13: a judge a security reviewer would trust, measured on the labelled corpus.

No flawed snippet HOWLs or WAGs; every security hole BARKs; at most 1 in 20 clean snippets
falls below WAG; ROC AUC of q_score ≥ 0.95 — at every level. Labels: tests/corpus/labels.json.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.rules import RULES

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
LABELS = {k: v for k, v in json.loads((CORPUS / "labels.json").read_text()).items() if not k.startswith("_")}
LEVELS = [None, "REFLEX", "MICRO", "MACRO"]
SECURITY = sorted(k for k, v in LABELS.items() if v["security"])
FLAWED = sorted(k for k, v in LABELS.items() if v["flawed"])
CLEAN = sorted(k for k, v in LABELS.items() if not v["flawed"])


@cache
def judged(name: str, level: str | None):
    return judge(Cell.create(content=(CORPUS / name).read_text()), level=level)


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_corpus_has_200_labelled_snippets_in_12_categories():
    files = {f"{p.parent.name}/{p.name}" for p in CORPUS.glob("*/*") if p.name != "labels.json"}
    assert files == set(LABELS)
    assert len(LABELS) >= 200
    flawed_categories = Counter(v["category"] for v in LABELS.values() if v["flawed"])
    clean_categories = Counter(v["category"] for v in LABELS.values() if not v["flawed"])
    assert len(flawed_categories) >= 12
    assert len(flawed_categories.keys() & clean_categories.keys()) >= 12  # clean counterparts
    assert {v["language"] for v in LABELS.values()} == {"python", "javascript", "typescript", "shell"}
    for name, label in LABELS.items():
        assert label["flawed"] == name.startswith("flawed/"), name
        assert not label["security"] or label["flawed"], name


@pytest.mark.parametrize("name", sorted(LABELS))
def test_language_is_detected_as_labelled(name):
    assert judged(name, None).language == LABELS[name]["language"]


@pytest.mark.parametrize("level", LEVELS)
def test_q_score_separates_clean_from_flawed_with_auc_at_least_0_95(level):
    auc = roc_auc([judged(n, level).q_score for n in CLEAN], [judged(n, level).q_score for n in FLAWED])
    print(f"ROC AUC at level {level or 'auto'}: {auc:.4f}")
    assert auc >= 0.95


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", SECURITY)
def test_every_security_hole_barks(name, level):
    j = judged(name, level)
    assert j.verdict == "BARK", (j.q_score, j.dog_reasons)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", FLAWED)
def test_no_flawed_snippet_howls_or_wags(name, level):
    j = judged(name, level)
    assert j.verdict in ("GROWL", "BARK"), (j.q_score, j.dog_reasons)


@pytest.mark.parametrize("level", LEVELS)
def test_at_most_one_in_twenty_clean_snippets_falls_below_wag(level):
    low = [n for n in CLEAN if judged(n, level).verdict in ("GROWL", "BARK")]
    assert len(low) * 20 <= len(CLEAN), low


@pytest.mark.parametrize("name", sorted(LABELS))
def test_a_bark_or_growl_is_explained_by_a_finding_on_a_line(name):
    j = judged(name, None)
    for f in j.findings:
        assert {
            "dog",
            "rule",
            "severity",
            "line",
            "message",
            "cwe",
            "confidence",
            "column",
            "suppressed",
        } <= set(f)
        assert f["rule"] in RULES and f["dog"] in j.dog_votes
        assert f["cwe"] == RULES[f["rule"]].cwe > 0 and 0 < f["confidence"] <= 1
        assert 0 <= f["line"] <= j.cell.content.count("\n") + 1
    if j.verdict in ("GROWL", "BARK"):
        grave = [f for f in j.findings if RULES[f["rule"]][0] in ("security", "defect")]
        assert grave, j.findings
        assert any(r.startswith(f"line {grave[0]['line']}: ") for rs in j.dog_reasons.values() for r in rs)


@pytest.mark.parametrize("name", SECURITY)
def test_security_holes_are_found_by_a_security_rule(name):
    assert any(
        RULES[f["rule"]][0] == "security" and f["dog"] == "GUARDIAN" for f in judged(name, None).findings
    )
