"""A regular expression written in the code that can backtrack catastrophically is told from one
that cannot, in one pass over its text (regexscan.py)."""

from __future__ import annotations

import pytest

from cynic_app.judgment.regexscan import nested_quantifier
from tests.support.growth import Work, ratio, work

CASES = {
    r"(a+)+$": True,
    r"(a{1,3})+$": True,
    r"^(\w+\s?)*$": True,
    r"(x|y+){2,}$": True,
    r"(\s*,\s*)+$": True,
    r"(?:a+?)+b": True,
    r"^([a-z]+)*$": True,
    r"(.+)+x": True,
    r"(?:[^\s\"']+|\"[^\"]*\")+": False,
    r"^(?:[0-9a-zA-Z+/]{4})*$": False,
    r"^[a-z0-9]+(?:\s[a-z0-9]+)*$": False,
    r"^(\d+|\w+)*$": True,
    r"a+b*": False,
    r"(ab)+": False,
    r"[(a+)+]": False,
    r"^([a-z0-9._-]{1,64})$": False,
    r"(\d+)?": False,
    r"((ab)*c)+": False,
    r"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9]+$": False,
    r"(\.\w+)*": False,
    r"{abc}": False,
}


@pytest.mark.parametrize(("pattern", "backtracks"), sorted(CASES.items()))
def test_nested_repeats_that_split_input_many_ways_are_told_apart(pattern, backtracks):
    assert nested_quantifier(pattern) is backtracks


def test_the_scan_is_linear_in_the_length_of_the_pattern():
    def scan(n: int) -> Work:
        pattern = "(" * n + "a+" + ")+" * n + "[" + "\\]" * n + "]" + "{" * n
        return work(lambda: nested_quantifier(pattern))

    measured = ratio(scan(80_000), scan(20_000), limit=8.0)
    assert measured.value <= 8.0, f"4x the pattern: {measured}"
