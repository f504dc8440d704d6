"""Taint analysis: untrusted data followed from where it enters to where it does harm.

Knowledge is data, the engine is generic (semgrep's taint mode and CodeQL's data-flow libraries
are the models): spec.py says what a source, sink, sanitiser, object kind or flag can say;
python.py lists them for Python and its frameworks, per CWE; pyflow.py and pyexprs.py walk a
module with them. A finding names its rule (and so its CWE), the sink's line and the line the
data came from; its confidence says how the data is known to be untrusted (a request or the
command line: high; a file or cache, for deserialisers: lower; a public function's parameter
built into a command or query: lower still).
"""

from __future__ import annotations

import ast

from ..rules import hit
from ..vote import Finding
from .names import qualify
from .pyflow import taint_hits
from .python import PYTHON
from .spec import index
from .values import RANDOM


def _reaching_sinks(calls: list, aliases: dict[str, str], functions: list) -> set[int]:
    """id(node) of every function that calls a sink, or calls one of the module's functions that
    does (to any depth)."""
    by_name: dict[str, list] = {}
    for fn in functions:
        by_name.setdefault(fn.name, []).append(fn)
    relevant = {id(c.owner.node) for c in calls if c.owner is not None and _calls_a_sink(c, aliases)}
    changed = True
    while changed:
        changed = False
        for c in calls:
            if c.owner is None or id(c.owner.node) in relevant or not c.name:
                continue
            callee = c.name.rsplit(".", 1)[-1] if c.name.startswith(("self.", "cls.")) else c.name
            if any(id(fn.node) in relevant for fn in by_name.get(callee, ())):
                relevant.add(id(c.owner.node))
                changed = True
    return relevant


def _calls_a_sink(call, aliases: dict[str, str]) -> bool:
    parts = call.name.split(".") if call.name else []
    if not parts:
        return False
    tables = index(PYTHON)
    qualified, method = qualify(parts, aliases), (parts[-1] if len(parts) > 1 else "")
    return bool(tables["sinks"].for_call(qualified, method)) or any(
        s.label == RANDOM for s in tables["sources"].for_call(qualified, method)
    )


def might_flow(calls: list, aliases: dict[str, str], functions: list) -> bool:
    """Whether a module can hold a flow at all: it calls a sink (by name: the receiver's kind is
    not known yet, so this errs towards reading), draws a predictable number, writes a session
    or has web views (whose answers are sinks). Most modules call no sink: they are not read."""
    tables = index(PYTHON)
    roots = {v.split(".")[0] for v in aliases.values()}
    if "session" in aliases or any(fn.node is not None and fn.node.decorator_list for fn in functions):
        return True  # a session slot, or a decorated function that may be a view
    for call in calls:
        parts = call.name.split(".") if call.name else []
        if not parts:
            continue
        qualified = qualify(parts, aliases)
        method = parts[-1] if len(parts) > 1 else ""
        if tables["sinks"].for_call(qualified, method):
            return True
        if any(s.label == RANDOM for s in tables["sources"].for_call(qualified, method)):
            return True
    return bool(roots & {"flask", "django", "fastapi", "starlette", "bottle", "pyramid", "quart"}) and bool(
        functions
    )


def python_taint_findings(
    tree: ast.Module,
    aliases: dict[str, str] | None = None,
    functions: list | None = None,
    calls: list | None = None,
) -> list[Finding]:
    """Every flow of untrusted data into a sink in a Python module, as findings, by line
    (aliases: the module's imports, {local name: qualified name}; functions and calls: the
    walk's, when the module was already walked). A module that calls no sink is not walked again."""
    relevant = None
    if calls is not None and aliases is not None:
        if not might_flow(calls, aliases, functions or []):
            return []
        relevant = _reaching_sinks(calls, aliases, functions or [])
    return [
        hit(
            h.rule,
            h.line,
            h.message,
            confidence=h.confidence,
            column=h.column,
            source_line=h.source_line,
            end_line=h.end_line,
        )
        for h in taint_hits(tree, PYTHON, aliases, functions, relevant)
    ]
