"""An evaluation as Markdown tables (what `cynic evaluate` prints) or JSON (``--json``)."""

from __future__ import annotations

from . import ALL, Evaluation
from .split import HELD_OUT, TUNING
from .tools import JUDGE

HALF_LABELS = ((HELD_OUT, "held-out"), (TUNING, "tuning"), (ALL, "all"))


def markdown(ev: Evaluation) -> str:
    out: list[str] = []
    tools = [t for t in ev.tools if t not in ev.missing]
    for tool, why in ev.missing.items():
        out.append(f"> {tool}: not run — {why}\n")
    for corpus in sorted({c for c, _, _ in ev.owasp}):
        out.append(f"### {corpus} ({ev.files[corpus]} files): score = TPR − FPR per category\n")
        header = ["category"] + [f"{t} {label}" for t in tools for _, label in HALF_LABELS]
        out.append(_row(header))
        out.append(_row(["---"] + ["---:"] * (len(header) - 1)))
        categories = sorted(ev.owasp[(corpus, tools[0], ALL)].per_category) if tools else []
        for category in categories:
            cells = [category]
            for t in tools:
                for half, _ in HALF_LABELS:
                    cells.append(_signed(ev.owasp[(corpus, t, half)].per_category.get(category)))
            out.append(_row(cells))
        cells = ["**mean**"]
        for t in tools:
            for half, _ in HALF_LABELS:
                cells.append(f"**{_signed(ev.owasp[(corpus, t, half)].overall)}**")
        out.append(_row(cells))
        out.append(_times(ev, corpus, tools))
    for corpus in sorted({c for c, _, _ in ev.lines}):
        out.append(f"### {corpus} ({ev.files[corpus]} files): security findings on labelled lines\n")
        out.append(_row(["tool", "half", "holes found", "safe lines flagged", "files with a hole passed"]))
        out.append(_row(["---", "---", "---:", "---:", "---:"]))
        for t in tools:
            for half, label in HALF_LABELS:
                s = ev.lines[(corpus, t, half)]
                passed = (
                    f"{s.files_with_holes_passed}/{s.files_with_holes}" if t == JUDGE else "–"
                )  # only the judge gives verdicts
                out.append(
                    _row(
                        [
                            t,
                            label,
                            f"{s.holes_found}/{s.holes} ({s.recall:.0%})",
                            f"{s.safe_flagged}/{s.safe} ({s.safe_flagged_share:.0%})",
                            passed,
                        ]
                    )
                )
        out.append(_times(ev, corpus, tools))
    for corpus in sorted({c for c, _, _ in ev.clean}):
        out.append(f"### {corpus} ({ev.files[corpus]} files): clean code\n")
        out.append(
            _row(
                ["tool", "half", "files", "any security finding", "one it is sure of", "HOWL/WAG/GROWL/BARK"]
            )
        )
        out.append(_row(["---", "---", "---:", "---:", "---:", "---"]))
        for t in tools:
            for half, label in HALF_LABELS:
                s = ev.clean[(corpus, t, half)]
                verdicts = (
                    " / ".join(str(s.verdicts[v]) for v in ("HOWL", "WAG", "GROWL", "BARK"))
                    if t == JUDGE
                    else "–"
                )
                out.append(
                    _row(
                        [
                            t,
                            label,
                            str(s.files),
                            f"{s.flagged} ({s.flagged / max(1, s.files):.0%})",
                            f"{s.flagged_sure} ({s.flagged_sure / max(1, s.files):.0%})",
                            verdicts,
                        ]
                    )
                )
        judge_all = ev.clean.get((corpus, JUDGE, ALL))
        if judge_all and judge_all.worst:
            out.append(
                "\nJudged GROWL or BARK: "
                + ", ".join(f"{p.rsplit('/', 1)[-1]} {v}" for p, v in judge_all.worst)
            )
        out.append(_times(ev, corpus, tools))
    return "\n".join(out)


def as_json(ev: Evaluation) -> dict:
    """Every figure, keyed "corpus|tool|half"."""

    def keyed(table: dict, fields) -> dict:
        return {"|".join(k): fields(v) for k, v in table.items()}

    return {
        "tools": ev.tools,
        "missing": ev.missing,
        "files": ev.files,
        "owasp": keyed(ev.owasp, lambda v: {"overall": v.overall, "per_category": v.per_category,
                                            "counts": v.counts}),
        "lines": keyed(ev.lines, lambda v: dict(vars(v))),
        "clean": keyed(ev.clean, lambda v: {"files": v.files, "verdicts": dict(v.verdicts),
                                            "flagged": v.flagged, "flagged_sure": v.flagged_sure,
                                            "below_wag": [p for p, _ in v.worst]}),
        "ms_per_file": {"|".join(k): v for k, v in ev.ms.items()},
    }  # fmt: skip


def _times(ev: Evaluation, corpus: str, tools: list[str]) -> str:
    parts = [f"{t} {ev.ms[(corpus, t)]:.1f} ms" for t in tools if (corpus, t) in ev.ms]
    return "\nMedian time per file: " + ", ".join(parts) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"
