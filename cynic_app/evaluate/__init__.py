"""`cynic evaluate`: measure the judge on labelled corpora beside bandit and ruff, in one run.

The corpora (corpora.py) are split in two halves by a fixed hash of each file name (split.py);
every figure is reported for each half and for both, so a rule tuned on one half is judged on
the other. The tools (tools.py) run on exactly the same files; score.py computes the figures;
report.py prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import score
from .corpora import read_annotated, read_clean, read_owasp
from .split import HALVES
from .tools import JUDGE, ToolMissing, run_tool

ALL = "all"


@dataclass
class Evaluation:
    tools: list[str]
    missing: dict[str, str] = field(default_factory=dict)  # tool -> why it did not run
    owasp: dict[tuple[str, str, str], score.OwaspScore] = field(default_factory=dict)  # (corpus, tool, half)
    lines: dict[tuple[str, str, str], score.LineScore] = field(default_factory=dict)
    clean: dict[tuple[str, str, str], score.CleanScore] = field(default_factory=dict)
    ms: dict[tuple[str, str], float] = field(default_factory=dict)  # (corpus, tool) -> median ms/file
    files: dict[str, int] = field(default_factory=dict)  # corpus -> files


def evaluate(
    *,
    owasp: list[Path] = (),
    lines: list[Path] = (),
    clean: list[Path] = (),
    tools: list[str] = (JUDGE,),
    level: str | None = None,
    jobs: int | None = None,
) -> Evaluation:
    """Run every tool on every corpus and score them, per half."""
    result = Evaluation(list(tools))
    corpora = (
        [("owasp", p, read_owasp(p)) for p in map(Path.resolve, owasp)]
        + [("lines", p, read_annotated(p)) for p in map(Path.resolve, lines)]
        + [("clean", p, read_clean(p)) for p in map(Path.resolve, clean)]
    )
    for kind, where, items in corpora:
        name = f"{kind}:{where.name if kind != 'owasp' else where.parent.name}"
        paths = [i.path for i in items]
        result.files[name] = len(paths)
        for tool in tools:
            if tool in result.missing:
                continue
            try:
                found = run_tool(tool, paths, level=level, jobs=jobs)
            except ToolMissing as exc:
                result.missing[tool] = str(exc)
                continue
            result.ms[(name, tool)] = score.median_ms(found, paths)
            for half in (*HALVES, ALL):
                chosen = [i for i in items if half == ALL or i.half == half]
                if kind == "owasp":
                    result.owasp[(name, tool, half)] = score.owasp(chosen, found)
                elif kind == "lines":
                    result.lines[(name, tool, half)] = score.lines(chosen, found)
                else:
                    result.clean[(name, tool, half)] = score.clean(chosen, found)
    return result
