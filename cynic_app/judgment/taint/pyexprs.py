"""The value of a Python expression: constants folded, containers tracked by constant keys,
taint carried through string building, calls read against the tables.

Recursion is bounded: past MAX_DEPTH nested expressions the rest of a subtree is read flat (the
taint of every name in it, nothing folded), so a pathological expression cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import operator

from .names import chain, qualify
from .spec import ALL, ANY, Sink, Tables, cleans, matches
from .values import (
    ITEMS_KEPT,
    NOCONST,
    PARAM,
    UNKNOWN,
    Taint,
    Val,
    cleared,
    const,
    dict_of,
    join,
    list_of,
    merge,
    replace,
    set_field,
)

MAX_DEPTH = 60
#: Folding never builds a string or number bigger than this (``"a" * 10**9`` is not folded).
FOLD_LIMIT = 10_000
_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor,
}  # fmt: skip
_COMPARES = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}  # fmt: skip
#: str methods folded when the receiver and arguments are constants.
_PURE_STR = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "replace", "split", "startswith", "endswith", "title",
     "capitalize", "casefold", "removeprefix", "removesuffix", "zfill", "center", "ljust", "rjust",
     "partition", "rpartition", "rsplit", "splitlines", "count", "find", "index", "isdigit", "isalpha",
     "isalnum"}
)  # fmt: skip
#: Objects whose contents are tracked by constant keys, like a dict's.
_KEYED_KINDS = frozenset({"configparser"})
_CONTAINER_METHODS = frozenset(
    {"append", "insert", "extend", "pop", "remove", "clear", "update", "setdefault", "reverse", "sort"}
)
_DERIVING = frozenset(
    {"str", "urllib.parse.urlparse", "urllib.parse.urlsplit", "os.path.realpath", "os.path.abspath",
     "os.path.normpath", "os.path.join", "pathlib.Path", "resolve", "absolute", "bytes", "repr"}
)  # fmt: skip


class Evaluator:
    """Reads expressions in an environment. The statement walker (pyflow.py) owns the
    environment and the findings; this class only computes values and reports sink hits to it."""

    tables: Tables
    aliases: dict[str, str]
    env: dict[str, Val]
    index: dict  # spec.index(tables)
    _by_name_part: list  # sanitisers recognised by a part of the called function's own name

    # -- provided by the statement walker ---------------------------------------------------------

    def lookup(self, name: str) -> Val | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def sink_reached(self, sink: Sink, val: Val, node: ast.AST, name: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def sink_possibly_reached(
        self, sink: Sink, val: Val, node: ast.AST, name: str
    ) -> None:  # pragma: no cover
        raise NotImplementedError

    def call_local(
        self,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        receiver: Val | None,
        called: Val | None,
    ) -> Val | None:  # pragma: no cover
        raise NotImplementedError

    def own_attribute(self, parts: list[str], node: ast.AST) -> Val | None:
        """``self.x`` read in a method, when the method itself has not set it."""
        return None

    def assign_name(self, name: str, value: Val) -> None:  # pragma: no cover
        raise NotImplementedError

    def fixed_path(self) -> str:
        """The one path the view being read answers, when its route fixes it."""
        return ""

    def serves_web(self) -> bool:
        """True when the module imports a web framework (a local named request is the request)."""
        return False

    # -- expressions ------------------------------------------------------------------------------

    def ev(self, node: ast.AST | None, depth: int = 0) -> Val:
        if node is None:
            return UNKNOWN
        if depth > MAX_DEPTH:
            return self._flat(node)
        method = getattr(self, "_ev_" + type(node).__name__, None)
        return method(node, depth + 1) if method else self._flat(node)

    def _flat(self, node: ast.AST) -> Val:
        """Every taint a subtree's names carry, read without recursion."""
        taints: set[Taint] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                found = self.lookup(sub.id)
                if found is not None:
                    taints |= found.all_taints()
        return Val(taints=frozenset(taints))

    def _ev_Constant(self, node: ast.Constant, depth: int) -> Val:
        return const(node.value)

    def _ev_Name(self, node: ast.Name, depth: int) -> Val:
        found = self.lookup(node.id)
        if found is not None:
            return found
        return self._named(qualify([node.id], self.aliases, self.env.keys()), node)

    def _ev_Attribute(self, node: ast.Attribute, depth: int) -> Val:
        parts = chain(node)
        if parts is not None:
            dotted = ".".join(parts)
            if dotted in self.env:
                return self.env[dotted]
            local = self.env.keys()
            source = self._source_attr(qualify(parts, self.aliases, local), parts, node)
            if source is not None:
                return source
            own = self.own_attribute(parts, node)
            if own is not None:
                return own
        base = self.ev(node.value, depth)
        for src in self.tables.sources:
            if base.kind and src.on == base.kind and node.attr in src.methods:
                return Val(taints=frozenset({Taint(src.label, node.lineno, f".{node.attr}")}))
        if base.fields is not None and not base.is_dict:
            found = base.get_field(node.attr)
            if found is not None:
                return found
        if node.attr in self.tables.numeric_attrs:
            return Val()
        return Val(taints=base.all_taints(), origin=base.origin, kind="")

    def _named(self, qualified: str, node: ast.AST) -> Val:
        """A module-level name or an imported object read as a value."""
        source = self._source_attr(qualified, qualified.split("."), node)
        return source if source is not None else Val()

    def _source_attr(self, qualified: str, parts: list[str], node: ast.AST) -> Val | None:
        for src in self.tables.sources:
            for root in src.attrs:
                if qualified == root or qualified.startswith(root + "."):
                    rest = qualified[len(root) + 1 :].split(".")[0] if qualified != root else ""
                    if rest in src.except_attrs:
                        return Val()
                    if rest == "path" and self.fixed_path() and qualified == f"{root}.path":
                        return const(self.fixed_path())  # a view with a fixed route answers one path
                    what = root.rsplit(".", 1)[-1] + (f".{rest}" if rest else "")
                    return Val(taints=frozenset({Taint(src.label, node.lineno, what)}), kind="request")
            dotted = ".".join(parts)
            if src.web_only and not self.serves_web():
                continue
            for local in src.local_attrs:
                if (dotted == local or dotted.startswith(local + ".")) and parts[0] not in self.aliases:
                    return Val(taints=frozenset({Taint(src.label, node.lineno, local)}))
        return None

    def _ev_JoinedStr(self, node: ast.JoinedStr, depth: int) -> Val:
        parts = [self.ev(v.value if isinstance(v, ast.FormattedValue) else v, depth) for v in node.values]
        return self._concat(parts)

    def _concat(self, parts: list[Val]) -> Val:
        if all(p.known for p in parts):
            text = "".join(str(p.const) for p in parts)
            if len(text) <= FOLD_LIMIT:
                return const(text)
        return merge(parts, built=True)

    def _ev_BinOp(self, node: ast.BinOp, depth: int) -> Val:
        left, right = self.ev(node.left, depth), self.ev(node.right, depth)
        if left.known and right.known:
            folded = _fold(_BINOPS.get(type(node.op)), left.const, right.const)
            if folded is not NOCONST:
                return const(folded)
        if isinstance(node.op, ast.Div) and left.kind == "path":
            return replace(merge([left, right]), kind="path")
        if isinstance(node.op, (ast.Add, ast.Mod)) and (isinstance(left.const, str) or left.text):
            if isinstance(node.op, ast.Mod) and right.items is not None:
                return self._concat([left, *right.items])
            return self._concat([left, right])
        if isinstance(node.op, ast.Add) and left.items is not None and right.items is not None:
            return list_of([*left.items, *right.items])
        return merge([left, right], built=isinstance(node.op, ast.Add))

    def _ev_UnaryOp(self, node: ast.UnaryOp, depth: int) -> Val:
        value = self.ev(node.operand, depth)
        if isinstance(node.op, ast.Not):
            return const(not value.const) if value.known else Val()
        if value.known and isinstance(value.const, (int, float)) and not isinstance(value.const, bool):
            return const(-value.const if isinstance(node.op, ast.USub) else value.const)
        return Val(taints=value.all_taints())

    def _ev_BoolOp(self, node: ast.BoolOp, depth: int) -> Val:
        values = [self.ev(v, depth) for v in node.values]
        is_and = isinstance(node.op, ast.And)
        for v in values:
            if not v.known:
                break
            if bool(v.const) != is_and:  # `and` stops at a false value, `or` at a true one
                return v
        else:
            return values[-1]
        out = values[0]
        for v in values[1:]:
            out = join(out, v)
        return out

    def _ev_Compare(self, node: ast.Compare, depth: int) -> Val:
        left = self.ev(node.left, depth)
        result: object = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.ev(right_node, depth)
            if not (left.known and right.known):
                return Val()  # a boolean: no text of the input survives it
            try:
                result = result and _COMPARES[type(op)](left.const, right.const)
            except (TypeError, ValueError, ArithmeticError):  # the program itself would raise
                return Val()
            left = right
        return const(bool(result))

    def _ev_IfExp(self, node: ast.IfExp, depth: int) -> Val:
        test = self.ev(node.test, depth)
        if test.known:
            return self.ev(node.body if test.const else node.orelse, depth)
        return join(self.ev(node.body, depth), self.ev(node.orelse, depth))

    def _ev_Subscript(self, node: ast.Subscript, depth: int) -> Val:
        base = self.ev(node.value, depth)
        if isinstance(node.slice, ast.Slice):
            if base.known and isinstance(base.const, (str, bytes, tuple)):
                bounds = [self.ev(b, depth) if b is not None else const(None) for b in
                          (node.slice.lower, node.slice.upper, node.slice.step)]  # fmt: skip
                if all(b.known for b in bounds):
                    try:
                        return const(base.const[slice(*(b.const for b in bounds))])
                    except (TypeError, ValueError):
                        return Val()
            if base.items is not None:
                return Val(extra=base.all_taints())
            return Val(taints=base.all_taints(), built=base.built, text=base.text, kind=base.kind)
        key = self.ev(node.slice, depth)
        return subscript(base, key)

    def _ev_List(self, node: ast.List | ast.Tuple | ast.Set, depth: int) -> Val:
        values = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                return Val(extra=merge([self.ev(x, depth) for x in node.elts]).taints)
            values.append(self.ev(e, depth))
        out = list_of(values)
        if all(v.known for v in values) and len(values) <= ITEMS_KEPT:
            kind = (
                tuple if isinstance(node, ast.Tuple) else (frozenset if isinstance(node, ast.Set) else list)
            )
            return replace(out, const=kind(v.const for v in values)) if kind is not list else out
        return out

    _ev_Tuple = _ev_List
    _ev_Set = _ev_List

    def _ev_Dict(self, node: ast.Dict, depth: int) -> Val:
        pairs: list[tuple[object, Val]] = []
        extra: set[Taint] = set()
        for k, v in zip(node.keys, node.values, strict=True):
            value = self.ev(v, depth)
            key = self.ev(k, depth) if k is not None else UNKNOWN
            if k is not None and key.known:
                pairs.append((key.const, value))
            else:
                extra |= value.all_taints() | key.all_taints()
        return dict_of(pairs, frozenset(extra))

    def _ev_comprehension(self, node, depth: int) -> Val:
        saved = dict(self.env)
        try:
            for gen in node.generators:
                element = iterate(self.ev(gen.iter, depth))
                self.bind(gen.target, element)
            if isinstance(node, ast.DictComp):
                value = merge([self.ev(node.key, depth), self.ev(node.value, depth)])
                return Val(is_dict=True, fields=None, extra=value.all_taints())
            return Val(extra=self.ev(node.elt, depth).all_taints())
        finally:
            self.env.clear()
            self.env.update(saved)

    _ev_ListComp = _ev_SetComp = _ev_GeneratorExp = _ev_DictComp = _ev_comprehension

    def _ev_Await(self, node: ast.Await, depth: int) -> Val:
        return self.ev(node.value, depth)

    _ev_Starred = _ev_Await

    def _ev_NamedExpr(self, node: ast.NamedExpr, depth: int) -> Val:
        value = self.ev(node.value, depth)
        self.bind(node.target, value)
        return value

    def _ev_Lambda(self, node: ast.Lambda, depth: int) -> Val:
        return Val()

    def bind(self, target: ast.AST, value: Val) -> None:
        """Assign value to a target: a name, an attribute path, or a tuple unpacked."""
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if value.items is not None and len(value.items) == len(target.elts) else None
            for i, t in enumerate(target.elts):
                # unpacked from something of unknown shape: each part may be all of it (conn, addr = accept())
                self.bind(
                    t, items[i] if items is not None else Val(taints=value.all_taints(), kind=value.kind)
                )
        elif isinstance(target, ast.Attribute):
            parts = chain(target)
            if parts is not None:
                self.assign_name(".".join(parts), value)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, Val(extra=value.all_taints()))

    # -- calls --------------------------------------------------------------------------------------

    def _ev_Call(self, node: ast.Call, depth: int) -> Val:
        args: list[Val] = []
        for a in node.args:
            value = self.ev(a, depth)
            if isinstance(a, ast.Starred) and value.items is not None and not value.taints | value.extra:
                args += value.items  # f(*[a, b]): the arguments a, b in their places
            else:
                args.append(value)
        kwargs = {k.arg: self.ev(k.value, depth) for k in node.keywords if k.arg}
        spread = [self.ev(k.value, depth) for k in node.keywords if not k.arg]
        func = node.func
        receiver = self.ev(func.value, depth) if isinstance(func, ast.Attribute) else None
        # make_runner(x)(): the call that gives what is called
        called = self.ev(func, depth + 1) if isinstance(func, ast.Call) else None
        parts = chain(func)
        qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
        method = func.attr if isinstance(func, ast.Attribute) else ""
        local = self.call_local(node, args, kwargs, receiver, called)
        if local is not None:
            return local
        everything = [*args, *kwargs.values(), *spread, *(v for v in (receiver, called) if v is not None)]
        self._sinks(node, qualified, method, receiver, args, kwargs)
        self._flags_on_receiver(node, method, receiver, args)
        cleaned = self._sanitised(qualified, method, everything)
        if cleaned is not None:
            return cleaned
        for src in self.index["sources"].for_call(qualified, method):
            if (src.calls and qualified and matches(qualified, src.calls)) or (
                method and method in src.methods and receiver is not None and receiver.kind == src.on
            ):
                return Val(taints=frozenset({Taint(src.label, node.lineno, f"{qualified or method}()")}))
        kind = self._kind_of(qualified, method, receiver)
        flags = self._constructed_flags(qualified, kwargs)
        if kind in _KEYED_KINDS and (receiver is None or receiver.kind != kind):
            return Val(fields=(), kind=kind, flags=flags)  # a config parser: tracked key by key
        if kind == "response" and args and args[0].items:
            return Val(taints=args[0].items[0].all_taints(), kind=kind)  # (body, status, headers)
        modelled = self._modelled(func, qualified, method, receiver, args, kwargs)
        if modelled is not None:
            return replace(modelled, kind=modelled.kind or kind, flags=modelled.flags | flags)
        if kind in self.tables.handles:
            return Val(kind=kind, flags=flags)  # open(name) is a handle: the name is not in the file
        propagates = bool(qualified) and bool(self.index["propagators"].for_call(qualified))
        if receiver is not None and not propagates:
            # unknown code: what it returns from its arguments is less certain than from its receiver
            everything = [*(v.hopped() for v in (*args, *kwargs.values(), *spread)), receiver]
        elif not propagates:
            everything = [v.hopped() for v in everything]
        out = merge(everything, built=method in ("format", "join"))
        # a propagator of literals gives a literal (its receiver is a module); unknown code's result
        # is no literal: nothing says what it is
        literal = propagates and all(v.literal for v in (*args, *kwargs.values(), *spread))
        out = replace(out, literal=literal)
        origin = ""
        if (qualified in _DERIVING or method in _DERIVING) and len(node.args) <= 1:
            target = node.args[0] if node.args else (func.value if isinstance(func, ast.Attribute) else None)
            if isinstance(target, ast.Name):
                origin = target.id
            elif target is not None:
                origin = (args[0] if node.args else receiver).origin
        return replace(out, kind=kind, flags=flags, origin=origin)

    def _sanitised(self, qualified: str, method: str, everything: list[Val]) -> Val | None:
        candidates = self.index["sanitizers"].for_call(qualified, method) + self._by_name_part
        for s in candidates:
            if cleans(s, qualified, method):
                if s.cwes == ALL:
                    return Val(literal=True)  # a number: vouched for, no sink's look either
                return cleared(merge(everything), s.cwes)
        return None

    def _kind_of(self, qualified: str, method: str, receiver: Val | None) -> str:
        for k in self.index["kinds"].for_call(qualified, method):
            if k.calls and qualified and matches(qualified, k.calls):
                return k.kind
            if k.methods and method in k.methods and receiver is not None and receiver.kind == k.on:
                return k.kind
        return ""

    def _constructed_flags(self, qualified: str, kwargs: dict[str, Val]) -> frozenset[str]:
        flags = set()
        for f in self.index["flags"].for_call(qualified):
            if f.calls and f.kwarg and qualified and matches(qualified, f.calls):
                given = kwargs.get(f.kwarg[0])
                if given is not None and given.known and given.const == f.kwarg[1]:
                    flags.add(f.flag)
        return frozenset(flags)

    def _flags_on_receiver(self, node: ast.Call, method: str, receiver: Val | None, args: list[Val]) -> None:
        """A method that sets a fact on its receiver (``parser.setFeature(feature_external_ges, True)``)."""
        func = node.func
        if receiver is None or not isinstance(func, ast.Attribute) or len(args) < 2 or not node.args:
            return
        named = chain(func.value)
        first = chain(node.args[0])
        feature = qualify(first, self.aliases, self.env.keys()) if first else ""
        for f in self.index["flags"].for_call("", method):
            if (
                f.methods
                and method in f.methods
                and receiver.kind == f.on
                and named
                and feature in f.arg_names
            ):
                if args[1].known and args[1].const == f.value:
                    self.assign_name(".".join(named), replace(receiver, flags=receiver.flags | {f.flag}))

    def _sinks(self, node, qualified, method, receiver, args, kwargs) -> None:
        for sink in self.index["sinks"].for_call(qualified, method):
            if sink.calls:
                if not (qualified and matches(qualified, sink.calls)):
                    continue
            elif not (method and method in sink.methods):
                continue
            elif sink.on and (receiver is None or receiver.kind != sink.on):
                continue
            elif (
                not sink.on
                and sink.imports
                and not any(v.split(".")[0] in sink.imports for v in self.aliases.values())
            ):
                continue
            if any(not _given(kwargs, k, v) for k, v in sink.when) or any(
                k in kwargs and (v is ANY or _given(kwargs, k, v)) for k, v in sink.unless
            ):
                continue
            if sink.safe_with is not None and self._names_safe(node, sink.safe_with):
                continue
            if sink.declared is not None and _declared_otherwise(kwargs, *sink.declared):
                continue
            if sink.needs_flag is not None:
                where, flag = sink.needs_flag
                if where == "receiver":
                    holder = receiver
                elif isinstance(where, str):
                    holder = kwargs.get(where)
                else:
                    holder = args[where] if len(args) > where else None
                if holder is None or flag not in holder.flags:
                    continue
            name = qualified or method
            for i in sink.args:
                if i < len(args):
                    self._reach(sink, args[i], node, name)
            for k in sink.kwargs:
                if k in kwargs:
                    self._reach(sink, kwargs[k], node, name)
            if sink.receiver and receiver is not None:
                self._reach(sink, receiver, node, name)
            if sink.argv is not None:
                at, variadic = sink.argv
                argv = list_of(args[at:]) if variadic else args[at] if len(args) > at else None
                if argv is not None and argv.items is not None:
                    program = args[sink.args[0]] if sink.args and len(args) > sink.args[0] else None
                    self._shell_command(sink, argv.items, node, name, program)

    def _names_safe(self, node: ast.Call, safe_with: tuple[int, str, str]) -> bool:
        position, keyword, text = safe_with
        given = node.args[position] if len(node.args) > position else None
        for k in node.keywords:
            if k.arg == keyword:
                given = k.value
        parts = chain(given) if given is not None else None
        return bool(parts) and text in parts[-1]

    def _reach(self, sink: Sink, value: Val, node: ast.AST, name: str) -> None:
        if sink.first_item and value.items is not None:
            self._shell_command(sink, value.items, node, name)
            value = value.items[0] if value.items else UNKNOWN
        if value.all_taints():
            self.sink_reached(sink, value, node, name)
        elif sink.possible and not value.literal and (sink.possible == "any" or value.built):
            self.sink_possibly_reached(sink, value, node, name)

    def _shell_command(
        self, sink: Sink, argv: tuple[Val, ...], node: ast.AST, name: str, program: Val | None = None
    ) -> None:
        """A program's argument list: ``sh -c COMMAND`` runs COMMAND (``grep -e PATTERN`` does
        not); program: the program started, when argv[0] is only its display name (os.exec*)."""
        at = command_argument(self.tables, argv[0] if program is None else program, argv) if argv else None
        if at is not None and at < len(argv):
            self._reach(replace(sink, first_item=False, argv=None), argv[at], node, name)

    def _modelled(self, func, qualified, method, receiver, args, kwargs) -> Val | None:
        """Containers, config parsers and string methods, modelled precisely."""
        if receiver is None:
            if qualified in ("dict",) and not args:
                return dict_of([(k, v) for k, v in kwargs.items()])
            if qualified in ("list", "tuple") and len(args) == 1:
                return args[0] if args[0].items is not None else Val(extra=args[0].all_taints())
            return None
        named = chain(func.value)
        target = ".".join(named) if named else ""
        if receiver.kind == "configparser":
            if method == "set" and len(args) >= 3 and args[0].known and args[1].known and target:
                self.assign_name(target, set_field(receiver, (args[0].const, args[1].const), args[2]))
                return Val()
            if method == "get" and len(args) >= 2 and args[0].known and args[1].known:
                found = receiver.get_field((args[0].const, args[1].const))
                return found if found is not None else Val(taints=receiver.all_taints())
            if method in ("add_section", "has_section", "sections", "read", "read_string"):
                return Val()
        if receiver.known and isinstance(receiver.const, str) and method in _PURE_STR:
            if all(a.known for a in args) and not kwargs:
                folded = _fold_str_method(receiver.const, method, [a.const for a in args])
                return const(folded) if folded is not NOCONST else None
        if (
            method in _CONTAINER_METHODS
            and target
            and (receiver.items is not None or receiver.fields is not None)
        ):
            return self._container_call(target, receiver, method, args)
        if receiver.fields is not None and receiver.is_dict and method == "get" and args:
            default = args[1] if len(args) > 1 else const(None)
            if args[0].known:
                found = receiver.get_field(args[0].const)
                return found if found is not None else join(Val(taints=receiver.extra), default)
            return lookup_any(receiver, default)  # the key chooses among the values: it is not one
        if method == "format" and isinstance(receiver.const, str):
            return self._concat([receiver, *args, *kwargs.values()])
        if method == "join" and args and isinstance(receiver.const, str):  # ", ".join(parts)
            return self._concat([receiver, Val(taints=args[0].all_taints())])
        return None

    def _container_call(self, target: str, receiver: Val, method: str, args: list[Val]) -> Val:
        if receiver.items is not None:
            items = list(receiver.items)
            result = Val()
            if method == "append" and args:
                items.append(args[0])
            elif method == "insert" and len(args) == 2 and args[0].known and isinstance(args[0].const, int):
                items.insert(args[0].const, args[1])
            elif method == "extend" and args:
                if args[0].items is None:
                    self.assign_name(target, Val(extra=receiver.all_taints() | args[0].all_taints()))
                    return Val()
                items.extend(args[0].items)
            elif method == "pop":
                index = args[0].const if args and args[0].known else -1
                if not items or not isinstance(index, int) or not -len(items) <= index < len(items):
                    self.assign_name(target, Val(extra=receiver.all_taints()))
                    return Val(taints=receiver.all_taints())
                result = items.pop(index)
            elif method == "clear":
                items = []
            elif method == "reverse":
                items.reverse()
            else:
                self.assign_name(target, Val(extra=receiver.all_taints() | merge(args).taints))
                return Val(taints=receiver.all_taints())
            self.assign_name(target, list_of(items))
            return result
        if method in ("setdefault", "update") or method == "pop":
            if method == "pop" and args and args[0].known:
                found = receiver.get_field(args[0].const)
                return found if found is not None else Val(taints=receiver.extra)
            if method == "setdefault" and len(args) == 2 and args[0].known:
                found = receiver.get_field(args[0].const)
                if found is None:
                    self.assign_name(target, set_field(receiver, args[0].const, args[1]))
                    return args[1]
                return found
            if method == "update" and args and args[0].fields is not None:
                merged = receiver
                for k, v in args[0].fields:
                    merged = set_field(merged, k, v)
                self.assign_name(target, replace(merged, extra=merged.extra | args[0].extra))
                return Val()
        self.assign_name(target, replace(receiver, extra=receiver.extra | merge(args).taints))
        return Val(taints=receiver.all_taints())


def subscript(base: Val, key: Val) -> Val:
    """base[key]: a tracked element when the key is a constant, else everything base holds."""
    if key.known:
        if base.fields is not None:
            found = base.get_field(key.const)
            if found is not None:
                return found
            return Val(taints=base.extra)
        if base.items is not None and isinstance(key.const, int) and not isinstance(key.const, bool):
            if -len(base.items) <= key.const < len(base.items):
                return base.items[key.const]
            return Val(taints=base.extra)
        if base.known and isinstance(base.const, (str, bytes, tuple, list)) and isinstance(key.const, int):
            try:
                return const(base.const[key.const])
            except IndexError:
                return Val()
    if base.fields is not None and base.is_dict:
        return lookup_any(base)  # the key chooses among the values, it is not one
    return Val(taints=base.all_taints(), origin=base.origin)  # the key chooses, it is not the value


def lookup_any(container: Val, default: Val | None = None) -> Val:
    """container[key] for a key not known: any of its tracked values (or the default)."""
    out = default if default is not None else Val(taints=container.extra)
    for _, v in container.fields or ():
        out = join(out, v)
    return join(out, Val(taints=container.extra)) if container.extra else out


def iterate(container: Val) -> Val:
    """What one element of an iterated value may be."""
    if container.items is not None and container.items:
        out = container.items[0]
        for v in container.items[1:]:
            out = join(out, v)
        return join(out, Val(taints=container.extra)) if container.extra else out
    return Val(taints=container.all_taints(), kind=container.kind if container.kind == "etree" else "")


def _given(kwargs: dict[str, Val], name: str, value: object) -> bool:
    given = kwargs.get(name)
    return given is not None and given.known and given.const == value


def _declared_otherwise(kwargs: dict[str, Val], keywords: tuple[str, ...], text: str) -> bool:
    """A keyword among these is a literal string that does not contain the text."""
    for k in keywords:
        given = kwargs.get(k)
        if given is not None and given.known and isinstance(given.const, str):
            return text not in given.const.lower()
    return False


def _program_name(program: Val) -> str | None:
    """A program's file name as a table knows it: no directory, ".exe" or version, lower case
    (None: not known when the code is read)."""
    if not (program.known and isinstance(program.const, str)):
        return None
    base = program.const.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    return base.rstrip("0123456789.-") or base


def command_argument(tables: Tables, program: Val, argv: tuple[Val, ...]) -> int | None:
    """Where in argv (argv[0] names the program, or only its display name when program is
    given apart, as os.exec* and os.spawn* take it) the started program finds a command line
    or code it runs (``sh -c COMMAND``, ``bash -lc COMMAND``, ``python3 -u -c CODE``, ``sudo sh
    -c``), by the tables' runners and wrappers; None when it takes none. A program not known
    (a variable: ``$SHELL``, sys.executable) runs its next argument after one of the tables'
    unknown_runner_flags (``-c``: a shell's, Python's), coming first."""
    name = _program_name(program)
    start = 1
    for _ in range(3):  # wrappers around wrappers: env sudo nice sh -c ...
        if name not in tables.wrappers:
            break
        skip = tables.wrappers[name]
        at = start
        while at < len(argv) and argv[at].known and isinstance(argv[at].const, str):
            word = argv[at].const
            if word.startswith("-") or "=" in word:
                at += 1
            elif skip:
                skip -= 1  # a wrapper's own argument (timeout's duration)
                at += 1
            else:
                break
        if at >= len(argv):
            return None
        name, start = _program_name(argv[at]), at + 1
    if name is None:
        known = argv[start] if start < len(argv) else None
        if known is not None and known.known and known.const in tables.unknown_runner_flags:
            return start + 1
        return None
    flags = tables.runners.get(name)
    if flags is None:
        return None
    slashed = any(f.startswith("/") for f in flags)  # cmd's /c: else a / starts a script's path
    for at in range(start, min(len(argv) - 1, start + 6)):
        word = argv[at].const if argv[at].known and isinstance(argv[at].const, str) else None
        if word is None or not (word.startswith("-") or (slashed and word.startswith("/"))):
            return None  # a script's file name, or not known: its own arguments follow
        if word in flags:
            return at + 1
        cluster = word[1:]
        if "-c" in flags and word.startswith("-") and cluster.isalpha() and cluster.endswith("c"):
            return at + 1  # -lc, -ec, -xc: a shell's options run together, -c last
    return None


def _fold_str_method(text: str, method: str, args: list) -> object:
    """text.method(*args), unless its result could exceed FOLD_LIMIT: widths and replacements
    are bounded before the call is made, so no literal can make the judge allocate gigabytes."""
    if method in ("zfill", "center", "ljust", "rjust") and args:
        if not isinstance(args[0], int) or args[0] > FOLD_LIMIT:
            return NOCONST
    if method == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = text.count(args[0]) if args[0] else len(text) + 1
        if len(text) + count * max(0, len(args[1]) - len(args[0])) > FOLD_LIMIT:
            return NOCONST
    try:
        out = getattr(text, method)(*args)
    except (TypeError, ValueError, OverflowError):  # the program itself would raise
        return NOCONST
    if isinstance(out, str) and len(out) > FOLD_LIMIT:
        return NOCONST
    return out


def _formats_small(fmt: object) -> bool:
    """A %-format whose widths and precisions are small (``%.999999999f`` formats a gigabyte)."""
    if not isinstance(fmt, (str, bytes)):
        return True
    text = fmt if isinstance(fmt, str) else fmt.decode("latin-1")
    if "*" in text:
        return False
    digits = 0
    for c in text:
        digits = digits + 1 if c.isdigit() else 0
        if digits > 4:
            return False
    return True


def _fold(op, a, b):
    if op is None:
        return NOCONST
    for seq, n in ((a, b), (b, a)):  # "ab" * n and n * "ab"
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and n * len(seq) > FOLD_LIMIT:
            return NOCONST
    if op is operator.mod and not _formats_small(a):
        return NOCONST
    if isinstance(a, int) and isinstance(b, int) and (abs(a) > 2**64 or abs(b) > 2**64):
        return NOCONST
    try:
        out = op(a, b)
    except (TypeError, ValueError, ArithmeticError):  # the program itself would raise
        return NOCONST
    if isinstance(out, (str, bytes, tuple)) and len(out) > FOLD_LIMIT:
        return NOCONST  # (t + t) twenty times: a million items
    return out if isinstance(out, (str, bytes, int, float, bool, tuple)) else NOCONST


__all__ = ["PARAM", "Evaluator", "iterate", "subscript"]
