"""Untrusted input means linear time (issue 19): every pattern the judge applies to content is
RE2's, and each is timed on inputs of n and 4n characters built from its own alphabet and from
the shapes that stalled workers (a 44 KB line, "\\n " repeated, "://" + "a." repeated)."""

from __future__ import annotations

import gc
import importlib
import pkgutil
import re
import time

import pytest

import cynic_app.judgment as judgment_package
from cynic_app.judgment import Cell, judge
from cynic_app.judgment.patterns import _REGISTRY, NotLinear, registered, tokens

N = 12_500
#: Linear growth is 4x for 4x the input; a quadratic pattern grows 16x. Noise stays under 6x.
MAX_GROWTH = 6


def _modules():
    for info in pkgutil.walk_packages(judgment_package.__path__, "cynic_app.judgment."):
        yield importlib.import_module(info.name)


def test_every_pattern_in_the_judge_is_registered_as_linear():
    """Python's re only through patterns.tokens (its one repetition last: nothing to backtrack
    into); everything else is RE2's."""
    known = {id(p) for p in _REGISTRY.values()}
    offenders = [
        f"{m.__name__}.{name}"
        for m in _modules()
        for name, value in vars(m).items()
        if isinstance(value, re.Pattern) and id(value) not in known
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "pattern", ["(a+)+$", "[a-z]+x", r"^\s*(import|from)\b.*$", "(?:ab)+", r"(\w+)\s+\1"]
)
def test_a_tokeniser_that_could_backtrack_is_refused(pattern):
    with pytest.raises(NotLinear):
        tokens(f"refused {pattern}", pattern)


def _shapes(pattern: str, n: int) -> dict[str, str]:
    alphabet = "".join(dict.fromkeys(c for c in pattern if c.isprintable() and c not in "\\")) or "a"
    return {
        "own alphabet": (alphabet * (n // len(alphabet) + 1))[:n],
        "own alphabet, spaced": ((" ".join(alphabet) + "\n") * (n // (2 * len(alphabet)) + 1))[:n],
        "a1 then a call": ("a1" * (n // 2))[: n - 13] + "Math.random()",
        "x then newline-space": ("x" + "\n " * n)[:n],
        "scheme then a.": ("://" + "a." * n)[:n],
        "one long word": "a" * n,
        "brackets": "(" * (n // 2) + ")" * (n // 2),
    }


def _best_of(runs: int, fn) -> float:
    """The least CPU time of this process over runs: other processes on a busy machine (a second
    test process, a build) take wall time, not this process's CPU time."""
    best = float("inf")
    gc.disable()  # a collection inside one run would be noise, not growth
    try:
        for _ in range(runs):
            started = time.process_time()
            fn()
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def _scan(compiled, text: str) -> None:
    for _ in compiled.finditer(text):
        pass


def _growth(compiled, small: str, large: str, runs: int) -> tuple[float, float]:
    """Best times on n and 4n characters, measured in turns so that a busy moment hits both."""
    t_small = t_large = float("inf")
    for _ in range(runs):
        t_small = min(t_small, _best_of(1, lambda: _scan(compiled, small)))
        t_large = min(t_large, _best_of(1, lambda: _scan(compiled, large)))
    return t_small, t_large


def _too_slow(t_small: float, t_large: float) -> bool:
    # Under 10 ms for 50,000 characters is too fast for a ratio to mean anything (a quadratic
    # pattern takes seconds there).
    return t_large > 0.01 and t_large > MAX_GROWTH * max(t_small, 1e-4)


def test_every_registered_pattern_is_linear_on_its_worst_inputs():
    assert len(registered()) >= 30  # the judge's patterns were imported and registered
    slow = []
    for name in sorted(registered()):
        compiled = _REGISTRY[name]
        pattern = compiled.pattern
        small, large = _shapes(pattern, N), _shapes(pattern, 4 * N)
        for shape in small:
            times = _growth(compiled, small[shape], large[shape], 5)
            if _too_slow(*times):  # confirm: a busy machine can slow one measurement
                times = _growth(compiled, small[shape], large[shape], 9)
            if _too_slow(*times):
                slow.append(f"{name} on {shape}: {times[0] * 1e3:.1f} ms -> {times[1] * 1e3:.1f} ms")
    assert slow == []


def _bodies(n: int) -> dict[str, str]:
    """Bodies of n characters in the shapes that stalled workers or stress a reader."""
    return {
        "a1 line then Math.random() as x.js": ("a1" * (n // 2))[: n - 13] + "Math.random()",
        "x then newline-space": ("x" + "\n " * (n // 2))[:n],
        "scheme then a.": ("://" + "a." * (n // 2))[:n],
        "one Python line": "x = " + " + ".join(["a1"] * (n // 5 - 1)),
        "nested brackets": "(" * (n // 2) + ")" * (n // 2),
        "prose": ("the quick brown fox jumps over the lazy dog " * (n // 40))[:n],
        "shell-like": ("echo $HOME && rm -rf ${DIR:?}/x; export TOKEN=abc\n" * (n // 50))[:n],
    }


#: The whole judgment at MACRO has fixed costs a pattern does not: 4x the body may cost up to 8x
#: (a quadratic step costs 16x). The absolute figures (issue 19: <= 0.5 s for any 100,000-character
#: body) are scripts/bench_judge's to measure, not a unit test's.
MAX_JUDGE_GROWTH = 8


@pytest.mark.parametrize("name", sorted(_bodies(100)))
def test_a_body_of_any_shape_costs_linear_time_up_to_the_content_limit_at_macro(name):
    context = "file: x.js" if "x.js" in name else ""
    small, large = (Cell.create(content=_bodies(n)[name], context=context) for n in (25_000, 100_000))
    judge(small, level="MACRO")  # imports and caches warm
    took = [_best_of(3, lambda c=c: judge(c, level="MACRO")) for c in (small, large)]
    assert took[1] <= MAX_JUDGE_GROWTH * took[0] + 0.005, f"{took[0] * 1e3:.1f} ms -> {took[1] * 1e3:.1f} ms"
