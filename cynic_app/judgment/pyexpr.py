"""Readers of Python syntax that the walk and the checks share: names, built strings, how
dynamic a value is, what a statement does. None of them recurses without a bound, so a
pathological expression (a thousand chained calls, a 600-term sum) cannot exhaust the stack.
"""

from __future__ import annotations

import ast

#: The most links (attributes and calls) of a chain dotted_name reads: no name a rule knows is
#: near this long (the longest chain called in Python 3.13's standard library, vendored packages
#: included, has 36), and a chain read whole for each of its calls costs its length squared
#: (3.4 s for ``f()()…`` 8,000 calls long).
MAX_NAME_LINKS = 40


def dotted_name(node: ast.AST | None) -> str:
    """Return "a.b.c" for Name/Attribute chains ("f.x" for f().x), "" for anything else
    (a chain of more than MAX_NAME_LINKS links among them).

    Iterative, and bounded: a chain of a thousand calls or attributes costs MAX_NAME_LINKS steps."""
    parts: list[str] = []
    for _ in range(MAX_NAME_LINKS + 1):
        kind = type(node)  # the ast classes are never subclassed: identity is isinstance, faster
        if kind is _ATTRIBUTE:
            parts.append(node.attr)
            node = node.value
        elif kind is _CALL:
            node = node.func
        elif kind is _NAME:
            parts.append(node.id)
            return ".".join(reversed(parts))
        else:
            return ""
    return ""


_ATTRIBUTE, _CALL, _NAME = ast.Attribute, ast.Call, ast.Name


#: The most nodes of a call's argument a check of that call reads (walk_bounded): a literal, a
#: label or a name it looks for sits near the top, and calls nested 190 deep around a long
#: argument list would otherwise be read 190 times (10.7 s for 97 KB of prints).
SUBTREE_NODES = 256


def walk_bounded(node: ast.AST, limit: int) -> list[ast.AST]:
    """The first limit nodes of node's subtree, breadth first (node included): a check that
    reads the subtree of each call costs at most limit per call, not the depth times the width
    of calls nested around a long argument list."""
    found = [node]
    for current in found:  # grows while it is read, up to limit
        for child in ast.iter_child_nodes(current):
            if len(found) >= limit:
                return found
            found.append(child)
    return found


def depth_within(node: ast.AST, limit: int) -> bool:
    """True when node's subtree is at most limit levels deep (checked without recursion)."""
    frontier = [(node, 0)]
    while frontier:
        current, level = frontier.pop()
        if level > limit:
            return False
        frontier.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return True


def unparse(node: ast.AST, *, limit: int = 60) -> str:
    """ast.unparse, which recurses, only for expressions shallow enough to print safely."""
    return ast.unparse(node) if depth_within(node, limit) else "…"


def is_built_string(node: ast.AST | None) -> bool:
    """True for a string put together at run time: f-string, % or + with a literal, str.format."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _has_str_operand(node) and not _all_constant(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return is_str(node.func.value) and bool(node.args or node.keywords)
    return False


def interpolated(node: ast.AST) -> list[ast.AST]:
    """The parts of a built string that are not literal text."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp):
        parts = []
        while isinstance(node, ast.BinOp):
            parts.append(node.right)
            node = node.left
        parts.append(node)
        out = []
        for part in parts:
            if isinstance(part, ast.JoinedStr):
                out += interpolated(part)
            elif not isinstance(part, ast.Constant):
                out.append(part)
        return out
    if isinstance(node, ast.Call):
        return [*node.args, *(k.value for k in node.keywords)]
    return []


def is_dynamic(node: ast.AST, trusted: set[str], _depth: int = 0) -> bool:
    """True unless node is a literal, an ALL_CAPS constant, a trusted name (looked up in a
    constant table) or a number cast, or a string built only from those (nested ones deeper
    than 20 count as dynamic)."""
    if _depth > 20:
        return True
    if is_literal(node):
        return False
    if isinstance(node, ast.Name):
        return not (node.id.isupper() or node.id in trusted)
    if isinstance(node, ast.Call) and dotted_name(node.func) in ("int", "float", "len", "bool"):
        return False
    if is_built_string(node) or isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return any(is_dynamic(p, trusted, _depth + 1) for p in interpolated(node))
    return True


def is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in node.elts)
    )


def _has_str_operand(node: ast.AST) -> bool:
    while isinstance(node, ast.BinOp):
        if is_str(node.right) or isinstance(node.right, ast.JoinedStr):
            return True
        node = node.left
    return is_str(node) or isinstance(node, ast.JoinedStr)


def _all_constant(node: ast.AST) -> bool:
    while isinstance(node, ast.BinOp):
        if not isinstance(node.right, ast.Constant):
            return False
        node = node.left
    return isinstance(node, ast.Constant)


def is_table_lookup(node: ast.AST) -> bool:
    """x = TABLE[key] or TABLE.get(key): the value can only be one the code wrote down."""
    if isinstance(node, ast.Subscript):
        node = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        node = node.func.value
    else:
        return False
    return isinstance(node, ast.Name) and node.id.isupper()


def is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and is_str(stmt.value)


def last_name(node: ast.AST) -> str:
    """The last part of a decorator, base or exception name (abc.abstractmethod -> abstractmethod)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Subscript):
        node = node.value
    return dotted_name(node).rsplit(".", 1)[-1]


def subscript_key(target: ast.AST) -> str:
    """app.config["DEBUG"] -> "app.config.DEBUG", so config keys read like names."""
    if isinstance(target, ast.Subscript) and is_str(target.slice):
        base = dotted_name(target.value)
        return f"{base}.{target.slice.value}" if base else ""
    return ""


def does_nothing(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        return last_name(stmt.exc) == "NotImplementedError"
    return False


def returns_constant(stmt: ast.stmt, value: object) -> bool:
    return isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant) and stmt.value.value is value


_QUIET_LOG_METHODS = frozenset({"debug", "info", "trace"})


def drops(stmt: ast.stmt) -> bool:
    """True when a handler statement lets the error vanish (pass, continue, quiet log, print)."""
    if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(stmt, ast.Return):
        return stmt.value is None or isinstance(stmt.value, ast.Constant)
    if isinstance(stmt, ast.Expr):
        if isinstance(stmt.value, ast.Constant):
            return True
        if isinstance(stmt.value, ast.Call):
            name = dotted_name(stmt.value.func)
            return name in ("print", "pprint") or name.rsplit(".", 1)[-1] in _QUIET_LOG_METHODS
    return False
