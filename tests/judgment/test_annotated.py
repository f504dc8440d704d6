"""The line-labelled JavaScript, TypeScript and shell of tests/judgment/annotated, scored by
`cynic evaluate`'s own scorer. They are tuning material (the rules were tuned on them): these
are regression bounds, not a measure of the judge on code nobody here wrote (docs/judgment.md
quotes that measure, on the held-out halves)."""

from __future__ import annotations

from pathlib import Path

from cynic_app.evaluate import evaluate
from cynic_app.evaluate.split import HALVES

ANNOTATED = Path(__file__).resolve().parent / "annotated"


def test_the_annotated_files_hold_every_kind_of_hole_the_issue_names():
    labels = set()
    from cynic_app.evaluate.corpora import read_annotated

    for f in read_annotated(ANNOTATED):
        labels |= set(f.holes.values())
    assert {
        "shell-injection", "code-injection", "path-traversal", "sql-injection", "xss", "open-redirect",
        "nosql-injection", "jwt-unverified", "regex-injection", "xxe", "prototype-pollution",
        "hardcoded-secret", "insecure-random", "tls-unverified", "remote-script", "destructive-delete",
        "template-injection", "weak-cipher", "timing-unsafe-compare", "insecure-cookie", "unsafe-regex",
        "ssrf",
    } <= labels  # fmt: skip


def test_holes_are_found_safe_look_alikes_are_not_and_no_file_with_a_hole_passes():
    result = evaluate(lines=[ANNOTATED], tools=["cynic"], jobs=1)
    for half in (*HALVES, "all"):
        s = result.lines[(f"lines:{ANNOTATED.name}", "cynic", half)]
        assert s.recall >= 0.9, (half, s)
        assert s.safe_flagged_share <= 0.05, (half, s)
        assert s.files_with_holes_passed == 0, (half, s)
