"""Qualified names in JavaScript and TypeScript: what ``exec`` or ``fs.readFile`` means in a
module, from its ``import`` statements and ``require()`` calls (names.py does this for Python).

A module's name is read without ``node:`` and with ``/`` as ``.``; a default or namespace import,
or a whole ``require()``, is the module itself; a named one is ``module.name``;
``util.promisify(f)`` is ``f``. Imports anywhere in the module count, read in one iterative walk.
"""

from __future__ import annotations

from tree_sitter import Node

from ..tsparse import text_of, walk


def module_name(spec: str) -> str:
    spec = spec.removeprefix("node:")
    return spec.replace("/", ".") if spec else spec


def string_value(node: Node | None) -> str | None:
    """The text of a string literal without escapes or substitutions, else None."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text_of(c) for c in node.named_children if c.type == "string_fragment")
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(text_of(c) for c in node.named_children if c.type == "string_fragment")
    return None


def required(node: Node | None) -> str | None:
    """The module a ``require("m")`` or ``await import("m")`` call names, else None."""
    while node is not None and node.type in ("await_expression", "parenthesized_expression"):
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type != "call_expression":
        return None
    func = node.child_by_field_name("function")
    if (
        func is None
        or func.type not in ("identifier", "import")
        or text_of(func) not in ("require", "import")
    ):
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    name = string_value(first)
    return module_name(name) if name else None


#: The most links (names, and the parentheses or ``!`` between them) chain() reads. The longest
#: name a table knows has four parts (``next.server.NextResponse.redirect``), and code tracks
#: ``this.state.user.name``, not a name of tens of links: a longer chain is no name. (Read whole
#: at each of its links, down to jsexprs.MAX_DEPTH, a 50,000-link chain cost 60 times a sum's.)
MAX_LINKS = 32


def chain(node: Node | None) -> list[str] | None:
    """["a", "b", "c"] for a.b.c (``require("m").b`` is ["m", "b"]), None for anything else,
    a chain of more than MAX_LINKS links too."""
    parts: list[str] = []
    for _ in range(MAX_LINKS + 1):
        if node is None:
            return None
        kind = node.type
        if kind == "member_expression":
            prop = node.child_by_field_name("property")
            parts.append(text_of(prop))
            node = node.child_by_field_name("object")
        elif kind in ("identifier", "this", "super"):
            parts.append(text_of(node))
            return parts[::-1]
        elif kind in ("non_null_expression", "parenthesized_expression") and node.named_children:
            node = node.named_children[0]
        elif kind == "call_expression":
            module = required(node)
            if module is None:
                return None
            parts.append(module)
            return parts[::-1]
        else:
            return None
    return None  # longer than MAX_LINKS


#: The nodes import_aliases reads.
IMPORT_NODES = frozenset({"import_statement", "variable_declarator", "import_alias", "import_require_clause"})


def import_aliases(root: Node, found: list[Node] | None = None) -> dict[str, str]:
    """{local name: qualified name} for every import and require() in the module (found: its
    IMPORT_NODES, when a walk already collected them)."""
    aliases: dict[str, str] = {}
    for node in walk(root) if found is None else found:
        kind = node.type
        if kind == "import_statement":
            _import(node, aliases)
        elif kind == "variable_declarator":
            _declared(node, aliases)
        elif kind == "import_alias" or kind == "import_require_clause":
            name = node.named_children[0] if node.named_children else None
            source = string_value(node.child_by_field_name("source"))
            if name is not None and source:
                aliases[text_of(name)] = module_name(source)
    return aliases


def _import(node: Node, aliases: dict[str, str]) -> None:
    module = module_name(string_value(node.child_by_field_name("source")) or "")
    if not module:
        return
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                aliases[text_of(part)] = module
            elif part.type == "namespace_import" and part.named_children:
                aliases[text_of(part.named_children[-1])] = module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    if name is not None:
                        aliases[text_of(alias)] = f"{module}.{text_of(name)}"


def _declared(node: Node, aliases: dict[str, str]) -> None:
    target = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if target is None or value is None:
        return
    module = required(value)
    if module is None:
        parts = chain(value) if value.type == "member_expression" else None
        if parts and (parts[0] in aliases or required(_head(value)) is not None):
            module = ".".join([aliases.get(parts[0], parts[0]), *parts[1:]])
        elif value.type == "call_expression":
            module = _promisified(value, aliases)
        elif value.type == "identifier" and target.type == "object_pattern":
            module = aliases.get(text_of(value))
    if module is None:
        return
    if target.type == "identifier":
        aliases[text_of(target)] = module
    elif target.type == "object_pattern":
        for prop in target.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                aliases[text_of(prop)] = f"{module}.{text_of(prop)}"
            elif prop.type == "pair_pattern":
                key, bound = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and bound is not None and bound.type == "identifier":
                    aliases[text_of(bound)] = f"{module}.{text_of(key)}"


def _head(node: Node) -> Node | None:
    while node is not None and node.type == "member_expression":
        node = node.child_by_field_name("object")
    return node


def _promisified(call: Node, aliases: dict[str, str]) -> str | None:
    func = call.child_by_field_name("function")
    parts = chain(func)
    if not parts or parts[-1] != "promisify":
        return None
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    inner = chain(first)
    if not inner:
        return None
    return ".".join([aliases.get(inner[0], inner[0]), *inner[1:]]) if inner[0] in aliases else None
