"""What `cynic judge` learnt about each file, the verdict its exit code reads, and the JSON output.

The gate: a file fails when the verdict it is gated on is the ``--fail-on`` verdict or worse
(HOWL, WAG, GROWL, BARK, from best to worst). That verdict is the judge's verdict on the whole
file; with ``--diff`` it is the verdict of the findings on changed lines alone: the worst of
them decides, a security hole BARK, a defect GROWL, a smell WAG, none HOWL. A finding counts as
the kind the judge counted it (``kind``: an unsure security finding counts as a defect), and a
suppressed finding counts for nothing: the same rules by which the judge's own verdict is made.
"""

from __future__ import annotations

from collections import Counter
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


def finding_key(finding: dict, line_texts: dict[int, str]) -> tuple[str, str]:
    """What identifies a finding while lines move: its rule and its line's text, white space
    collapsed (SARIF's fingerprints, --diff's comparison with the file at REV)."""
    return finding["rule"], " ".join(line_texts.get(finding.get("line") or 0, "").split())


def in_file_order(findings: list[dict]) -> list[int]:
    """The indices of findings in the file's order: line, column, rule."""
    return sorted(range(len(findings)), key=lambda i: (
        findings[i].get("line") or 0, findings[i].get("column") or 0, findings[i]["rule"]))  # fmt: skip


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
    scopes: dict[int, str] = field(default_factory=dict)  # the definition each such line stands in
    diffed: bool = False  # with --diff: findings holds only those on changed lines
    judgment_id: str = ""  # when a node judged it
    persisted: bool = False
    skipped: str = ""
    error: str = ""
    #: For each finding, how many of the file's findings with its key (finding_key) stand before
    #: it in the file's order, it included: counted over every finding the file has, before
    #: --diff keeps some, so a finding is numbered alike whatever the run reports.
    occurrences: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.occurrences) != len(self.findings):
            seen: Counter = Counter()
            self.occurrences = [0] * len(self.findings)
            for i in in_file_order(self.findings):
                key = finding_key(self.findings[i], self.line_texts)
                seen[key] += 1
                self.occurrences[i] = seen[key]

    def keep(self, kept: list[bool]) -> None:
        """Keep the findings marked (their occurrences with them)."""
        pairs = [(f, n) for f, n, k in zip(self.findings, self.occurrences, kept, strict=True) if k]
        self.findings, self.occurrences = [f for f, _ in pairs], [n for _, n in pairs]

    @property
    def judged(self) -> bool:
        return bool(self.verdict)

    @property
    def gate_verdict(self) -> str:
        """The verdict the exit code reads (see the module's docstring)."""
        return verdict_of_findings(self.findings) if self.diffed else self.verdict

    def fails(self, fail_on: str) -> bool:
        return self.judged and worse_or_equal(self.gate_verdict, fail_on)


def as_json(reports: list[FileReport], *, fail_on: str, diff: str | None, run_error: str = "") -> dict:
    """The machine-readable report: every file, its verdicts and findings, and the outcome
    (run_error: why no file could be judged, a node that could not be reached)."""
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
        **({"run_error": run_error} if run_error else {}),
        "fail_on": fail_on,
        "diff": diff,
        "failed": [r.path for r in reports if r.fails(fail_on)],
        "errors": [r.path for r in reports if r.error],
        "files": files,
    }
