"""Qualified names: what ``ET.parse`` or ``run`` means in a module, from its imports.

Imports anywhere in the module count (handlers often import inside functions), read once
without recursion. A name the module does not import is its own qualified name (builtins:
``eval``, ``open``).
"""

from __future__ import annotations

import ast


def import_aliases(tree: ast.Module) -> dict[str, str]:
    """{local name: qualified name} for every import in the module."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def chain(node: ast.AST) -> list[str] | None:
    """["a", "b", "c"] for the expression a.b.c, None when it is not such a chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def qualify(parts: list[str], aliases: dict[str, str], local: set[str] | frozenset[str] = frozenset()) -> str:
    """The qualified name of a chain: its first part replaced by what the module imported under
    that name, unless a local variable shadows it."""
    head = parts[0]
    if head in aliases and head not in local:
        return ".".join([aliases[head], *parts[1:]])
    return ".".join(parts)
