"""Issue 20: a body of any shape is judged in time linear in its size, and no nesting exhausts
Python's stack. Growth is measured as a ratio of CPU times between n and 4n characters (the best
of three runs each), never as an absolute time: the machine is shared."""

from __future__ import annotations

import time

import pytest

from cynic_app.judgment import Cell, judge

N = 25_000
#: 4x the input may cost at most this many times the time (linear: ~4; quadratic: ~16).
MAX_GROWTH = 8.0


def shapes(n: int) -> dict[str, str]:
    return {
        "one line of a1 then Math.random": "a1" * (n // 2) + "\nconst token = Math.random();\n",
        "nested brackets": "x = " + "[" * (n // 2) + "]" * (n // 2),
        "nested calls": "f(" * (n // 3) + ")" * (n // 3),
        "huge template literal": "const s = `" + "${a}b" * (n // 5) + "`;",
        "minified one-liner": "var a=function(b,c){return b+c},d=a(1,2);if(d>2){e(d)}else{f(d)};" * (n // 62),
        "nested callbacks": "app.get('/', (req, res) => {" * (n // 40) + "});" * (n // 40),
        "nested blocks": "function f(req,res){" + "if (a) {" * (n // 9) + "}" * (n // 9) + "}",
    }


def cpu_seconds(content: str, context: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        judge(Cell.create(content=content, context=context), level="MACRO")
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("context", ["file: big.js", "file: big.ts"])
@pytest.mark.parametrize("shape", sorted(shapes(100)))
def test_judging_grows_linearly_with_the_size_of_the_body(shape, context):
    small, large = shapes(N)[shape], shapes(4 * N)[shape]
    ratio = cpu_seconds(large, context) / max(cpu_seconds(small, context), 1e-3)
    assert ratio <= MAX_GROWTH, f"{shape}: 4x the input cost {ratio:.1f}x the time"


def test_shell_grows_linearly_too():
    line = 'echo "$HOME" | grep x && rm -rf "$X" || true\n'
    ratio = cpu_seconds(line * (4 * N // len(line)), "file: a.sh") / cpu_seconds(
        line * (N // len(line)), "file: a.sh"
    )
    assert ratio <= MAX_GROWTH


@pytest.mark.parametrize("depth", [50_000])
def test_a_50000_deep_nesting_is_judged_without_exhausting_the_stack(depth):
    for body in ("x = " + "[" * depth + "]" * depth, "f(" * depth + ")" * depth, "{" * depth + "}" * depth):
        assert judge(Cell.create(content=body, context="file: deep.js")).verdict
