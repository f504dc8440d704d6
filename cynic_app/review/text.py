"""The text report, in the shape ruff and flake8 print, so editors and CI problem matchers read it:

    path:line:col: rule message

then the files that fail the gate and a summary per verdict. A finding about the whole file is
shown at line 1, and a finding whose column is unknown at column 1 (the JSON and SARIF outputs
keep 0 for unknown). Suppressed findings are counted, and shown only when asked. Colours only
when the output is a terminal (and NO_COLOR is not set). What the judged files say (a name, a
message quoting the code) is printed with its control characters escaped (``\\x1b``, ``\\n``): it
can neither drive the terminal nor break a finding over two lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import click

from ..judgment.phi import VERDICTS
from ..judgment.vote import DEFECT, SECURITY
from .report import FileReport
from .rulesdoc import rule_url

_KIND_COLOUR = {SECURITY: "red", DEFECT: "yellow"}
_VERDICT_COLOUR = {"BARK": "red", "GROWL": "yellow", "WAG": "cyan", "HOWL": "green"}


def finding_line(path: str, f: dict, *, colour: bool, link: str = "") -> str:
    """One finding as ``path:line:col: rule message (CWE-n)``."""
    paint = _painter(colour)
    where = f"{paint(escaped(path), bold=True)}:{max(f.get('line') or 0, 1)}:{max(f.get('column') or 0, 1)}:"
    rule = paint(escaped(f["rule"]), fg=_KIND_COLOUR.get(f.get("kind")), bold=f.get("kind") == SECURITY)
    cwe = f" (CWE-{escaped(str(f['cwe']))})" if f.get("cwe") else ""
    marks = f" [suppressed: {escaped(str(f['suppressed']))}]" if f.get("suppressed") else ""
    return f"{where} {rule} {escaped(f['message'])}{cwe}{marks}" + (f" {link}" if link else "")


def escaped(text: str) -> str:
    """text with what is not printable escaped (``\\x1b``, ``\\n``, ``\\u202e``): control characters
    (an escape sequence, a newline, a carriage return), format characters (a bidirectional
    override), a lone surrogate. A byte of a name that is not UTF-8 (a surrogate escape) is kept,
    unless it is a C1 control (0x80-0x9f: 0x9b is CSI, an escape sequence's start on a terminal that
    reads 8-bit controls)."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or "\udca0" <= c <= "\udcff" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def render(
    reports: list[FileReport],
    *,
    fail_on: str,
    diff: str | None = None,
    colour: bool = False,
    show_suppressed: bool = False,
    show_links: bool = False,
    rules_base: str | None = None,
) -> Iterator[str]:
    """The report's lines, findings first (by file, then line), then the failing files and the
    summary."""
    paint = _painter(colour)
    shown = 0
    for r in reports:
        for f in sorted(r.findings, key=lambda f: (f.get("line") or 0, f.get("column") or 0, f["rule"])):
            if f.get("suppressed") and not show_suppressed:
                continue
            link = rule_url(f["rule"], rules_base) if show_links else ""
            shown += 1
            yield finding_line(r.path, f, colour=colour, link=link)
    judged = [r for r in reports if r.judged]
    failing = [r for r in judged if r.fails(fail_on)]
    if failing:
        yield ""
        on = f"on lines changed since {diff}" if diff is not None else "by its verdict"
        yield f"{len(failing)} file{_s(len(failing))} at {fail_on} or worse ({on}):"
        for r in failing:
            v = r.gate_verdict
            yield f"  {escaped(r.path)}: {paint(v, fg=_VERDICT_COLOUR[v], bold=True)}" + (
                "" if r.diffed else f" (q {r.q_score:g})"
            )
    if shown or failing:
        yield ""
    yield from _summary(reports, judged, diff=diff, paint=paint)


def _summary(reports: list[FileReport], judged: list[FileReport], *, diff, paint) -> Iterator[str]:
    counts = Counter(r.gate_verdict for r in judged)
    verdicts = ", ".join(
        paint(f"{counts[v]} {v}", fg=_VERDICT_COLOUR[v] if counts[v] else None) for v in reversed(VERDICTS)
    )
    scope = f" (verdicts of the lines changed since {diff})" if diff is not None else ""
    yield f"{len(judged)} file{_s(len(judged))} judged: {verdicts}{scope}."
    shown = sum(1 for r in judged for f in r.findings if not f.get("suppressed"))
    suppressed = sum(1 for r in judged for f in r.findings if f.get("suppressed"))
    yield f"{shown} finding{_s(shown)}" + (f", {suppressed} suppressed" if suppressed else "") + "."
    skipped = Counter(r.skipped for r in reports if r.skipped)
    if skipped:
        yield "Skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())) + "."
    errors = sum(1 for r in reports if r.error)
    if errors:
        yield paint(f"{errors} file{_s(errors)} could not be judged (see above).", fg="red", bold=True)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _painter(colour: bool):
    def paint(text: str, *, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold or None) if colour and (fg or bold) else text

    return paint
