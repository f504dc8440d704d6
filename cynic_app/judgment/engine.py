"""judge(): run the pack over a cell and combine the votes into one Judgment."""

from __future__ import annotations

import ast
import io
import time
import tokenize
import uuid

from . import consensus
from .axioms import score_axioms
from .cell import Cell
from .dogs import DOGS, LEVELS, WEIGHTS
from .judgment import Judgment
from .memory import EMPTY, Memory
from .phi import DEFECT_CAP, MAX_CONFIDENCE, PHI_INV, VETO_CAP, verdict_for
from .rules import hit
from .source import PYTHON, Source, language_from_context
from .vote import Vote

#: The most of a content the pack reads (the engine's limit): linear-time checks keep a body of
#: this size well under half a second at MACRO; longer content is judged on its first part.
JUDGED_CHARS = 100_000
CUT_TRIES = 5


def choose_level(cell: Cell) -> str:
    """Pick the level a cell can afford: cheap budgets get fewer dogs."""
    if cell.budget_usd < 0.01:
        return "REFLEX"
    if cell.budget_usd < 0.05:
        return "MICRO"
    if cell.consciousness <= 1:
        return "REFLEX"
    if cell.consciousness <= 3:
        return "MICRO"
    return "MACRO"


def judge(
    cell: Cell,
    *,
    level: str | None = None,
    memory: Memory | None = None,
    judgment_id: str | None = None,
    judged_chars: int = JUDGED_CHARS,
) -> Judgment:
    """Judge cell. Pure: with the same cell, level, memory and judged_chars (the most of the
    content read: a node's JUDGED_CHARS; `cynic judge` reads a whole file) the result is the
    same (except judgment_id, when not given, and the measured duration_ms)."""
    started = time.perf_counter()
    level_used = _level(level, cell)
    memory = memory or EMPTY
    judged = judged_part(cell.content, cell.context, judged_chars)
    src = Source(judged, cell.context, cut=len(judged) < len(cell.content))
    names = LEVELS[level_used]
    votes: list[Vote] = [DOGS[n].vote(src, cell, memory) for n in names if n != "CYNIC"]
    if "CYNIC" in names:
        votes.append(DOGS["CYNIC"].vote(src, cell, memory, votes))
    votes.sort(key=lambda v: names.index(v.dog))
    axioms = src.memo("axioms", score_axioms)

    active = [v for v in votes if not v.abstains]
    qs = [v.q for v in active]
    priority = [WEIGHTS[v.dog] for v in active]
    agreeing = consensus.agreeing(qs, priority)
    vetoes = [v for v in votes if v.veto]
    reached = bool(active) and agreeing >= consensus.quorum(len(active)) and not vetoes
    if reached:
        q = consensus.weighted_geometric_mean(
            qs, [w * v.confidence for w, v in zip(priority, active, strict=True)]
        )
    else:
        q = consensus.reality_weighted_q(axioms, cell.reality)
    if any(v.blocks for v in votes):
        q = min(q, DEFECT_CAP)
    if vetoes:
        q = min(q, VETO_CAP, *(v.q for v in vetoes))
    q = round(q, 3)
    agreement = agreeing / len(active) if active else 0.0
    confidence = consensus.combined_confidence([v.confidence for v in active], priority, agreement)
    residual = round(consensus.residual_variance(qs), 6)
    findings = findings_of(votes)
    if len(judged) < len(cell.content):
        findings.append(_truncated(judged, len(cell.content)))
    return Judgment(
        judgment_id=judgment_id or str(uuid.uuid4()),
        cell=cell,
        q_score=q,
        verdict=verdict_for(q),
        confidence=min(round(confidence, 4), round(MAX_CONFIDENCE, 4)),
        axiom_scores=axioms,
        dog_votes={v.dog: v.q for v in votes},
        consensus_votes=agreeing,
        consensus_reached=reached,
        residual_variance=residual,
        unnameable_detected=residual > PHI_INV,
        level_used=level_used,
        duration_ms=round((time.perf_counter() - started) * 1000.0, 3),
        dog_reasons={v.dog: list(v.reasons) for v in votes},
        vetoed_by=[v.dog for v in vetoes],
        findings=findings,
        language=src.language,
    )


def judged_part(content: str, context: str = "", limit: int = JUDGED_CHARS) -> str:
    """The part of the content the pack reads: all of it up to limit characters, else the lines
    that fit (the whole first line when it alone is longer). Python is cut after the last whole
    statement that fits, at any depth (a class or a function whose body ends early is still
    Python), so the part parses: the last CUT_TRIES such places are tried, latest first (one may
    leave a `try:` without its handler, or a decorator without its function), then the last at
    each shallower indentation (a `try:` body longer than CUT_TRIES statements); when none parses,
    the part ends inside a statement, which Source(cut=True) does not call a syntax error. What
    is beyond is stored, not read."""
    if len(content) <= limit:
        return content
    head = content[:limit]
    if head.count("\r") > head.count("\n"):  # lines ending mostly in a lone \r (classic Mac OS),
        head = head.replace("\r", "\n")  # which Python reads as line ends: read alike, same offsets
    cut = head.rfind("\n")
    if cut <= 0:
        return content[:limit]
    part = head[: cut + 1]
    given = language_from_context(context)
    if given in (None, PYTHON):
        for at in _cuts(_statement_ends(part), len(part)):
            if given is None and at < len(part) // 2:
                break  # unnamed content that is Python only in its first lines: text, cut at a line
            try:
                ast.parse(part[:at])
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            return content[:at]
    return content[: cut + 1]


def _cuts(ends: list[tuple[int, int]], size: int) -> list[int]:
    """Where to try cutting a part of size characters, in order: the last CUT_TRIES statement
    ends, then (a block whose body runs past the limit, such as a long `try:` body, leaves them
    all unparsable) the last end at each shallower indentation in turn, at most CUT_TRIES of
    them (the end at the part's own end, where the tokenizer closes every block, says nothing
    of the depth)."""
    tried = [at for at, _ in reversed(ends[-CUT_TRIES:])]
    column = min((c for at, c in ends[-CUT_TRIES:] if at < size), default=0)
    for at, c in reversed(ends[:-CUT_TRIES]):
        if len(tried) >= 2 * CUT_TRIES or column == 0:
            break
        if c < column:
            tried.append(at)
            column = c
    return tried


def _statement_ends(text: str) -> list[tuple[int, int]]:
    """The offsets in text where a line starts after a whole statement, one that opens no block
    (its next token is not an INDENT), each with the column of the statement after it (0: the
    part before is whole at module level), read by Python's tokenizer (linear; strings and
    brackets spanning lines are whole). Stops where the tokenizer stops (text ending inside a
    string or a bracket, an indentation it refuses)."""
    line_starts = [0]  # of the rows the tokenizer counts: it reads lines ending in "\n"
    at = text.find("\n")
    while at >= 0:
        line_starts.append(at + 1)
        at = text.find("\n", at + 1)
    ends: list[tuple[int, int]] = []
    first = -1  # where the first statement starts (after the comments before it)
    after_newline = 0  # the row after the last NEWLINE token, while no token has followed it
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NL, tokenize.COMMENT):
                continue
            if first < 0:
                first = line_starts[token.start[0] - 1]
            if after_newline and token.type != tokenize.INDENT and after_newline <= len(line_starts):
                ends.append((line_starts[after_newline - 1], token.start[1]))
            after_newline = token.end[0] + 1 if token.type == tokenize.NEWLINE else 0
    except tokenize.TokenError:  # text ends inside a statement (a bracket, a string)
        # one statement longer than the limit (a module that is one data literal): nothing of it
        # is read, rather than its strings as text
        return ends or ([(first, 0)] if first > 0 else [])
    except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError):  # SystemError: a NUL
        return ends
    return ends


def _truncated(judged: str, total: int) -> dict:
    lines = judged.count("\n") + (not judged.endswith("\n"))
    message = f"only the first {len(judged):,} of {total:,} characters ({lines:,} lines) were judged"
    return hit("truncated", lines, message, confidence=1.0).to_dict("CYNIC")


def findings_of(votes: list[Vote]) -> list[dict]:
    """Every finding once per (rule, line), named by the first dog that voiced it; by line."""
    seen: set[tuple[str, int]] = set()
    out = []
    for v in votes:
        for f in v.findings:
            if (f.rule, f.line) not in seen:
                seen.add((f.rule, f.line))
                out.append(f.to_dict(v.dog))
    return sorted(out, key=lambda d: (d["line"], -d["severity"], d["rule"]))


def _level(level: str | None, cell: Cell) -> str:
    """The level asked for (validated by the caller: one of LEVELS), else the cell's own."""
    if level is None:
        return choose_level(cell)
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: one of {', '.join(LEVELS)}")
    return level
