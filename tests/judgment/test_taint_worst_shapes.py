"""Untrusted input means linear time, and judge() never raises: the taint engine's shapes an
adversarial review (2026-12-07, the fourth) found exponential, quadratic or deep enough for a
RecursionError, in a few hundred bytes to 100 KB of Python or JavaScript.

Costs are ratios of this process's CPU time (tests/support/growth.py), never absolute seconds:
4x the body may cost at most MAX_GROWTH times the time (linear ~4, quadratic ~16, and a shape
that doubles its work with each line: thousands).
"""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge
from tests.support.growth import judging, ratio

MAX_GROWTH = 8.0

PY_HANDLER = "from flask import Flask, request\nimport os\napp = Flask(__name__)\n@app.route('/')\ndef h():\n"
JS_HANDLER = (
    "const express = require('express');\nconst cp = require('child_process');\nconst app = express();\n"
)


def shared_halves(lines: int, language: str) -> str:
    """A value made of two copies of itself, again and again: a tree of 2**lines leaves that is
    `lines` values, shared."""
    if language == "python":
        return PY_HANDLER + "    x = request.args['a']\n" + "    x = [x, x]\n" * lines + "    os.system(x)\n"
    body = "let x = req.query.a;\n" + "x = [x, x];\n" * lines + "cp.exec(x);\n"
    return JS_HANDLER + "app.get('/', (req, res) => {\n" + body + "});\n"


def many_origins_many_sinks(n: int, language: str) -> str:
    """One variable gathers n request values, then n sinks use it."""
    if language == "python":
        return PY_HANDLER + "    x = ''\n" + "    x += request.args['a']\n" * n + "    os.system(x)\n" * n
    body = "  let x = '';\n" + "  x += req.query.a;\n" * n + "  cp.exec(x);\n" * n
    return "const cp=require('child_process');\nfunction h(req, res) {\n" + body + "}\n"


def helper_chain(n: int, language: str) -> str:
    """f0 calls f1 calls ... f<n>, which runs a shell command."""
    if language == "python":
        calls = "".join(f"def f{i}(a):\n    return f{i + 1}(a)\n" for i in range(n))
        return f"import os\n{calls}def f{n}(a):\n    os.system(a)\n"
    calls = "".join(f"function f{i}(a) {{ return f{i + 1}(a); }}\n" for i in range(n))
    return f"const cp=require('child_process');\n{calls}function f{n}(a) {{ cp.exec(a); }}\n"


def sink_chain(n: int) -> str:
    """Each function runs a shell command with its parameter and calls the one before."""
    first = "import os\ndef f0(a):\n    os.system(a)\n"
    return first + "".join(f"def f{i}(a):\n    os.system(a)\n    return f{i - 1}(a)\n" for i in range(1, n))


def assert_grows_linearly(small: str, large: str, context: str) -> None:
    """large (4x small) costs at most MAX_GROWTH times small's CPU time."""
    measured = ratio(judging(large, context), judging(small, context), limit=MAX_GROWTH)
    assert measured.value <= MAX_GROWTH, f"{context}: 4x the input: {measured}"


def context_of(language: str) -> str:
    return "file: x.py" if language == "python" else "file: x.js"


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_value_made_of_copies_of_itself_costs_its_lines(language):
    large = shared_halves(20, language)
    assert_grows_linearly(shared_halves(5, language), large, context_of(language))
    found = judge(Cell.create(content=large, context=context_of(language))).findings
    assert "shell-injection" in [f["rule"] for f in found]  # still followed through the copies


def test_a_tuple_doubled_again_and_again_is_not_built():
    doubled = "import os\nt = (0,)\n{}os.system(t)\n".format  # 2**40 items at 40 lines
    assert_grows_linearly(doubled("t = t + t\n" * 10), doubled("t = t + t\n" * 40), "file: x.py")


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_many_origins_reaching_many_sinks_cost_linear_time(language):
    small, large = many_origins_many_sinks(300, language), many_origins_many_sinks(1200, language)
    assert_grows_linearly(small, large, context_of(language))


def test_a_chain_of_functions_each_with_a_sink_costs_linear_time():
    assert_grows_linearly(sink_chain(250), sink_chain(1000), "file: x.py")


def deeper(frames: int, call):
    """call() made `frames` Python frames further down the stack (a worker calls judge() deeper
    than a test does)."""
    return call() if frames == 0 else deeper(frames - 1, call)


@pytest.mark.parametrize(
    ("language", "content"),
    [
        ("python", helper_chain(400, "python")),
        ("javascript", helper_chain(400, "javascript")),
        ("python", "import os\nx = input()\n" + "x = [x]\n" * 3000 + "os.system(x)\n"),
        ("javascript", "const cp=require('child_process');\nlet x = process.argv[2];\n"
         + "x = [x];\n" * 3000 + "cp.exec(x);\n"),
    ],
    ids=["python helpers", "javascript helpers", "python nested lists", "javascript nested lists"],
)  # fmt: skip
def test_deep_calls_and_values_neither_raise_nor_depend_on_the_callers_stack(language, content):
    cell = Cell.create(content=content, context=context_of(language))
    at_top = judge(cell, judgment_id="j")
    below = deeper(300, lambda: judge(cell, judgment_id="j"))
    assert (at_top.verdict, at_top.q_score, at_top.findings) == (below.verdict, below.q_score, below.findings)


def long_chain_then_a_short_flow(n: int) -> str:
    """A chain of n helpers, walked first, and a view whose request value enters it three calls
    from the sink: that flow must be found whatever else the module holds."""
    calls = "".join(f"def f{i}(a):\n    return f{i + 1}(a)\n\n" for i in range(n - 1))
    return (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
        f"{calls}def f{n - 1}(a):\n    return os.system(a)\n\n"
        f"@app.route('/x')\ndef short_view():\n    f{n - 3}(request.args['c'])\n    return 'ok'\n"
    )


def chain_of_nested_blocks(n: int) -> str:
    """n helpers, each calling the next from inside eight nested blocks (each helper uses many
    frames of the walk: a count of functions alone did not bound the stack)."""
    step = (
        "def step{i}(value):\n    for item in value:\n        if item:\n            try:\n"
        "                while item:\n                    if value:\n                        with lock:\n"
        "                            if item != value:\n                                for x in item:\n"
        "                                    return str(step{j}(value))\n            except OSError:\n"
        "                pass\n\n"
    )
    steps = "".join(step.format(i=i, j=i + 1) for i in range(n))
    return f"import os\nfrom flask import request\n\n{steps}def step{n}(v):\n    os.system(v)\n\n" + (
        "def view():\n    return step0(request.args['c'])\n"
    )


def test_a_short_flow_is_found_after_a_long_chain_was_walked():
    for n in (26, 40):
        found = judge(Cell.create(content=long_chain_then_a_short_flow(n), context="file: x.py")).findings
        flows = [f["message"] for f in found if f["rule"] == "shell-injection" and f["line"] == n * 3 + 3]
        assert any("request.args" in m for m in flows), (n, flows)


@pytest.mark.parametrize("n", [24, 60])
def test_helpers_of_nested_blocks_neither_raise_nor_depend_on_the_callers_stack(n):
    cell = Cell.create(content=chain_of_nested_blocks(n), context="file: x.py")
    at_top = judge(cell, judgment_id="j")
    for frames in (100, 300):
        below = deeper(frames, lambda: judge(cell, judgment_id="j"))
        assert (below.verdict, below.findings) == (at_top.verdict, at_top.findings), frames


def test_which_sinks_a_long_summary_keeps_does_not_depend_on_the_hash_seed():
    """Two sinks of one call tie in the order a summary is trimmed by; set order decided which
    one a summary of more than 64 kept."""
    import subprocess
    import sys

    source = "\n".join(
        ["import os", "import subprocess", "", "def run_all(a):", *["    os.system(a)"] * 63,
         "    subprocess.call(a, shell=True)", ""]
    )  # fmt: skip
    program = (
        "import sys, json\nfrom cynic_app.judgment import Cell, judge\n"
        "j = judge(Cell.create(content=sys.stdin.read(), context='file: x.py'), judgment_id='j')\n"
        "print(json.dumps(j.findings, sort_keys=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program], input=source, capture_output=True, text=True, check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "2", "3", "4")
    }  # fmt: skip
    assert len(outputs) == 1


def nested_free_chain(n: int) -> str:
    """A view holding n names and n nested functions, each calling the one before and running a
    shell command with a name of its own from the view (the review of 75098cc: 2.7-3.1 s at
    1,440, every level resolving every kept entry again)."""
    lines = ["import os", "from flask import request", "def view():", '    c = request.args["c"]']
    lines += [f"    v{i} = c" for i in range(n)]
    for i in range(n):
        lines += [f"    def f{i}():", *([f"        f{i - 1}()"] if i else []), f"        os.system(v{i})"]
    return "\n".join([*lines, f"    f{n - 1}()", ""])


def test_nested_functions_each_with_a_free_name_at_a_sink_cost_linear_time():
    assert_grows_linearly(nested_free_chain(300), nested_free_chain(1200), "file: x.py")
