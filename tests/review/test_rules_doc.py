"""docs/rules.md: generated from the rule table, one documented entry and anchor per rule, and
examples that show what they say."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.ruledocs import RULE_DOCS
from cynic_app.judgment.rules import RULES, Rule
from cynic_app.judgment.vote import SMELL
from cynic_app.review.rulesdoc import markdown, rule_url, undocumented
from tests.support.harness import ROOT

EXTENSION = {"python": "py", "javascript": "js", "typescript": "ts", "shell": "sh", "text": "txt"}
#: Rules whose bad example only sketches what fires: the real thing is too long to read (a
#: function of 50 lines, 40 top-level statements, an expression hundreds of levels deep, a file
#: over the judge's limit), or no check of this judge emits the rule yet.
SKETCHED = frozenset({"long-function", "import-time-work", "deep-expression", "many-bindings", "truncated"})
#: Fixed examples the judge still flags, each a false positive reported to the judge's owner.
STILL_FLAGGED: dict[str, str] = {}


def test_docs_rules_md_is_what_the_table_generates():
    assert (ROOT / "docs" / "rules.md").read_text() == markdown(), (
        "docs/rules.md is stale: run scripts/rules-doc"
    )


def test_every_rule_is_documented_and_nothing_else():
    assert undocumented() == []
    for rule_id, doc in RULE_DOCS.items():
        assert doc.what and doc.why and doc.bad.strip() and doc.good.strip(), rule_id
        assert doc.language in EXTENSION, rule_id


def test_a_rule_added_without_documentation_fails_the_generation(monkeypatch):
    monkeypatch.setitem(RULES, "brand-new-rule", Rule(SMELL, 0.1, 1006, "A rule nobody documented"))
    assert undocumented() == ["brand-new-rule"]
    with pytest.raises(KeyError, match="brand-new-rule"):
        markdown()


def test_each_rule_has_its_own_anchor_and_findings_link_to_it():
    text = markdown()
    for rule_id in RULES:
        assert text.count(f"\n### {rule_id}\n") == 1, rule_id  # GitHub's anchor for it is #<id>
    assert (
        rule_url("sql-injection", "https://x.example/rules.md") == "https://x.example/rules.md#sql-injection"
    )


@pytest.mark.parametrize("rule_id", sorted(set(RULE_DOCS) - SKETCHED))
def test_the_bad_example_is_what_the_rule_fires_on(rule_id):
    doc = RULE_DOCS[rule_id]
    judgment = judge(
        Cell.create(content=doc.bad, context=f"file: example.{EXTENSION[doc.language]}"), level="MACRO"
    )
    assert rule_id in {f["rule"] for f in judgment.findings}


@pytest.mark.parametrize("rule_id", sorted(set(RULE_DOCS) - set(STILL_FLAGGED)))
def test_the_fixed_example_no_longer_fires_it(rule_id):
    doc = RULE_DOCS[rule_id]
    judgment = judge(
        Cell.create(content=doc.good, context=f"file: example.{EXTENSION[doc.language]}"), level="MACRO"
    )
    assert rule_id not in {f["rule"] for f in judgment.findings}
