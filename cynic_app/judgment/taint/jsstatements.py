"""JavaScript and TypeScript statements walked in order for the flow engine (jsflow.py): branches
joined where they meet, a branch whose test folds to a constant the only one taken, loops run twice,
and the checks that clear a value where they hold (``if (!/^\\w+$/.test(name)) return``,
``ALLOWED.includes(x)``, ``typeof n === "number"``, ``key !== "__proto__"``, ``p.startsWith(ROOT)``).
"""

from __future__ import annotations

from tree_sitter import Node

from ..tsparse import text_of
from .jsexprs import JsEvaluator, expression_children, unwrap
from .jsnames import chain, required, string_value
from .names import qualify
from .pyexprs import iterate
from .pyflow import _join_env
from .spec import ALL
from .values import UNKNOWN, Val, cleared, const

MAX_BLOCK_DEPTH = 40
_DECLARATIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "class_declaration",
     "abstract_class_declaration",
     "import_statement", "interface_declaration", "type_alias_declaration", "enum_declaration",
     "ambient_declaration", "module", "internal_module", "empty_statement", "comment", "debugger_statement",
     "function_signature", "abstract_method_signature"}
)  # fmt: skip
_NUMERIC_TYPES = frozenset({"number", "boolean", "bigint", "undefined"})
_POLLUTING_KEYS = frozenset({"__proto__", "constructor", "prototype"})
_VALIDATORS = frozenset(
    {"Number.isInteger", "Number.isSafeInteger", "Number.isFinite", "isFinite", "uuid.validate"}
)
_REDIRECTS = frozenset({"host", "hostname", "protocol"})


class JsStatements(JsEvaluator):
    """The statement walk; jsflow.py's JsFunctionFlow adds functions, assignments and findings."""

    exits: list
    loop_depth: int
    returned: list[Val]
    line: int

    def run_body(self, body: list[Node], depth: int) -> bool:
        """Walk statements; True when every path through them leaves (return, throw, break...)."""
        if depth > MAX_BLOCK_DEPTH:
            return False
        for stmt in body:
            self.line = stmt.start_point[0] + 1
            if self.stmt(stmt, depth):
                return True
        return False

    def stmt(self, node: Node, depth: int) -> bool:
        kind = node.type
        if kind in _DECLARATIONS:
            return False
        handler = getattr(self, "_st_" + kind, None)
        if handler is None:
            self.ev(node)
            return False
        return bool(handler(node, depth))

    def _block(self, node: Node | None, depth: int) -> bool:
        if node is None:
            return False
        if node.type == "statement_block":
            return self.run_body(expression_children(node), depth + 1)
        return self.run_body([node], depth + 1)

    def _st_statement_block(self, node: Node, depth: int) -> bool:
        return self._block(node, depth)

    def _st_expression_statement(self, node: Node, depth: int) -> None:
        for c in expression_children(node):
            self.ev(c)

    def _st_lexical_declaration(self, node: Node, depth: int) -> None:
        for d in expression_children(node):
            if d.type != "variable_declarator":
                continue
            value = d.child_by_field_name("value")
            name = d.child_by_field_name("name")
            if value is not None and (
                _imports(value) or (name is not None and text_of(name) in self.aliases)
            ):
                continue  # its names are the module's aliases (jsnames.py), not variables
            self.bind_pattern(name, self.ev(value) if value is not None else const(None))

    _st_variable_declaration = _st_lexical_declaration

    def _st_export_statement(self, node: Node, depth: int) -> bool:
        declaration = node.child_by_field_name("declaration")
        if declaration is not None:
            return self.stmt(declaration, depth)
        value = node.child_by_field_name("value")
        if value is not None:
            self.ev(value)
        return False

    def _st_labeled_statement(self, node: Node, depth: int) -> bool:
        return self._block(node.child_by_field_name("body"), depth)

    def _st_return_statement(self, node: Node, depth: int) -> bool:
        inner = expression_children(node)
        self.returned.append(self.ev(inner[0]) if inner else const(None))
        return True

    def _st_throw_statement(self, node: Node, depth: int) -> bool:
        for c in expression_children(node):
            self.ev(c)
        return True

    def _st_break_statement(self, node, depth) -> bool:
        return self.leave_loop(False)

    def _st_continue_statement(self, node, depth) -> bool:
        return self.leave_loop(True)

    def _st_if_statement(self, node: Node, depth: int) -> bool:
        condition = node.child_by_field_name("condition")
        test = self.ev(condition)
        yes = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        no = _first(alternative) if alternative is not None else None
        if test.known:
            return self._block(yes if test.const else no, depth)
        before = dict(self.env)
        self.guard(condition, True)
        body_exits = self._block(yes, depth)
        after_body = self.env
        self.env = dict(before)
        self.guard(condition, False)
        else_exits = self._block(no, depth)
        after_else = self.env
        if body_exits and not else_exits:
            self.env = after_else
        elif else_exits and not body_exits:
            self.env = after_body
        else:
            self.env = _join_env(after_body, after_else)
        return body_exits and else_exits

    def _loop(self, node: Node, depth: int, element: Val | None = None, target: Node | None = None) -> None:
        before = dict(self.env)
        self.loop_depth += 1
        breaks: list[dict[str, Val]] = []
        continues: list[dict[str, Val]] = []
        self.exits.append((breaks, continues))
        try:
            for _ in range(2 if self.loop_depth <= 2 else 1):
                if element is not None and target is not None:
                    self.bind_pattern(target, element)
                condition = node.child_by_field_name("condition")
                if condition is not None:
                    self.ev(condition)
                self._block(node.child_by_field_name("body"), depth)
                increment = node.child_by_field_name("increment")
                if increment is not None:
                    self.ev(increment)
                self.env = _join_env(before, self.env)
                for other in continues:
                    self.env = _join_env(self.env, other)
        finally:
            self.loop_depth -= 1
            self.exits.pop()
        for other in breaks:
            self.env = _join_env(self.env, other)

    def _st_for_statement(self, node: Node, depth: int) -> None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, depth)
        self._loop(node, depth)

    def _st_while_statement(self, node: Node, depth: int) -> None:
        self._loop(node, depth)

    _st_do_statement = _st_while_statement

    def _st_for_in_statement(self, node: Node, depth: int) -> None:
        right = self.ev(node.child_by_field_name("right"))
        operator = text_of(node.child_by_field_name("operator"))
        element = iterate(right) if operator == "of" else Val(taints=right.all_taints())
        self._loop(node, depth, element, node.child_by_field_name("left"))

    def _st_try_statement(self, node: Node, depth: int) -> bool:
        before = dict(self.env)
        body_exits = self._block(node.child_by_field_name("body"), depth)
        after_body = self.env
        endings = [] if body_exits else [after_body]
        handler = node.child_by_field_name("handler")
        if handler is not None:
            self.env = _join_env(before, after_body)
            param = handler.child_by_field_name("parameter")
            if param is not None:
                self.bind_pattern(param, Val())
            if not self._block(handler.child_by_field_name("body"), depth):
                endings.append(self.env)
        self.env = endings[0] if endings else _join_env(before, after_body)
        for other in endings[1:]:
            self.env = _join_env(self.env, other)
        final = node.child_by_field_name("finalizer")
        final_exits = self._block(final.child_by_field_name("body"), depth) if final is not None else False
        return final_exits or not endings

    def _st_switch_statement(self, node: Node, depth: int) -> bool:
        self.ev(node.child_by_field_name("value"))
        body = node.child_by_field_name("body")
        before = dict(self.env)
        endings: list[dict[str, Val]] = []
        breaks: list[dict[str, Val]] = []
        continues: list[dict[str, Val]] = []
        self.exits.append((breaks, continues))
        try:
            for case in expression_children(body) if body is not None else []:
                self.env = dict(before)
                if not self.run_body(case.children_by_field_name("body"), depth + 1):
                    endings.append(self.env)
        finally:
            self.exits.pop()
        if continues and self.exits:
            self.exits[-1][1].extend(continues)
        self.env = before
        for other in endings + breaks:
            self.env = _join_env(self.env, other)
        return False

    def _st_with_statement(self, node: Node, depth: int) -> bool:
        self.ev(node.child_by_field_name("object"))
        return self._block(node.child_by_field_name("body"), depth)

    # -- checks that clear a value --------------------------------------------------------------

    def guard(self, test: Node | None, truth: bool) -> None:
        """Clear what the test, known to be ``truth``, proves safe."""
        if test is None:
            return
        for node, cwes in self._effects(test, truth, 0):
            parts = chain(node)
            if not parts:
                continue
            name = ".".join(parts)
            current = self.env.get(name)
            if current is None:
                current = self.ev(node)
            if current.kind and cwes == ALL and not current.all_taints():
                self.env[name] = Val()  # a checked request or event: what it holds is trusted
                continue
            self.env[name] = cleared(current, cwes)
            if current.origin and current.origin in self.env:
                self.env[current.origin] = cleared(self.env[current.origin], cwes)

    def _effects(self, test: Node, truth: bool, depth: int) -> list[tuple[Node, frozenset[int]]]:
        test = unwrap(test)
        if depth > 20:
            return []
        kind = test.type
        if kind == "unary_expression" and text_of(test.child_by_field_name("operator")) == "!":
            return self._effects(test.child_by_field_name("argument"), not truth, depth + 1)
        if kind == "binary_expression":
            op = text_of(test.child_by_field_name("operator"))
            left, right = unwrap(test.child_by_field_name("left")), unwrap(test.child_by_field_name("right"))
            if op in ("&&", "||"):
                if (op == "&&") == truth:
                    return self._effects(left, truth, depth + 1) + self._effects(right, truth, depth + 1)
                return _either(self._effects(left, truth, depth + 1), self._effects(right, truth, depth + 1))
            if op in ("===", "==", "!==", "!="):
                return self._compare(left, right, truth if op in ("===", "==") else not truth)
            if op == "in" and truth and self._constant_collection(right):
                return [(left, ALL)]
            return []
        if kind == "call_expression":
            return self._call_effects(test, truth)
        return []

    def _compare(self, left: Node, right: Node, holds: bool) -> list[tuple[Node, frozenset[int]]]:
        literal, other = (right, left) if _literal(right) is not None else (left, right)
        value = _literal(literal)
        if value is None:
            return []
        if other.type == "unary_expression" and text_of(other.child_by_field_name("operator")) == "typeof":
            return [(other.child_by_field_name("argument"), ALL)] if holds and value in _NUMERIC_TYPES else []
        if value in _POLLUTING_KEYS and not holds:
            return [(other, frozenset({1321}))]
        if value == "-1" and other.type == "call_expression":
            return self._not_found(other, holds)
        if not holds:
            return []
        prop = text_of(other.child_by_field_name("property")) if other.type == "member_expression" else ""
        if prop == "origin":
            return [(other.child_by_field_name("object"), ALL)]  # a message from a known origin
        if prop in _REDIRECTS:
            return [(other.child_by_field_name("object"), frozenset({601, 918}))]
        return [(other, ALL)]

    def _not_found(self, call: Node, absent: bool) -> list[tuple[Node, frozenset[int]]]:
        """``p.indexOf("..") === -1`` holding: the path has no parent step."""
        func = unwrap(call.child_by_field_name("function"))
        if not absent or func.type != "member_expression":
            return []
        args = expression_children(call.child_by_field_name("arguments") or call)
        text = string_value(unwrap(args[0])) if args else None
        if text_of(func.child_by_field_name("property")) == "indexOf" and text and ".." in text:
            return [(func.child_by_field_name("object"), frozenset({22}))]
        return []

    def _constant_collection(self, node: Node) -> bool:
        value = self.ev(node)
        if value.known:
            return True
        if value.items is not None:
            return all(v.known for v in value.items) and not value.extra
        return value.fields is not None and value.is_dict and not value.all_taints()

    def _call_effects(self, test: Node, truth: bool) -> list[tuple[Node, frozenset[int]]]:
        func = unwrap(test.child_by_field_name("function"))
        args_node = test.child_by_field_name("arguments")
        args = expression_children(args_node) if args_node is not None else []
        parts = chain(func) or []
        qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
        receiver = func.child_by_field_name("object") if func.type == "member_expression" else None
        method = (
            text_of(func.child_by_field_name("property")) if receiver is not None else (parts or [""])[-1]
        )
        first = unwrap(args[0]) if args else None
        if not truth:
            if method in ("includes", "indexOf") and receiver is not None and first is not None:
                text = string_value(first) or ""
                return [(receiver, frozenset({22}))] if ".." in text else []
            return []
        if method == "test" and first is not None:
            return [(first, ALL)]
        if method in ("includes", "has") and first is not None and receiver is not None:
            return [(first, ALL)] if self._constant_collection(receiver) else []
        if qualified in ("Object.prototype.hasOwnProperty.call", "Object.hasOwn") and len(args) >= 2:
            holder, key = unwrap(args[0]), unwrap(args[1])
            return [(key, ALL if self._constant_collection(holder) else frozenset({1321}))]
        if method == "hasOwnProperty" and first is not None and receiver is not None:
            return [(first, ALL if self._constant_collection(receiver) else frozenset({1321}))]
        if first is not None and (qualified.startswith("validator.is") or qualified in _VALIDATORS):
            return [(first, ALL)]
        lowered = method.lower()
        if first is not None and any(
            w in lowered for w in ("valid", "allowed", "safe", "trusted", "whitelist", "allowlist")
        ):
            return [(first, frozenset({601, 918, 22}))]
        if receiver is not None and method in self.tables.checks:
            return [(receiver, self.tables.checks[method])]
        return []


def _imports(value: Node) -> bool:
    """True for ``require("m")``, ``require("m").x`` and ``await import("m")``."""
    while value.type in ("member_expression", "await_expression", "parenthesized_expression"):
        inner = value.child_by_field_name("object") if value.type == "member_expression" else _first(value)
        if inner is None:
            return False
        value = inner
    return required(value) is not None


def _either(left: list, right: list) -> list[tuple[Node, frozenset[int]]]:
    """What holds when one of two tests holds: what both clear, of the same variable."""
    out = []
    for node, cwes in left:
        for other, more in right:
            if text_of(node) == text_of(other) and cwes & more:
                out.append((node, cwes & more))
    return out


def _first(node: Node) -> Node | None:
    inner = expression_children(node)
    return inner[0] if inner else None


def _literal(node: Node | None) -> object:
    """The value of a string, number or boolean literal (None for anything else, null too)."""
    if node is None:
        return None
    if node.type in ("string", "template_string"):
        return string_value(node)
    if node.type == "number":
        return text_of(node)
    if node.type in ("true", "false"):
        return node.type == "true"
    if node.type == "unary_expression" and text_of(node.child_by_field_name("operator")) == "-":
        inner = node.child_by_field_name("argument")
        return "-" + text_of(inner) if inner is not None and inner.type == "number" else None
    return None


__all__ = ["UNKNOWN", "JsStatements"]
