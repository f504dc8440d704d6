"""The five core axioms, each scored from seven facets of the content.

A facet is a number in [0, 1]; an axiom is 100 × the geometric mean of its facets (each
floored at FACET_FLOOR), so one failed facet pulls its axiom down hard but not to zero.
"""

from __future__ import annotations

import math

from .findings import contradictions, dangers, debug_prints, hygiene, stubs, todos
from .patterns import tokens
from .source import Source

AXIOMS = ("FIDELITY", "PHI", "VERIFY", "CULTURE", "BURN")
FACET_FLOOR = 0.1
_GENERIC_NAMES = {
    "foo",
    "bar",
    "baz",
    "tmp",
    "temp",
    "test",
    "func",
    "function",
    "do",
    "stuff",
    "thing",
    "data",
    "process",
    "handle",
    "main2",
    "x",
    "f",
    "g",
}
# Names are checked by Python's re, as tokenisers (patterns.py): RE2's binding cost a judgment of
# a one-line function more than its whole parse. The leading underscores the conventions allow
# are taken off first, so that the one repetition of each pattern comes last.
_SNAKE_RE = tokens("snake-case", r"[a-z][a-z0-9_]*")
_CAMEL_RE = tokens("camel-case", r"[A-Z][A-Za-z0-9]*")


def snake_case(name: str) -> bool:
    """``_{0,2}[a-z][a-z0-9_]*``: a function's name as PEP 8 asks (up to two underscores first)."""
    return _SNAKE_RE.fullmatch(name[2:] if name.startswith("__") else name.removeprefix("_")) is not None


def camel_case(name: str) -> bool:
    """``_?[A-Z][A-Za-z0-9]*``: a class's name as PEP 8 asks (one underscore first, at most)."""
    return _CAMEL_RE.fullmatch(name.removeprefix("_")) is not None


def _share(good: int, total: int, empty: float = 1.0) -> float:
    return good / total if total else empty


_FACET_OF_RULE = {
    "code-injection": "eval",
    "shell-injection": "injection",
    "sql-injection": "injection",
    "xss": "injection",
    "template-injection": "injection",
    "remote-script": "injection",
    "tls-unverified": "tls",
    "unsafe-deserialisation": "deser",
    "hardcoded-secret": "secret",
    "secret-in-url": "secret",
    "embedded-key": "secret",
    "weak-password-hash": "secret",
    "insecure-random": "secret",
    "timing-unsafe-compare": "secret",
    "destructive-delete": "destructive",
    "world-writable": "destructive",
    "insecure-tempfile": "destructive",
}


def _danger_kinds(src: Source) -> set[str]:
    """Map the danger findings to the facet names they fail."""
    return {_FACET_OF_RULE[f.rule] for f in dangers(src) if f.rule in _FACET_OF_RULE and not f.suppressed}


def facets(src: Source) -> dict[str, dict[str, float]]:
    """Return every facet score, grouped by axiom."""
    fns = src.functions
    danger = _danger_kinds(src)
    stats = src.line_stats
    n_lines = stats.lines
    comment_like = stats.comments + sum(1 for f in fns if f.has_docstring)
    fidelity = {
        "no_stubs": 1.0 - min(1.0, 0.5 * stubs(src)),
        "no_silenced_errors": 1.0
        - min(1.0, 0.5 * _count(src, "swallowed-error") + 0.3 * len(src.bare_excepts)),
        "no_unfinished_markers": 1.0 - min(1.0, 0.2 * todos(src)),
        "documented": _share(sum(f.has_docstring for f in fns), len(fns), 0.8) * 0.5 + 0.5,
        "no_secrets": 0.0 if "secret" in danger else 1.0,
        "consistent_claims": 1.0 - min(1.0, 0.4 * len(contradictions(src))),
        "honest_names": _share(sum(f.name.lower() not in _GENERIC_NAMES for f in fns), len(fns)),
    }
    verify = {
        "parses": 0.1 if src.syntax_error else 1.0,
        "no_dynamic_eval": 0.0 if "eval" in danger else 1.0,
        "no_injection": 0.0 if "injection" in danger else 1.0,
        "typed": _share(sum(f.annotated for f in fns), len(fns), 0.8) * 0.4 + 0.6,
        "explicit_errors": 1.0 - min(1.0, 0.3 * len(src.bare_excepts)),
        "tls_verified": 0.0 if "tls" in danger else 1.0,
        "safe_deserialisation": 0.0 if "deser" in danger else 1.0,
    }
    names_ok = sum(snake_case(f.name) for f in fns) + sum(camel_case(c) for c in src.classes)
    culture = {
        "naming": _share(names_ok, len(fns) + len(src.classes)),
        "no_wildcard_imports": 0.0 if any(w for _, w, _ in src.imports) else 1.0,
        "no_debug_prints": 1.0 - min(1.0, 0.1 * debug_prints(src)),
        "line_length": _share(stats.filled - stats.over_100, stats.filled),
        "context_managers": 0.6 if _opens_without_with(src) else 1.0,
        "explained": min(1.0, 0.6 + 4 * comment_like / max(1, n_lines)) if src.is_code else 0.9,
        "calm_tone": 0.5 if src.shouting else 1.0,
    }
    mean_len = stats.filled_chars / max(1, stats.filled)
    blank_share = (n_lines - stats.filled) / max(1, n_lines)
    phi = {
        "function_length": _share(sum(f.length <= 40 for f in fns), len(fns)),
        "nesting": max(0.0, 1.0 - 0.2 * max(0, src.max_depth - 3)),
        "arguments": _share(sum(f.n_args <= 5 for f in fns), len(fns)),
        "line_rhythm": 1.0 if 8 <= mean_len <= 80 else 0.6,
        "class_size": _share(sum(m <= 15 for m in src.classes.values()), len(src.classes)),
        "unit_size": 1.0 if n_lines <= 400 else max(0.3, 400 / n_lines),
        "breathing_room": 1.0 if n_lines < 12 or 0.03 <= blank_share <= 0.35 else 0.7,
    }
    modules = [m for m, _, _ in src.imports]
    burn = {
        "no_duplicated_literals": 1.0 - min(1.0, 0.15 * sum(n >= 3 for n in src.literal_counts.values())),
        "no_commented_out_code": 1.0 - min(1.0, 0.5 * _count(src, "commented-out-code")),
        "few_dependencies": 1.0 if len(set(modules)) <= 10 else max(0.3, 10 / len(set(modules))),
        "nothing_destroyed": 0.0 if "destructive" in danger else 1.0,
        "no_dead_stubs": 1.0 - min(1.0, 0.3 * stubs(src)),
        "focused_functions": _share(sum(f.length <= 60 for f in fns), len(fns)),
        "no_swallowing": 1.0 - min(1.0, 0.5 * _count(src, "swallowed-error")),
    }
    return {"FIDELITY": fidelity, "PHI": phi, "VERIFY": verify, "CULTURE": culture, "BURN": burn}


def _count(src: Source, rule: str) -> int:
    return sum(1 for f in hygiene(src) if f.rule == rule)


def _opens_without_with(src: Source) -> bool:
    return _count(src, "resource-leak") > 0


def score_axioms(src: Source) -> dict[str, float]:
    """Return each axiom's score in [0, 100] (3 dp)."""
    scores = {}
    for axiom, values in src.memo("facets", facets).items():
        logs = [math.log(max(FACET_FLOOR, min(1.0, v))) for v in values.values()]
        scores[axiom] = round(100.0 * math.exp(sum(logs) / len(logs)), 3)
    return scores
