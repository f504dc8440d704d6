"""Whole files are judged as whole files (issue 19): well-kept modules WAG or HOWL, one complex
function never caps a module, snippets stay as strict as before."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from cynic_app.judgment import Cell, judge

COMPLEX = """
def route(kind, size, urgent, weight, zone, fragile, member, season):
    cost = 0
    if kind == "letter":
        if size > 3:
            if urgent:
                if zone == "far":
                    if fragile:
                        cost += 9
                    else:
                        cost += 7
                else:
                    cost += 5
            else:
                cost += 3
        else:
            cost += 1
    elif kind == "parcel":
        if weight > 10 and zone == "far":
            cost += 20
        elif weight > 10 or fragile:
            cost += 15
        elif member and season == "winter":
            cost += 8
        else:
            cost += 6
    elif kind == "pallet":
        cost += 50 if urgent else 40
    for _ in range(size):
        if member:
            cost -= 1
    return cost
"""


def _documented(i: int) -> str:
    return f'\n\ndef helper_{i}(value: int) -> int:\n    """Add {i} to value."""\n    return value + {i}\n'


def test_one_complex_function_caps_a_snippet_at_growl():
    assert judge(Cell.create(content=COMPLEX)).verdict in ("GROWL", "BARK")


def test_one_complex_function_never_caps_a_whole_module():
    module = '"""Shipping rates."""\n' + "".join(_documented(i) for i in range(60)) + COMPLEX
    j = judge(Cell.create(content=module, context="file: rates.py"))
    assert j.verdict in ("HOWL", "WAG"), j.findings
    assert any(f["rule"] in ("complex-function", "deep-nesting") and f["kind"] == "smell" for f in j.findings)


def test_a_stub_alone_is_still_growl():
    assert judge(Cell.create(content="def hello(): pass\n")).verdict == "GROWL"


@pytest.mark.parametrize(
    "body",
    [
        "class Handler(Base):\n    def setup(self):\n"
        '        """Called before handle(); override to prepare."""\n        pass\n',
        "class Quiet(Base):\n    def flush(self):\n        pass\n",
        "class Null:\n    def write(self, data):\n        pass\n\n    def flush(self):\n        pass\n",
        "def _nop(*args):\n    pass\n\ncallbacks = [_nop]\n",
        "def ignore(signum, frame):\n    # SIGHUP is handled by the supervisor\n    pass\n",
    ],
)
def test_a_hook_or_a_no_op_meant_to_be_empty_is_not_a_stub(body):
    assert not [f for f in judge(Cell.create(content=body)).findings if f["rule"] == "stub"]


@pytest.mark.parametrize(
    "body",
    [
        "class A:\n    @property\n    def x(self):\n        return self._x\n\n"
        "    @x.setter\n    def x(self, v):\n        self._x = v\n\n"
        "    @x.deleter\n    def x(self):\n        del self._x\n",
        "from typing import overload\n\n@overload\ndef f(x: int) -> int: ...\n"
        "@overload\ndef f(x: str) -> str: ...\ndef f(x):\n    return x\n",
    ],
)
def test_property_setters_and_overloads_are_not_redefinitions(body):
    assert not [f for f in judge(Cell.create(content=body)).findings if f["rule"] == "redefined-function"]


SWALLOW = "\n\ndef cleanup_{i}(path):\n    try:\n        work(path)\n    except Exception:\n        pass\n"


def test_a_swallowed_error_caps_a_snippet_and_a_rare_one_only_lowers_a_module():
    assert judge(Cell.create(content=SWALLOW.format(i=0))).verdict == "GROWL"
    module = '"""Tools."""\n' + "".join(_documented(i) for i in range(80)) + SWALLOW.format(i=0)
    j = judge(Cell.create(content=module))
    assert j.verdict in ("HOWL", "WAG") and any(f["rule"] == "swallowed-error" for f in j.findings)
    dense = '"""Tools."""\n' + "".join(SWALLOW.format(i=i) for i in range(12))
    assert judge(Cell.create(content=dense)).verdict == "GROWL"


def test_a_swallowed_error_that_says_why_is_a_decision():
    body = (
        "def f(path):\n    try:\n        work(path)\n    except Exception:\n"
        "        pass  # best effort: the cache may be gone\n"
    )
    assert not [f for f in judge(Cell.create(content=body)).findings if f["rule"] == "swallowed-error"]


def _verdict(path: Path) -> tuple[str, str]:
    return path.name, judge(Cell.create(content=path.read_text(), context=f"file: {path.name}")).verdict


@pytest.mark.slow
def test_the_running_pythons_standard_library_is_wag_or_howl():
    """Every top-level module of the standard library (half of them were tuned on: a regression
    check, not evidence; docs/judgment.md quotes the held-out half)."""
    stdlib = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    verdicts = dict(map(_verdict, stdlib))
    low = {name: v for name, v in verdicts.items() if v in ("GROWL", "BARK")}
    assert len(stdlib) > 100
    assert "BARK" not in low.values(), low
    assert len(low) * 10 <= len(stdlib), low
