"""What `cynic judge` learnt about each file, the verdict its exit code reads, and the JSON output.

The gate: a file fails when the verdict it is gated on is the ``--fail-on`` verdict or worse
(HOWL, WAG, GROWL, BARK, from best to worst). That verdict is the judge's verdict on the whole
file; with ``--diff`` it is the verdict of the findings on changed lines alone: the worst of
them decides, a security hole BARK, a defect GROWL, a smell WAG, none HOWL. A finding counts as
the kind the judge counted it (``kind``: an unsure security finding counts as a defect), and a
suppressed finding counts for nothing: the same rules by which the judge's own verdict is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..judgment.phi import VERDICTS
from ..judgment.vote import DEFECT, SECURITY, SMELL

#: The verdict a finding of each kind makes of the changed lines it stands on.
VERDICT_OF_KIND = {SECURITY: "BARK", DEFECT: "GROWL", SMELL: "WAG"}
BEST = VERDICTS[0]


def worse_or_equal(verdict: str, than: str) -> bool:
    """Whether verdict is than or worse (BARK is the worst)."""
    return VERDICTS.index(verdict) >= VERDICTS.index(than)


def verdict_of_findings(findings: list[dict]) -> str:
    """The worst verdict the unsuppressed findings make: HOWL when there are none."""
    made = [VERDICT_OF_KIND[f["kind"]] for f in findings if not f.get("suppressed")]
    return max(made, key=VERDICTS.index, default=BEST)


@dataclass
class FileReport:
    """One file's outcome. verdict is empty when the file was not judged: skipped says why
    when that is expected (a binary file), error when it is a failure (unreadable, refused)."""

    path: str
    verdict: str = ""
    q_score: float = 0.0
    language: str = ""
    findings: list[dict] = field(default_factory=list)
    line_texts: dict[int, str] = field(default_factory=dict)  # the text of each line a finding names
    diffed: bool = False  # with --diff: findings holds only those on changed lines
    judgment_id: str = ""  # when a node judged it
    persisted: bool = False
    skipped: str = ""
    error: str = ""

    @property
    def judged(self) -> bool:
        return bool(self.verdict)

    @property
    def gate_verdict(self) -> str:
        """The verdict the exit code reads (see the module's docstring)."""
        return verdict_of_findings(self.findings) if self.diffed else self.verdict

    def fails(self, fail_on: str) -> bool:
        return self.judged and worse_or_equal(self.gate_verdict, fail_on)


def as_json(reports: list[FileReport], *, fail_on: str, diff: str | None) -> dict:
    """The machine-readable report: every file, its verdicts and findings, and the outcome."""
    files = []
    for r in reports:
        entry: dict = {"path": r.path}
        if r.judged:
            entry |= {"verdict": r.verdict, "q_score": r.q_score, "language": r.language}
            if diff is not None:
                entry["changed_lines_verdict"] = r.gate_verdict
            if r.judgment_id:
                entry |= {"judgment_id": r.judgment_id, "persisted": r.persisted}
            entry["findings"] = r.findings
        if r.skipped:
            entry["skipped"] = r.skipped
        if r.error:
            entry["error"] = r.error
        files.append(entry)
    return {
        "fail_on": fail_on,
        "diff": diff,
        "failed": [r.path for r in reports if r.fails(fail_on)],
        "errors": [r.path for r in reports if r.error],
        "files": files,
    }
