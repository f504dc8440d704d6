"""The figures an evaluation reports, computed from what each tool found.

- OWASP-style: per category, true-positive rate − false-positive rate, where a case is flagged
  when the tool reports a finding of the category's CWE in its file; the score is the mean over
  categories (the benchmark's own scoring: flagging everything, or nothing, scores 0).
- Line-annotated: line recall (labelled holes with a security finding on their line), the share
  of safe lines flagged, and how many files holding a hole the judge passed (WAG or HOWL).
- Clean code: the verdicts of the judge, and the share of files each tool flags at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .corpora import AnnotatedFile, CleanFile, OwaspCase
from .tools import FileResult

PASSING = ("HOWL", "WAG")


@dataclass
class OwaspScore:
    per_category: dict[str, float] = field(default_factory=dict)
    counts: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # tp, fn, fp, tn

    @property
    def overall(self) -> float:
        return sum(self.per_category.values()) / len(self.per_category) if self.per_category else 0.0


def owasp(cases: list[OwaspCase], results: dict[object, FileResult]) -> OwaspScore:
    tally: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        flagged = any(f.cwe == case.cwe for f in results[case.path].findings)
        key = ("tp" if flagged else "fn") if case.vulnerable else ("fp" if flagged else "tn")
        tally[case.category][key] += 1
    score = OwaspScore()
    for category in sorted(tally):
        t = tally[category]
        tpr = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else 0.0
        fpr = t["fp"] / (t["fp"] + t["tn"]) if t["fp"] + t["tn"] else 0.0
        score.per_category[category] = tpr - fpr
        score.counts[category] = (t["tp"], t["fn"], t["fp"], t["tn"])
    return score


@dataclass
class LineScore:
    holes: int = 0
    holes_found: int = 0
    safe: int = 0
    safe_flagged: int = 0
    files_with_holes: int = 0
    files_with_holes_passed: int = 0  # the judge only: WAG or HOWL

    @property
    def recall(self) -> float:
        return self.holes_found / self.holes if self.holes else 0.0

    @property
    def safe_flagged_share(self) -> float:
        return self.safe_flagged / self.safe if self.safe else 0.0


def lines(files: list[AnnotatedFile], results: dict[object, FileResult]) -> LineScore:
    score = LineScore()
    for labelled in files:
        result = results[labelled.path]
        flagged = {f.line for f in result.findings if f.security}
        score.holes += len(labelled.holes)
        score.holes_found += len(labelled.holes.keys() & flagged)
        score.safe += len(labelled.safe)
        score.safe_flagged += len(labelled.safe.keys() & flagged)
        if labelled.holes:
            score.files_with_holes += 1
            score.files_with_holes_passed += result.verdict in PASSING
    return score


@dataclass
class CleanScore:
    files: int = 0
    verdicts: Counter = field(default_factory=Counter)
    flagged: int = 0  # files with at least one security finding
    flagged_sure: int = 0  # files with at least one the tool is sure of (ToolFinding.sure)
    worst: list[tuple[str, str]] = field(default_factory=list)  # (file, verdict) below WAG

    @property
    def below_wag_share(self) -> float:
        return (self.verdicts["GROWL"] + self.verdicts["BARK"]) / self.files if self.files else 0.0


def clean(files: list[CleanFile], results: dict[object, FileResult]) -> CleanScore:
    score = CleanScore()
    for f in files:
        result = results[f.path]
        score.files += 1
        if result.verdict:
            score.verdicts[result.verdict] += 1
            if result.verdict not in PASSING:
                score.worst.append((str(f.path), result.verdict))
        score.flagged += any(x.security for x in result.findings)
        score.flagged_sure += any(x.security and x.sure for x in result.findings)
    return score


def median_ms(results: dict[object, FileResult], paths) -> float:
    times = sorted(results[p].ms for p in paths)
    if not times:
        return 0.0
    mid = len(times) // 2
    return times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
