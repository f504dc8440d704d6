"""Defects and smells in Python, read from the one walk's facts (pywalk.py).

Thresholds are the field's: McCabe complexity above 10 is worth a look and above 15 is a
function a reviewer sends back (lizard's default); nesting deeper than 4 inside a function.
"""

from __future__ import annotations

import ast

from .patterns import linear
from .pyexpr import SUBTREE_NODES, depth_within, unparse, walk_bounded
from .pyfacts import Function
from .pywalk import PyFacts
from .rules import hit
from .vote import Finding

COMPLEXITY_SMELL = 10
COMPLEXITY_DEFECT = 15
MAX_FUNCTION_DEPTH = 4
LONG_FUNCTION_LINES = 50
MAX_ARGS = 5
_FIRE_AND_FORGET = frozenset(
    {"create_task", "ensure_future", "submit", "run_coroutine_threadsafe", "run_in_executor"}
)
_BREAKPOINTS = frozenset(
    {"breakpoint", "pdb.set_trace", "ipdb.set_trace", "pudb.set_trace", "pdb.post_mortem"}
)
_CHECK_PREFIXES = (
    "is_",
    "has_",
    "can_",
    "check",
    "verify",
    "validate",
    "authori",
    "authenticate",
    "allowed",
    "permit",
)
_UNFINISHED_RE = linear(
    "comment-unfinished", r"(?i)\b(?:todo|fixme|xxx|stub|not (?:yet )?implemented|later)\b"
)
_DEBUG_MARKER_RE = linear("debug-marker", r"(?i)\b(?:debug|here|xxx)\b|>>>|!!!|===|--->")


def hygiene_findings(py: PyFacts, lines: list[str] | None = None) -> list[Finding]:
    """Defects and smells of the unit (not security: see pysecurity.py), in line order."""
    found: list[Finding] = []
    intended = _intended_empty(py, lines)
    for fn in py.functions:
        found += _function_findings(fn, intended)
    for h in py.handlers:
        if h.broad and h.drops and not (h.cleanup and not h.bare) and not _explained(h, lines):
            what = "bare except" if h.bare else "except Exception"
            found.append(hit("swallowed-error", h.lineno, f"{what} swallows every error"))
        elif h.bare:
            found.append(hit("bare-except", h.lineno, "bare except also catches KeyboardInterrupt"))
    for call in py.calls:
        found += _call_findings(py, call)
    found += [hit("unreachable-code", line, "code after return/raise never runs") for line in py.unreachable]
    found += [
        hit("constant-condition", line, f"the block under `{test}` never runs")
        for line, test in py.constant_conditions
    ]
    found += [
        hit("redefined-function", line, f"{name}() is defined again, hiding the first")
        for name, line in py.redefined
    ]
    found += _unused_private_functions(py)
    found += _leaks(py)
    for name, value, line in py.bool_assignments:
        if value is True and name.rsplit(".", 1)[-1] in ("DEBUG", "debug"):
            found.append(hit("debug-mode", line, f"{name} = True left on"))
    for node in py.compares:
        other = node.comparators[0]
        if isinstance(other, ast.Constant) and (other.value is None or isinstance(other.value, bool)):
            found.append(
                hit(
                    "bool-compare",
                    node.lineno,
                    f"compares with {other.value!r} using ==: use `is` or the value",
                )
            )
    return sorted(found, key=lambda f: f.line)


def _intended_empty(py: PyFacts, lines: list[str] | None) -> set[int]:
    """Line numbers of empty functions meant to be empty: a base's method a subclass in the module
    defines again (a hook), a fallback for a name defined elsewhere in the module with a body, a
    function used as a value (a no-op callback, a placeholder whose type is wanted), a method of a
    class whose methods all do nothing (a null object), or one whose body says why in a comment."""
    bases = {name: b for name, (_, _, b) in py.classes.items()}
    overridden = {(base, fn.name) for fn in py.functions if fn.cls for base in bases.get(fn.cls, ())}
    with_body = {fn.name for fn in py.functions if not fn.is_stub}
    by_class: dict[str, list[Function]] = {}
    for fn in py.functions:
        if fn.cls:
            by_class.setdefault(fn.cls, []).append(fn)
    null_objects = {
        c
        for c, fns in by_class.items()
        if all((f.is_stub and not f.raises_not_implemented) or f.name == "__init__" for f in fns)
    }
    intended = set()
    for fn in py.functions:
        if not fn.is_stub:
            continue
        if (
            (fn.cls, fn.name) in overridden
            or fn.name in with_body
            or fn.name in py.names_referenced
            or (fn.cls in null_objects and len(by_class[fn.cls]) > 1)
            or _comment_says_why(fn, lines)
        ):
            intended.add(fn.lineno)
    return intended


def _comment_says_why(fn: Function, lines: list[str] | None) -> bool:
    if not lines:
        return False
    for n in range(fn.lineno, min(fn.end_line, len(lines)) + 1):
        text = lines[n - 1]
        at = text.find("#")
        if at >= 0 and not _UNFINISHED_RE.search(text[at:]):
            return True
    return False


def _explained(handler, lines: list[str] | None) -> bool:
    """A handler that says, in a comment, why it ignores the error made a decision."""
    if not lines:
        return False
    for n in range(handler.lineno, min(handler.end_line, len(lines)) + 1):
        at = lines[n - 1].find("#")
        if at >= 0 and not _UNFINISHED_RE.search(lines[n - 1][at:]):  # "# TODO: retry" explains nothing
            return True
    return False


def _function_findings(fn: Function, intended: set[int]) -> list[Finding]:
    found = []
    where, end = fn.lineno, fn.end_line
    if fn.is_stub and where not in intended:
        found.append(hit("stub", where, f"{fn.name}() is a stub that does nothing"))
    elif fn.always_true and fn.name.lower().startswith(_CHECK_PREFIXES):
        found.append(
            hit("always-true-check", where, f"{fn.name}() always returns True: the check is missing")
        )
    if fn.complexity > COMPLEXITY_DEFECT:
        found.append(
            hit(
                "complex-function",
                where,
                f"{fn.name}() has cyclomatic complexity {fn.complexity}",
                end_line=end,
            )
        )
    elif fn.complexity > COMPLEXITY_SMELL:
        found.append(
            hit(
                "moderate-complexity",
                where,
                f"{fn.name}() has cyclomatic complexity {fn.complexity}",
                end_line=end,
            )
        )
    if fn.depth > MAX_FUNCTION_DEPTH:
        found.append(
            hit("deep-nesting", where, f"{fn.name}() nests blocks {fn.depth} levels deep", end_line=end)
        )
    if fn.length > LONG_FUNCTION_LINES:
        severity = 0.3 if fn.length > 2 * LONG_FUNCTION_LINES else None
        found.append(
            hit(
                "long-function",
                where,
                f"{fn.name}() is {fn.length} lines long",
                severity=severity,
                end_line=end,
            )
        )
    if fn.n_args > MAX_ARGS:
        severity = 0.3 if fn.n_args > 7 else None
        found.append(
            hit(
                "many-arguments",
                where,
                f"{fn.name}() takes {fn.n_args} arguments",
                severity=severity,
                end_line=end,
            )
        )
    return found


def _call_findings(py: PyFacts, call) -> list[Finding]:
    name, line = call.name, call.lineno
    base = name.rsplit(".", 1)[-1]
    if name in _BREAKPOINTS:
        return [hit("breakpoint", line, f"{name}() stops the program in a debugger")]
    if (
        isinstance(call.parent, ast.Expr)
        and base in _FIRE_AND_FORGET
        and ("." in name or base == "ensure_future")
    ):
        return [hit("fire-and-forget", line, f"{name}() result dropped: its errors are never seen")]
    if name in ("print", "pprint", "pprint.pprint") and _is_debug_print(py, call):
        if _looks_like_a_dump(call.node):
            return [hit("debug-print", line, "print() left in library code: use logging")]
        return [hit("debug-print", line, "print() in library code: use logging", confidence=0.4)]
    if name.endswith(
        ("requests.get", "requests.post", "requests.put", "requests.delete", "requests.request")
    ):
        if not any(k.arg == "timeout" for k in call.node.keywords):
            return [hit("no-timeout", line, f"{name}() without a timeout can hang forever")]
    return []


def _is_debug_print(py: PyFacts, call) -> bool:
    """A print is output in a command-line program, and a leftover anywhere else."""
    node = call.node
    if any(k.arg == "file" for k in node.keywords):
        return False
    text = " ".join(
        n.value.lower()
        for a in node.args
        for n in walk_bounded(a, SUBTREE_NODES)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    if _DEBUG_MARKER_RE.search(text):
        return True
    return not py.is_cli


def _looks_like_a_dump(node: ast.Call) -> bool:
    """A debugging print: a marker (DEBUG, here, >>>), a "name =" label, or bare values only."""
    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if any(_DEBUG_MARKER_RE.search(t) or t.rstrip().endswith(("=", ":")) for t in texts):
        return True
    if isinstance(node.args[0] if node.args else None, ast.JoinedStr):
        parts = node.args[0].values
        literal = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
        return bool(_DEBUG_MARKER_RE.search(literal)) or literal.rstrip().endswith("=")
    return bool(node.args) and all(isinstance(a, (ast.Name, ast.Attribute, ast.Subscript)) for a in node.args)


def _unused_private_functions(py: PyFacts) -> list[Finding]:
    found = []
    for fn in py.functions:
        if (
            fn.cls is None
            and fn.name.startswith("_")
            and not fn.name.startswith("__")
            and fn.name not in py.names_used
        ):
            found.append(hit("unused-private-function", fn.lineno, f"{fn.name}() is never called"))
    return found


def _leaks(py: PyFacts) -> list[Finding]:
    found = []
    for owner, name, line, opener in py.opened:
        if not name:
            found.append(hit("resource-leak", line, f"{opener}() result is never closed"))
        elif (owner, name) not in py.closed:
            found.append(hit("resource-leak", line, f"{name} = {opener}() is never closed: use with"))
    return found


def import_findings(py: PyFacts) -> list[Finding]:
    """CARTOGRAPHER's map: how the unit imports and how widely it reaches."""
    found: list[Finding] = []
    for module, wildcard, relative, line in py.imports:
        # a package re-exporting its own modules' declared names (asyncio's __init__) is no wildcard
        if wildcard and not (relative and py.declares_all):
            found.append(hit("wildcard-import", line, f"from {module} import *"))
    roots = {m.split(".")[0] for m, _, rel, _ in py.imports if m and not rel}
    if len(roots) > 10 + py.n_lines // 100:
        severity = 0.35 if len(roots) > 20 + py.n_lines // 100 else None
        found.append(
            hit("fan-out", py.imports[-1][3], f"fans out to {len(roots)} modules", severity=severity)
        )
    seen: set[tuple[str, str]] = set()
    for bound, what, line in py.module_imports:
        if (bound, what) in seen:
            found.append(hit("duplicate-import", line, f"{what} imported again as {bound}"))
        seen.add((bound, what))
    return found


def structure_findings(py: PyFacts, tree: ast.Module) -> list[Finding]:
    """ARCHITECT's view: imports, nesting, class sizes, work done at import time. What counts
    as many imports or classes grows with the unit: a thousand-line module holds more of both
    than a snippet."""
    found = []
    scale = py.n_lines // 100
    modules = list(
        dict.fromkeys((m, rel) for m, _, rel, _ in py.imports)
    )  # from x import a; from x import b: one
    if len(modules) > 15 + scale:
        line = next(ln for m, _, rel, ln in py.imports if (m, rel) == modules[15])
        found.append(hit("many-imports", line, f"{len(modules)} modules imported in one unit"))
    if py.max_depth > 4:
        severity = 0.35 if py.max_depth > 6 else None
        found.append(
            hit("nesting", py.deepest_line, f"control flow nested {py.max_depth} levels", severity=severity)
        )
    for name, (line, methods, _) in py.classes.items():
        if methods > 15:
            severity = 0.35 if methods > 25 else None
            found.append(
                hit(
                    "large-class",
                    line,
                    f"class {name} has {methods} methods",
                    severity=severity,
                    end_line=py.class_ends.get(name, line),
                )
            )
    if len(py.classes) > 5 + scale // 2:
        sixth = sorted(line for line, _, _ in py.classes.values())[5]
        found.append(hit("many-classes", sixth, f"{len(py.classes)} classes in one unit"))
    if py.functions and py.n_statements > 40 and py.top_level / max(1, py.n_statements) > 0.5:
        found.append(hit("import-time-work", 1, "most statements run at import time"))
    return found


def duplicate_literal_findings(py: PyFacts, counts) -> list[Finding]:
    first_line = {}
    for s, line in py.strings:
        first_line.setdefault(s, line)
    dupes = [s for s, n in counts.items() if n >= 3]
    return [
        hit("duplicate-literal", first_line[s], f"the literal {s[:30]!r} appears {counts[s]} times")
        for s in dupes[:3]
    ]


def contradiction_findings(py: PyFacts) -> list[Finding]:
    """Assertions that cannot hold and annotations the code itself breaks."""
    found: list[Finding] = []
    seen: set[str] = set()
    for node in py.asserts:
        test = node.test
        if isinstance(test, ast.Tuple) and test.elts:
            found.append(hit("contradiction", node.lineno, "assert on a tuple is always true"))
        elif isinstance(test, ast.Constant) and not test.value:
            found.append(hit("assert-constant", node.lineno, "assert of a false constant"))
        text = unparse(test)
        negated = text[4:] if text.startswith("not ") else f"not {text}"
        if negated in seen or f"not ({text})" in seen:
            found.append(
                hit("contradiction", node.lineno, f"asserts both {text} and its negation", severity=0.5)
            )
        seen.add(text)
        if isinstance(test, ast.Compare) and len(test.comparators) == 1:
            left, right = test.left, test.comparators[0]
            if depth_within(test, 60) and ast.dump(left) == ast.dump(right):
                found.append(hit("self-compare", node.lineno, "compares a value with itself"))
    for fn in py.functions:
        expected = _ANNOTATION_TYPES.get(fn.returns or "")
        if expected and any(kind not in expected for kind in fn.return_kinds):
            found.append(
                hit(
                    "broken-annotation",
                    fn.lineno,
                    f"{fn.name}() is annotated -> {fn.returns} but returns otherwise",
                )
            )
    return found


_ANNOTATION_TYPES = {
    "int": ("int",),
    "str": ("str",),
    "bool": ("bool",),
    "float": ("float", "int"),
    "bytes": ("bytes",),
    "None": ("NoneType",),
}
