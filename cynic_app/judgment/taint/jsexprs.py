"""The value of a JavaScript or TypeScript expression, read from its tree-sitter node: constants
folded, objects and arrays tracked by constant keys, taint carried through template literals,
concatenation, spread and destructuring, calls read against the tables (pyexprs.py is the same
reader for Python, and shares values.py with it).

Functions given as arguments (handlers, ``.map`` callbacks, ``.then``) are walked where they are
given, their parameters bound to what the call hands them (jsflow.py). Recursion is bounded: past
MAX_DEPTH nested expressions the rest of a subtree is read flat, iteratively (the taint of every
name in it), so a 50,000-deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

from tree_sitter import Node

from ..tsparse import text_of
from .jsnames import MAX_LINKS, chain, required, string_value
from .names import qualify
from .pyexprs import FOLD_LIMIT, iterate, subscript
from .spec import ALL, Sink, Tables, cleans, matches
from .values import INPUT, RANDOM, UNKNOWN, Taint, Val, cleared, const, dict_of, join, list_of, merge, replace

MAX_DEPTH = 60
#: Methods of strings and arrays that hand on what they are given without being unknown code.
_PURE_METHODS = frozenset(
    {"charAt", "slice", "substring", "substr", "toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd",
     "split", "concat", "replace", "replaceAll", "padStart", "padEnd", "repeat", "at", "normalize",
     "toString", "join", "toLocaleLowerCase", "toLocaleUpperCase", "flat", "reverse", "valueOf", "then",
     "catch", "finally"}
)  # fmt: skip
#: Array methods whose callback's first parameter is an element of the receiver.
_ELEMENT_CALLBACKS = frozenset(
    {"map", "forEach", "filter", "find", "findLast", "some", "every", "flatMap", "findIndex", "sort"}
)
_ARITHMETIC = frozenset({"-", "*", "/", "%", "**", "|", "&", "^", "<<", ">>", ">>>"})
_COMPARISON = frozenset({"==", "===", "!=", "!==", "<", ">", "<=", ">=", "in", "instanceof"})
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_WRAPPERS = frozenset(
    {"parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
     "satisfies_expression", "type_assertion", "spread_element", "yield_expression", "jsx_expression"}
)  # fmt: skip
_DERIVING = frozenset({"path.resolve", "path.join", "path.normalize", "String", "URL", "url.parse"})
_HEADER_SETTERS = frozenset({"setHeader", "set", "header", "writeHead", "append"})
_CONSTANT_FIXED = frozenset({"Set", "Object.freeze", "Array.from", "Array.of"})
_SQL_TAGS = frozenset({"sql", "SQL", "$queryRaw", "$executeRaw", "sqltag", "sql-template-strings", "raw"})


def expression_children(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def unwrap(node: Node) -> Node:
    """The expression inside parentheses, ``await``, ``!`` (non-null) and type assertions."""
    for _ in range(MAX_DEPTH):
        if node.type not in _WRAPPERS or node.type in ("spread_element", "yield_expression"):
            return node
        inner = expression_children(node)
        if not inner:
            return node
        node = inner[-1] if node.type == "type_assertion" else inner[0]
    return node


def _number(text: str) -> object:
    try:
        return (
            int(text.replace("_", ""), 0)
            if text.isdigit() or text[:2].lower() in ("0x", "0o", "0b")
            else float(text)
        )
    except ValueError:
        return None


def _random_only(values: list[Val]) -> Val:
    """A number computed from values: only the predictability of a random one survives."""
    kept = frozenset(t for v in values for t in v.all_taints() if t.label == RANDOM)
    return Val(taints=kept, literal=True)  # (a number vouched for: no sink's look either)


class JsEvaluator:
    """Reads expressions in an environment. The statement walker (jsflow.py) owns the environment,
    the functions and the findings; this class computes values and reports sink hits to it."""

    tables: Tables
    aliases: dict[str, str]
    env: dict[str, Val]

    # -- provided by the statement walker ---------------------------------------------------------

    def lookup(self, name: str) -> Val | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def assign_name(self, name: str, value: Val) -> None:  # pragma: no cover
        raise NotImplementedError

    def sink_reached(self, sink: Sink, val: Val, node: Node, name: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def sink_possibly_reached(self, sink: Sink, val: Val, node: Node, name: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def call_local(
        self, node: Node, func: Node, args: list[Val], receiver: Val | None
    ) -> Val | None:  # pragma: no cover
        raise NotImplementedError

    def run_callback(self, fn: Node, bound: list[Val], depth: int) -> Val:  # pragma: no cover
        raise NotImplementedError

    def store(self, target: Node, value: Val, depth: int = 0) -> None:  # pragma: no cover
        raise NotImplementedError

    def serves_web(self) -> bool:
        return False

    # -- expressions ------------------------------------------------------------------------------

    def ev(self, node: Node | None, depth: int = 0) -> Val:
        if node is None:
            return UNKNOWN
        if depth > MAX_DEPTH:
            return self.flat(node)
        method = getattr(self, "_ev_" + node.type, None)
        return method(node, depth + 1) if method else self.flat(node)

    def flat(self, node: Node) -> Val:
        """Every taint the names in a subtree's text carry, read without recursion, folding or a
        walk: the words of its text (string operations at C speed) that name a variable."""
        taints: set[Taint] = set()
        for word in set(text_of(node).translate(_WORDS).split()):
            found = self.lookup(word)
            if found is not None:
                taints |= found.all_taints()
        return Val(taints=frozenset(taints))

    def _ev_identifier(self, node: Node, depth: int) -> Val:
        name = text_of(node)
        found = self.lookup(name)
        if found is not None:
            return found
        if name == "undefined":
            return const(None)
        return self._source_attr(qualify([name], self.aliases, self.env.keys()), node) or Val()

    _ev_shorthand_property_identifier = _ev_identifier

    def _ev_this(self, node: Node, depth: int) -> Val:
        return self.lookup("this") or Val()

    def _ev_string(self, node: Node, depth: int) -> Val:
        return const(string_value(node) or "")

    def _ev_number(self, node: Node, depth: int) -> Val:
        value = _number(text_of(node))
        return const(value) if value is not None else Val()

    def _ev_true(self, node, depth) -> Val:
        return const(True)

    def _ev_false(self, node, depth) -> Val:
        return const(False)

    def _ev_null(self, node, depth) -> Val:
        return const(None)

    _ev_undefined = _ev_null

    def _ev_regex(self, node, depth) -> Val:
        return Val(kind="regex")

    def _ev_template_string(self, node: Node, depth: int) -> Val:
        parts = []
        for c in node.named_children:
            if c.type == "template_substitution":
                inner = expression_children(c)
                parts.append(self.ev(inner[0], depth) if inner else Val())
            elif c.type in ("string_fragment", "escape_sequence"):
                parts.append(const(text_of(c)))
        return self.concat(parts)

    def concat(self, parts: list[Val]) -> Val:
        if all(p.known for p in parts):
            text = "".join("" if p.const is None else str(p.const) for p in parts)
            if len(text) <= FOLD_LIMIT:
                return const(text)
        out = merge(parts, built=True)
        # text holds no query operators and no __proto__ key
        out = cleared(out, frozenset({943, 1321}))
        return out if out.taints else replace(out, built=False)

    def _ev_member_expression(self, node: Node, depth: int) -> Val:
        parts = chain(node)
        prop = text_of(node.child_by_field_name("property"))
        if parts is not None:
            dotted = ".".join(parts)
            if dotted in self.env:
                return self.env[dotted]
            if parts[0] not in self.env or parts[0] in self.aliases:
                source = self._source_attr(qualify(parts, self.aliases, self.env.keys()), node)
                if source is not None:
                    return source
        else:
            links = _beyond_a_name(node)
            if links:
                # a.b.b… of more links than a name has: what its last MAX_LINKS links are, and
                # then each link above them read in one loop (recursing, each level would read
                # the chain below it again, and stop at MAX_DEPTH short of the source it ends in)
                base, bare = self.ev(links[-1].child_by_field_name("object"), depth), False
                for link in reversed(links):
                    prop = text_of(link.child_by_field_name("property"))
                    if bare and prop != "length":
                        continue  # member() gives a bare value (its taints, its origin) back as it is
                    base = self.member(base, prop, link)
                    bare = base == Val(taints=base.taints, origin=base.origin)
                return base
        base = self.ev(node.child_by_field_name("object"), depth)
        return self.member(base, prop, node)

    def member(self, base: Val, prop: str, node: Node) -> Val:
        """base.prop: a source or kind's field, an object's tracked field, or its taint."""
        if base.kind:
            for src in self.tables.sources:
                if src.on == base.kind and prop in src.methods:
                    return Val(
                        taints=frozenset({Taint(src.label, node.start_point[0] + 1, f"{_what(base)}.{prop}")})
                    )
            for k in self.tables.kinds:
                if k.on == base.kind and prop in k.methods and not k.calls:
                    return Val(kind=k.kind)
        if prop == "length":
            return _random_only([base])
        if base.fields is not None:
            found = base.get_field(prop)
            if found is not None:
                return found
            return Val(taints=base.extra)
        if base.known and isinstance(base.const, str):
            return Val()
        return Val(taints=base.all_taints(), origin=base.origin)

    def _source_attr(self, qualified: str, node: Node) -> Val | None:
        if qualified.split(".", 1)[0] not in _source_heads(self.tables):
            return None
        for src in self.tables.sources:
            for root in src.attrs:
                if qualified == root or qualified.startswith(root + "."):
                    rest = qualified[len(root) + 1 :].split(".")[0] if qualified != root else ""
                    if rest in src.except_attrs:
                        return Val()
                    what = root + (f".{rest}" if rest else "")
                    return Val(taints=frozenset({Taint(src.label, node.start_point[0] + 1, what)}))
        return None

    def _ev_subscript_expression(self, node: Node, depth: int) -> Val:
        base = self.ev(node.child_by_field_name("object"), depth)
        key = self.ev(node.child_by_field_name("index"), depth)
        if base.kind and key.known and isinstance(key.const, str):
            return self.member(base, key.const, node)
        if base.fields is not None and key.known:
            found = base.get_field(key.const)
            return found if found is not None else Val(taints=base.extra)
        return subscript(base, key)

    def _ev_binary_expression(self, node: Node, depth: int) -> Val:
        op = text_of(node.child_by_field_name("operator"))
        left = self.ev(node.child_by_field_name("left"), depth)
        right = self.ev(node.child_by_field_name("right"), depth)
        if op == "+":
            if (
                left.known
                and right.known
                and isinstance(left.const, (int, float))
                and isinstance(right.const, (int, float))
            ):
                return const(left.const + right.const)
            if isinstance(left.const, str) or isinstance(right.const, str) or left.text or right.text:
                return self.concat([left, right])
            return merge([left, right], built=True)
        if op in ("&&", "||", "??"):
            if left.known:
                truthy = left.const is not None if op == "??" else bool(left.const)
                return left if truthy == (op != "&&") else right
            return join(left, right) if op != "&&" else join(Val(), right)
        if op in _COMPARISON:
            if left.known and right.known and op in ("===", "==", "!==", "!="):
                same = left.const == right.const
                return const(same if op in ("===", "==") else not same)
            return Val()
        return _random_only([left, right])

    def _ev_unary_expression(self, node: Node, depth: int) -> Val:
        op = text_of(node.child_by_field_name("operator"))
        value = self.ev(node.child_by_field_name("argument"), depth)
        if op == "!" and value.known:
            return const(not value.const)
        if op == "typeof" or op == "void" or op == "delete" or op == "!":
            return Val()
        if op == "-" and value.known and isinstance(value.const, (int, float)):
            return const(-value.const)
        return _random_only([value])

    def _ev_update_expression(self, node, depth) -> Val:
        return Val()

    def _ev_ternary_expression(self, node: Node, depth: int) -> Val:
        test = self.ev(node.child_by_field_name("condition"), depth)
        yes, no = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
        if test.known:
            return self.ev(yes if test.const else no, depth)
        return join(self.ev(yes, depth), self.ev(no, depth))

    def _ev_wrapped(self, node: Node, depth: int) -> Val:
        inner = expression_children(node)
        if not inner:
            return Val()
        return self.ev(inner[-1] if node.type == "type_assertion" else inner[0], depth)

    _ev_parenthesized_expression = _ev_await_expression = _ev_non_null_expression = _ev_wrapped
    _ev_as_expression = _ev_satisfies_expression = _ev_type_assertion = _ev_wrapped
    _ev_yield_expression = _ev_jsx_expression = _ev_wrapped

    def _ev_spread_element(self, node: Node, depth: int) -> Val:
        inner = expression_children(node)
        return Val(extra=self.ev(inner[0], depth).all_taints()) if inner else Val()

    def _ev_sequence_expression(self, node: Node, depth: int) -> Val:
        out = Val()
        for c in expression_children(node):
            out = self.ev(c, depth)
        return out

    def _ev_assignment_expression(self, node: Node, depth: int) -> Val:
        value = self.ev(node.child_by_field_name("right"), depth)
        self.store(node.child_by_field_name("left"), value, depth)
        return value

    def _ev_augmented_assignment_expression(self, node: Node, depth: int) -> Val:
        op = text_of(node.child_by_field_name("operator"))
        target = node.child_by_field_name("left")
        old, new = self.ev(target, depth), self.ev(node.child_by_field_name("right"), depth)
        if op == "+=":
            value = (
                self.concat([old, new])
                if (isinstance(old.const, str) or old.text or new.text)
                else merge([old, new])
            )
        elif op in ("||=", "??=", "&&="):
            value = join(old, new)
        else:
            value = _random_only([old, new])
        self.store(target, value, depth)
        return value

    def _ev_array(self, node: Node, depth: int) -> Val:
        values = []
        for e in expression_children(node):
            if e.type == "spread_element":
                spread = self.ev(e, depth)
                inner = self.ev(expression_children(e)[0], depth) if expression_children(e) else Val()
                if inner.items is not None:
                    values.extend(inner.items)
                    continue
                return Val(extra=merge([*values, spread]).all_taints() | spread.extra)
            values.append(self.ev(e, depth))
        return list_of(values)

    def _ev_object(self, node: Node, depth: int) -> Val:
        pairs: list[tuple[object, Val]] = []
        extra: set[Taint] = set()
        for c in expression_children(node):
            if c.type == "pair":
                key_node = c.child_by_field_name("key")
                value = self.ev(c.child_by_field_name("value"), depth)
                key = self._key(key_node, depth)
                if key is None:
                    extra |= value.all_taints()
                else:
                    pairs = [(k, v) for k, v in pairs if k != key] + [(key, value)]
            elif c.type == "method_definition":
                self.function_value(c, depth)
            elif c.type == "shorthand_property_identifier":
                pairs.append((text_of(c), self.ev(c, depth)))
            elif c.type == "spread_element":
                inner = expression_children(c)
                spread = self.ev(inner[0], depth) if inner else Val()
                if spread.fields is not None:
                    keys = {k for k, _ in spread.fields}
                    pairs = [(k, v) for k, v in pairs if k not in keys] + list(spread.fields)
                    extra |= spread.extra
                else:
                    extra |= spread.all_taints()
        return dict_of(pairs, frozenset(extra))

    def _key(self, node: Node | None, depth: int) -> object:
        if node is None:
            return None
        if node.type in ("property_identifier", "private_property_identifier"):
            return text_of(node)
        if node.type == "string":
            return string_value(node)
        if node.type == "number":
            return _number(text_of(node))
        if node.type == "computed_property_name":
            inner = expression_children(node)
            value = self.ev(inner[0], depth) if inner else Val()
            return value.const if value.known else None
        return None

    def _ev_function(self, node, depth) -> Val:
        self.function_value(node, depth)
        return Val(kind="function")

    _ev_arrow_function = _ev_function_expression = _ev_generator_function = _ev_function

    def _ev_class(self, node, depth) -> Val:
        return Val(kind="function")

    def function_value(self, node: Node, depth: int) -> None:
        """A function written as a value (returned, exported, stored in an object): the walker
        reads its body where it stands."""

    def _ev_jsx_element(self, node: Node, depth: int) -> Val:
        """A React element escapes what it holds; only its attributes can be sinks."""
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in ("jsx_element", "jsx_fragment", "jsx_opening_element", "jsx_self_closing_element"):
                stack.extend(reversed(expression_children(n)))
            elif n.type == "jsx_attribute":
                self._jsx_attribute(n, depth)
            elif n.type == "jsx_expression":
                self.ev(n, depth)
        return Val()

    _ev_jsx_self_closing_element = _ev_jsx_fragment = _ev_jsx_element

    def _jsx_attribute(self, node: Node, depth: int) -> None:
        parts = expression_children(node)
        if len(parts) < 2:
            return
        name, value = text_of(parts[0]), self.ev(parts[-1], depth)
        for sink in self.tables.sinks:
            if name in sink.props and not sink.on and value.all_taints():
                self.sink_reached(sink, value, node, name)

    # -- calls --------------------------------------------------------------------------------------

    def _ev_new_expression(self, node: Node, depth: int) -> Val:
        return self.call(node, node.child_by_field_name("constructor"), depth)

    def _ev_call_expression(self, node: Node, depth: int) -> Val:
        return self.call(node, node.child_by_field_name("function"), depth)

    def call(self, node: Node, func: Node | None, depth: int) -> Val:
        args_node = node.child_by_field_name("arguments")
        if func is None:
            return Val()
        if required(node) is not None:
            return Val()  # the module itself: its names are in the aliases
        func = unwrap(func)
        parts = chain(func)
        qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
        is_method = func.type == "member_expression"
        method = text_of(func.child_by_field_name("property")) if is_method else ""
        receiver = self.ev(func.child_by_field_name("object"), depth) if is_method else None
        if args_node is not None and args_node.type == "template_string":
            return self._tagged(args_node, qualified, method, depth)
        arg_nodes = expression_children(args_node) if args_node is not None else []
        args: list[Val] = []
        callbacks: list[tuple[int, Node]] = []
        for i, a in enumerate(arg_nodes):
            a = unwrap(a)
            if a.type in _FUNCTIONS:
                callbacks.append((i, a))
                args.append(Val(kind="function"))
            else:
                args.append(self.ev(a, depth))
        kwargs = {k: v for k, v in args[-1].fields if isinstance(k, str)} if args and args[-1].fields else {}
        returned = [
            self.run_callback(fn, self._bound(method, receiver, args, i, parts), depth) for i, fn in callbacks
        ]
        local = self.call_local(node, func, args, receiver)
        if local is not None:
            return local
        # a chained call is reported on the line of its method: `.where(…)` three lines down
        where = func.child_by_field_name("property") if is_method else node
        self._sinks(where or node, qualified, method, receiver, args, kwargs)
        everything = [*args, *([receiver] if receiver is not None else [])]
        if method in _ELEMENT_CALLBACKS and returned:
            if method in ("map", "flatMap"):
                return Val(extra=merge(returned).all_taints())
            if method in ("forEach", "some", "every", "findIndex"):
                return Val()
            return Val(taints=receiver.all_taints()) if receiver is not None else Val()
        if method == "then" and returned:
            return merge(returned)
        for src in self.tables.sources:
            if (src.calls and qualified and _matches(qualified, src.calls)) or (
                method
                and receiver is not None
                and receiver.kind
                and receiver.kind == src.on
                and method in src.methods
            ):
                return Val(
                    taints=frozenset({Taint(src.label, node.start_point[0] + 1, f"{qualified or method}()")})
                )
        if (
            qualified in _CONSTANT_FIXED
            and args
            and (args[0].items is not None or args[0].fields is not None)
        ):
            return args[0]  # new Set([...]), Object.freeze({...}): the same constants
        cleaned = self._sanitised(qualified, method, everything)
        if cleaned is not None:
            return cleaned
        kind = self._kind_of(qualified, method, receiver)
        if kind in self.tables.handles:
            return Val(kind=kind)
        modelled = self._modelled(func, method, receiver, args)
        if modelled is not None:
            return modelled
        pure = (qualified and _matches(qualified, self.tables.propagators)) or (method in _PURE_METHODS)
        if not pure:
            hopped = [v.hopped() for v in args]
            everything = [*hopped, *([receiver] if receiver is not None else [])]
        out = merge(everything, built=method in ("join", "concat", "format") or qualified == "util.format")
        origin = ""
        if (qualified in _DERIVING or method in ("resolve", "normalize")) and arg_nodes:
            last = unwrap(arg_nodes[-1])
            named = chain(last)
            origin = ".".join(named) if named else args[-1].origin
        return replace(out, kind=kind, origin=origin)

    def _bound(
        self, method: str, receiver: Val | None, args: list[Val], position: int, parts: list[str] | None
    ) -> list[Val]:
        """What a callback given at position is called with."""
        if receiver is not None and method in _ELEMENT_CALLBACKS:
            return [iterate(receiver)]
        if receiver is not None and method == "reduce":
            return [Val(), iterate(receiver)]
        if receiver is not None and method == "then" and position == 0:
            return [Val(taints=receiver.all_taints(), kind=receiver.kind)]
        if parts and parts[0] == "self":
            # a worker's own messages (self.addEventListener / self.onmessage in a dedicated or
            # service worker) come from the same-origin page that runs it, not any window
            return []
        for m, event, kind in self.tables.callback_params:
            if m == method and (not event or (args and args[0].known and args[0].const == event)):
                return (
                    [Val(taints=frozenset({Taint(INPUT, 0, f"'{event}' event")}))]
                    if kind == INPUT
                    else [Val(kind=kind)]
                )
        return []

    def _tagged(self, template: Node, qualified: str, method: str, depth: int) -> Val:
        values = [self.ev(expression_children(c)[0], depth) for c in template.named_children
                  if c.type == "template_substitution" and expression_children(c)]  # fmt: skip
        last = (qualified.rsplit(".", 1)[-1] if qualified else method) or ""
        if last in _SQL_TAGS or qualified in _SQL_TAGS:
            return Val(kind="sql-query")  # a parameterised query: its values are bound, not spliced
        return merge(values)

    def _sanitised(self, qualified: str, method: str, everything: list[Val]) -> Val | None:
        if not any(v.taints or v.extra or v.fields or v.items for v in everything):
            return None  # nothing to clean: the call is read like any other
        for s in self.tables.sanitizers:
            if cleans(s, qualified, method):
                if s.cwes == ALL:
                    return _random_only(everything)
                return cleared(merge(everything), s.cwes)
        return None

    def _kind_of(self, qualified: str, method: str, receiver: Val | None) -> str:
        for k in self.tables.kinds:
            if k.calls and qualified and _matches(qualified, k.calls):
                return k.kind
            if k.methods and method in k.methods and receiver is not None and receiver.kind == k.on:
                return k.kind
        return ""

    def _sinks(self, node, qualified, method, receiver, args, kwargs) -> None:
        tainted = any(a.taints or a.extra or a.fields or a.items for a in args)
        if not tainted and not (qualified and _matches(qualified, _possible_calls(self.tables))):
            return  # (a value of no known origin counts only at the sinks that say so)
        for sink in self.tables.sinks:
            if sink.props or not (tainted or sink.possible):
                continue
            if sink.calls:
                if not (qualified and _matches(qualified, sink.calls)):
                    continue
            elif not (method and method in sink.methods):
                continue
            elif sink.on and (receiver is None or receiver.kind != sink.on):
                continue
            elif not sink.on and sink.imports and not self.imports_one(sink.imports) and not _operators(args):
                continue
            if any(not (k in kwargs and kwargs[k].known and kwargs[k].const == v) for k, v in sink.when):
                continue
            option = kwargs.get(sink.safe_with[1]) if sink.safe_with is not None else None
            if option is not None and not (option.known and option.const in ("/", "")):
                continue  # an option that makes the call safe (a root that is not the whole disk)
            name = qualified or method
            for i in sink.args:
                if i >= len(args):
                    continue
                if args[i].all_taints():
                    self.sink_reached(sink, args[i], node, name)
                elif sink.possible and _unknown_text(args[i], sink.possible):
                    self.sink_possibly_reached(sink, args[i], node, name)
        if method in _HEADER_SETTERS and receiver is not None and receiver.kind == "response":
            self._location_header(node, method, args)

    def _location_header(self, node: Node, method: str, args: list[Val]) -> None:
        """res.setHeader("Location", url), res.writeHead(302, {Location: url}): a redirect."""
        target = None
        if len(args) >= 2 and isinstance(args[0].const, str) and args[0].const.lower() == "location":
            target = args[1]
        for a in args:
            for k, v in a.fields or ():
                if isinstance(k, str) and k.lower() == "location":
                    target = v
        if target is not None and target.all_taints():
            for sink in self.tables.sinks:
                if sink.rule == "open-redirect" and sink.on == "response":
                    self.sink_reached(sink, target, node, f"{method}('Location')")
                    return

    def imports_one(self, modules: tuple[str, ...]) -> bool:
        """True when the module imports one of modules (or imports nothing: a snippet)."""
        if not self.aliases:
            return True
        return any(
            v.split(".")[0] in modules or v.split(".")[0].lstrip("@") in modules
            for v in self.aliases.values()
        )

    def _modelled(self, func: Node, method: str, receiver: Val | None, args: list[Val]) -> Val | None:
        """Strings folded, arrays and objects changed in place, modelled precisely."""
        if receiver is None:
            return None
        if receiver.known and isinstance(receiver.const, str) and all(a.known for a in args):
            folded = _fold_string(receiver.const, method, [a.const for a in args])
            if folded is not None:
                return const(folded)
        target = chain(func.child_by_field_name("object"))
        if method == "push" and target and receiver.items is not None:
            self.assign_name(".".join(target), list_of([*receiver.items, *args]))
            return Val()
        if method in ("push", "unshift", "add", "set", "append") and target and args:
            taints = merge(args).all_taints()
            if taints:
                self.assign_name(".".join(target), replace(receiver, extra=receiver.extra | taints))
            return Val()
        if method == "join" and receiver.items is not None:
            return self.concat(
                [Val(taints=receiver.all_taints(), text=merge(list(receiver.items)).text), *args]
            )
        return None


def _beyond_a_name(node: Node) -> list[Node]:
    """The member expressions of a chain a.b.b… above its last MAX_LINKS (outermost first), or []
    when the chain is not that long."""
    links: list[Node] = []
    inner: Node | None = node
    while inner is not None and inner.type == "member_expression":
        links.append(inner)
        inner = inner.child_by_field_name("object")
    return links[: len(links) - MAX_LINKS] if len(links) > MAX_LINKS else []


#: Every character that cannot be part of a name, as a space: the words of a text are its names.
_WORDS = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_$")}
_HEADS: dict[int, frozenset[str]] = {}


def _source_heads(tables: Tables) -> frozenset[str]:
    """The first names of every attribute source (``location``, ``process``...), once per table."""
    found = _HEADS.get(id(tables))
    if found is None:
        found = _HEADS[id(tables)] = frozenset(a.split(".", 1)[0] for s in tables.sources for a in s.attrs)
    return found


_MATCHED: dict[tuple[str, int], bool] = {}


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    """spec.matches, remembered: the tables are constants and a module calls few names."""
    key = (name, id(patterns))
    found = _MATCHED.get(key)
    if found is None:
        if len(_MATCHED) > 100_000:
            _MATCHED.clear()
        found = _MATCHED[key] = matches(name, patterns)
    return found


def _operators(args: list[Val]) -> bool:
    """A MongoDB query written out: an argument with a ``$`` operator among its keys."""
    return any(
        a.fields is not None and any(isinstance(k, str) and k.startswith("$") for k, _ in a.fields)
        for a in args
    )


def _fold_string(text: str, method: str, args: list[object]) -> object:
    if method in ("toLowerCase", "toUpperCase", "trim") and not args:
        return {"toLowerCase": text.lower, "toUpperCase": text.upper, "trim": text.strip}[method]()
    if method in ("startsWith", "endsWith", "includes") and len(args) == 1 and isinstance(args[0], str):
        return {"startsWith": text.startswith, "endsWith": text.endswith, "includes": text.__contains__}[
            method
        ](args[0])
    return None


def _what(base: Val) -> str:
    return {"request": "req", "koa-context": "ctx", "message-event": "event"}.get(base.kind, base.kind)


__all__ = ["JsEvaluator", "expression_children", "unwrap"]


_POSSIBLE_CALLS: dict[int, tuple[str, ...]] = {}


def _possible_calls(tables: Tables) -> tuple[str, ...]:
    """The calls of the sinks that a value of no known origin is worth a look at."""
    key = id(tables)
    if key not in _POSSIBLE_CALLS:
        _POSSIBLE_CALLS[key] = tuple(c for s in tables.sinks if s.possible for c in s.calls)
    return _POSSIBLE_CALLS[key]


def _unknown_text(value: Val, possible: str) -> bool:
    """A value the reader cannot vouch for: not made of literals, not a function (a callback)."""
    if value.literal or value.known or value.kind == "function":
        return False
    return possible == "any" or value.built
