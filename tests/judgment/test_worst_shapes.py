"""Untrusted input means linear time: the Python shapes an adversarial review (2026-12-07) found
to cost seconds at MACRO within the 100,000 characters the engine reads, and one that ended
judge() with a RecursionError (an HTTP 500).

Two kinds of measure, both ratios of this process's CPU time (tests/support/growth.py says how),
never absolute seconds:
- growth: 4x the body may cost at most MAX_GROWTH times the time (linear ~4, quadratic ~16);
- shape: a body nested, chained or rebinding one name costs at most MAX_SHAPE_COST times a
  body of the same size without it: a check that walks a subtree (or a chain) for each of its
  ancestors multiplies the cost by the depth (190 nested calls, 4,000 chained ones here), one
  that does not stays within a few times. (The depth such shapes reach is bounded by what parses,
  so their cost grows linearly with the number of statements: growth alone would not catch it.)
"""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge
from tests.support.growth import judging, ratio

MAX_GROWTH = 8.0
MAX_SHAPE_COST = 6.0
DEPTH = 190  # under CPython's limit of 200 nested brackets
CHAIN = 4_000  # calls chained in one statement: a chain of about 10,000 no longer parses


def _growing(n: int) -> dict[str, str]:
    """Shapes whose cost was quadratic in their size (n characters, about)."""
    return {
        "one name rebound by def in one if": "if c:\n" + " def x():0\n" * (n // 11),
        "one name rebound by import in one if": "if c:\n" + " import x\n" * (n // 10),
        "one name captured by every match case": "match v:\n"
        + "".join(f" case[{i},x]:0\n" for i in range(n // 15)),
        "a dict literal of duplicated keys": "d = {"
        + ",".join(f"a{i}:0,a{i}:1" for i in range(n // 16))
        + "}\n",
    }


@pytest.mark.parametrize("shape", sorted(_growing(100)))
def test_a_shape_that_was_quadratic_grows_linearly(shape):
    small, large = _growing(12_500)[shape], _growing(50_000)[shape]
    measured = ratio(judging(large, "file: x.py"), judging(small, "file: x.py"), limit=MAX_GROWTH)
    assert measured.value <= MAX_GROWTH, f"{shape}: 4x the input: {measured}"


def _nested(n: int) -> dict[str, tuple[str, str]]:
    """(shape, the same size without it): the shape must not multiply the cost."""
    width = n // 2
    stores = 299  # one under the guard on bindings counted before pyflakes runs
    filler = " 0\n" * (n // (3 * stores))
    calls = CHAIN * "()"
    methods = CHAIN // 2 * ".a()"
    return {
        "statements of chained calls": (
            ("f" + calls + "\n") * (n // (len(calls) + 2)),
            "f()\n" * (n // 4),
        ),
        "statements of chained method calls": (
            ("q" + methods + "\n") * (n // (len(methods) + 2)),
            "q.a()\n" * (n // 6),
        ),
        "prints nested around a wide argument list": (
            "print(" * DEPTH + "0," * width + ")" * DEPTH + "\n",
            "print(" + "0," * width + ")\n" + "print()\n" * (DEPTH // 8),
        ),
        "md5 calls nested around passwords": (
            "import hashlib\n" + "hashlib.md5(" * DEPTH + "password," * (width // 5) + ")" * DEPTH + "\n",
            "import hashlib\nhashlib.md5("
            + "password," * (width // 5)
            + ")\n"
            + "hashlib.md5()\n" * (DEPTH // 8),
        ),
        "one name stored 299 times through a long if": (
            "if c:\n" + (" x=1\n" + filler) * stores,
            "if c:\n" + "".join(f" x{i}=1\n" + filler for i in range(stores)),
        ),
    }


@pytest.mark.parametrize("shape", sorted(_nested(100)))
def test_nesting_or_rebinding_does_not_multiply_the_cost(shape):
    nested, flat = _nested(50_000)[shape]
    measured = ratio(judging(nested, "file: x.py"), judging(flat, "file: x.py"), limit=MAX_SHAPE_COST)
    assert measured.value <= MAX_SHAPE_COST, f"{shape}: against the same size without it, {measured}"


@pytest.mark.parametrize("terms", [400, 5_000])
def test_a_deep_expression_in_a_string_annotation_is_judged_not_raised(terms):
    """pyflakes parses string annotations itself, below the depth the walk measured."""
    content = "x: '" + "+".join(["a"] * terms) + "' = 1\n"
    j = judge(Cell.create(content=content, context="file: x.py"), level="MACRO")
    assert "deep-expression" in {f["rule"] for f in j.findings}
