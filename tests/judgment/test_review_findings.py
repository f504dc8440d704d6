"""Failures of the judge found by an adversarial review (issue 19's invariants and targets).

Each test reproduces one behaviour that breaks a stated invariant or target: a crash or a hang,
a false BARK or GROWL on clean code, a missed hole, or a wrong detail in a finding. They fail on
the judge as reviewed (commit abb86e3); each docstring says what is wrong and why it matters.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.engine import JUDGED_CHARS


def _judge(content: str, name: str = "x.py", level: str | None = "MICRO"):
    return judge(Cell.create(content=content, context=f"file: {name}"), level=level)


def _active(j, rule: str) -> list[dict]:
    """The findings of a rule that count (not suppressed)."""
    return [f for f in j.findings if f["rule"] == rule and not f["suppressed"]]


def _cpu_seconds(fn) -> float:
    """CPU time of this process for one call (other processes on a busy machine take wall time,
    not this process's CPU time), as test_linear.py measures it."""
    gc.disable()
    try:
        started = time.process_time()
        fn()
        return time.process_time() - started
    finally:
        gc.enable()


def _peak_bytes(fn) -> int:
    """The most memory Python allocated during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- crash or hang ---------------------------------------------------------------------------------


def test_folding_a_string_method_with_a_huge_width_does_not_crash():
    """`"a".zfill(10**20)` written as a literal makes the taint engine's constant folding call
    str.zfill with a width that does not fit a C ssize_t: OverflowError escapes judge() (only
    TypeError and ValueError are caught in pyexprs.Evaluator._modelled), which is a 500 in the
    service for a three-line cell. "No input may crash judge()"."""
    content = 'import os\nwidth = "a".zfill(100000000000000000000)\nos.system(width)\n'
    j = _judge(content)
    assert j.verdict in ("HOWL", "WAG", "GROWL", "BARK")


def test_folding_chained_string_replaces_does_not_exhaust_memory():
    """str methods are folded without the FOLD_LIMIT that `+`, `*` and f-strings respect: two
    `replace` calls square a 10,000-character literal twice, and the second asks for 10**16
    characters. MemoryError escapes judge() (a 500); a smaller chain takes seconds and gigabytes
    instead. "No input may crash judge()"."""
    content = (
        "import os\n"
        'a = "a" * 10000\n'
        'b = a.replace("a", a)\n'
        'c = b.replace("a", b)\n'
        "os.system(c)\n"
    )
    j = _judge(content)
    assert j.verdict in ("HOWL", "WAG", "GROWL", "BARK")


def test_folding_int_times_str_respects_the_fold_limit():
    """`_fold` bounds `"ab" * n` before computing it but not `n * "ab"` (the int on the left): a
    40-character cell makes the judge build a 40 MB string (and 10**9 makes it allocate 2 GB and
    take seconds) only to throw it away because it is over FOLD_LIMIT."""
    content = 'import os\nbanner = 20000000 * "ab"\nos.system(banner)\n'
    peak = _peak_bytes(lambda: _judge(content))
    assert peak < 10_000_000, f"{peak / 1e6:.0f} MB allocated to judge a 3-line cell"


def test_folding_a_percent_format_with_a_huge_precision_respects_the_fold_limit():
    """`"%.99999999f" % 1.0` is folded by calling the real `%` operator: 100 MB are formatted (and
    `%.999999999f` took 3.5 s of CPU and 1 GB) before the result is found to exceed FOLD_LIMIT.
    A 30-character cell must not cost more than a 100,000-character one (≤ 0.5 s at MACRO)."""
    content = 'import os\nx = "%.99999999f" % 1.0\nos.system(x)\n'
    peak = _peak_bytes(lambda: _judge(content))
    assert peak < 10_000_000, f"{peak / 1e6:.0f} MB allocated to judge a 3-line cell"


def test_a_match_with_many_cases_binding_one_name_is_judged_in_half_a_second():
    """pyflakes (CARTOGRAPHER, MACRO) is quadratic in the number of bindings of one name across
    the alternatives of one fork (Checker.differentForks walks every case for every binding): a
    71,000-character function whose match has 1,600 cases that each set `name` takes ~2.5 s of
    CPU (3,200 cases, under 100,000 characters, take ~12 s). The target is ≤ 0.5 s for any
    100,000-character body at MACRO; a node's worker is blocked meanwhile."""
    cases = "".join(f"        case {i}:\n            name = 'k{i}'\n" for i in range(1600))
    content = "def kind(code):\n    match code:\n" + cases + "    return name\n"
    assert len(content) < JUDGED_CHARS
    cell = Cell.create(content=content, context="file: codes.py")
    took = _cpu_seconds(lambda: judge(cell, level="MACRO"))
    assert took <= 0.5, f"{took:.2f} s"
