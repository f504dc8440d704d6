"""Issue 20: a body of any shape is judged in time linear in its size, and no nesting exhausts
Python's stack. Growth is measured as a ratio of CPU times between n and 4n characters, never as an
absolute time: the machine is shared (tests/support/growth.py says how)."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge
from tests.support.growth import judging, ratio

N = 25_000
#: 4x the input may cost at most this many times the time (linear: ~4; quadratic: ~16).
MAX_GROWTH = 8.0
#: A chain a.b.b… may cost at most this many times what a sum a+b+b… of its size does.
MAX_OVER_A_SUM = 5.0


MINIFIED = "var a=function(b,c){return b+c},d=a(1,2);if(d>2){e(d)}else{f(d)};"


def shapes(n: int) -> dict[str, str]:
    """Bodies of at most n characters (4N is the engine's 100,000: a longer one is cut, and no
    longer the shape it claims to be)."""
    return {
        "one line of a1 then Math.random": "a1" * ((n - 100) // 2) + "\nconst token = Math.random();\n",
        "nested brackets": "x = " + "[" * ((n - 100) // 2) + "]" * ((n - 100) // 2),
        "nested calls": "f(" * (n // 3) + ")" * (n // 3),
        "huge template literal": "const s = `" + "${a}b" * ((n - 100) // 5) + "`;",
        "minified one-liner": MINIFIED * ((n - 100) // len(MINIFIED)),
        "nested callbacks": "app.get('/', (req, res) => {" * (n // 40) + "});" * (n // 40),
        "nested blocks": "function f(req,res){" + "if (a) {" * (m := (n - 100) // 9) + "}" * m + "}",
        **chains(n),
    }


def chains(n: int, link: str = ".b") -> dict[str, str]:
    """A chain a.b.b… of about n characters read in each way a statement reads one; with link
    "+b", the same statements around a sum a+b+b… of its size."""
    c = "a" + link * ((n - 100) // len(link))  # within the 100,000 characters a cell is read to
    return {
        "long member chain": f"const y = {c};\neval(y);\n",
        "long member chain in two loops": f"for (;;) {{ for (;;) {{ const y = {c}; eval(y); }} }}\n",
        "long member chain from a source": f"eval(req.query{c[1:]});\n",
        "call of a long member chain": f"{c}(req.query.x);\n",
        "assignment to a long member chain": f"{c} = req.query.x;\n"
        if link == ".b"
        else f"{c}+(x = req.query.x);\n",
    }


@pytest.mark.parametrize("context", ["file: big.js", "file: big.ts"])
@pytest.mark.parametrize("shape", sorted(shapes(100)))
def test_judging_grows_linearly_with_the_size_of_the_body(shape, context):
    small, large = shapes(N)[shape], shapes(4 * N)[shape]
    measured = ratio(judging(large, context), judging(small, context), limit=MAX_GROWTH)
    assert measured.value <= MAX_GROWTH, f"{shape}: 4x the input: {measured}"


@pytest.mark.parametrize("shape", sorted(chains(100)))
def test_a_long_member_chain_costs_what_a_sum_of_its_size_does(shape):
    """Each link of a.b.b… is read a bounded number of times, however long the chain: not the
    whole chain below it again at each of its links (to MAX_DEPTH: ~60 times the cost of
    a+b+b…, linear in the size, so only this comparison, not the growth, tells)."""
    chain, total = chains(4 * N)[shape], chains(4 * N, "+b")[shape]
    measured = ratio(judging(chain, "file: big.js"), judging(total, "file: big.js"), limit=MAX_OVER_A_SUM)
    assert measured.value <= MAX_OVER_A_SUM, f"{shape}: against a sum of its size, {measured}"


def test_shell_grows_linearly_too():
    line = 'echo "$HOME" | grep x && rm -rf "$X" || true\n'
    large, small = (judging(line * (n // len(line)), "file: a.sh") for n in (4 * N, N))
    measured = ratio(large, small, limit=MAX_GROWTH)
    assert measured.value <= MAX_GROWTH, f"4x the script: {measured}"


@pytest.mark.parametrize("depth", [50_000])
def test_a_50000_deep_nesting_is_judged_without_exhausting_the_stack(depth):
    for body in ("x = " + "[" * depth + "]" * depth, "f(" * depth + ")" * depth, "{" * depth + "}" * depth):
        assert judge(Cell.create(content=body, context="file: deep.js")).verdict
