"""Taint flow through a JavaScript or TypeScript module, read from its tree-sitter tree: statements
in order, branches joined, checks that clear a value, and functions summarised (pyflow.py is the
same walk for Python; the summaries, confidences and hits are its own).

Handlers are known by their parameters: a function whose parameters are named ``req`` and ``res``
(or ``req`` alone in a module that imports a web framework, ``ctx`` in a Koa module) is given the
request and the response (the tables' ``param_kinds``); a NestJS parameter decorated ``@Body()``,
``@Query()``… is input. Functions given as arguments are walked where they are given
(jsexprs.py). A recursive function that copies keys of one parameter into another
(``target[key] = source[key]``) is a deep merge: input handed to it pollutes prototypes.
Loops run their body twice (once deeper than two loops); blocks deeper than MAX_BLOCK_DEPTH and
callbacks deeper than MAX_CALLBACK_DEPTH are not entered, so the cost stays linear.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..rules import RULES
from ..tsparse import text_of, walk
from .jsexprs import expression_children, unwrap
from .jsnames import chain, import_aliases
from .jsstatements import JsStatements
from .names import qualify
from .pyexprs import iterate
from .pyflow import (
    _SQL_RE,
    CONFIDENCE,
    HOP_KEPT,
    POSSIBLE,
    SNIPPET_LINES,
    WEAK_IN_MODULE,
    WEAK_IN_SNIPPET,
    SinkEntry,
    Summary,
    TaintHit,
    Walk,
    hit_confidence,
    hit_message,
    keep,
    parameter_taint,
    reaching,
    start_depth,
    summarise,
)
from .spec import ALL, Sink, Tables, secretish
from .values import INPUT, PARAM, RANDOM, UNKNOWN, Taint, Val, join, replace, set_field

MAX_BLOCK_DEPTH = 40
MAX_CALLBACK_DEPTH = 8
#: A nested function is walked where it is called this many times at most (then its summary is
#: used), so that calling a helper a thousand times costs a thousand summary applications.
MAX_INLINED = 4
_FUNCTION_TYPES = frozenset(
    {"function_declaration", "generator_function_declaration", "arrow_function", "function_expression",
     "function", "generator_function", "method_definition"}
)  # fmt: skip
_INPUT_DECORATORS = frozenset(
    {"Body", "Query", "Param", "Params", "Headers", "Req", "Request", "Cookies", "UploadedFile"}
)
#: Next.js functions whose first parameter holds the request's query, params and cookies.
_PAGE_DATA = frozenset({"getServerSideProps", "generateMetadata"})
_POLLUTION = Sink("prototype-pollution", param_any=True)
_POLLUTING_KEYS = frozenset({"__proto__", "constructor", "prototype"})


@dataclass
class JsFunction:
    node: Node
    name: str
    cls: str | None
    nested: bool


class JsModuleFlow:
    """Every taint hit in one module."""

    def __init__(
        self,
        root: Node,
        tables: Tables,
        aliases: dict[str, str] | None = None,
        declared: list[Node] | None = None,
    ):
        self.root = root
        self.tables = tables
        lines = root.end_point[0] + 1
        self.weak = WEAK_IN_SNIPPET if lines <= SNIPPET_LINES else WEAK_IN_MODULE
        self.aliases = import_aliases(root) if aliases is None else aliases
        roots = {v.split(".")[0] for v in self.aliases.values()}
        self.web = bool(roots & set(tables.web_frameworks))
        self.param_kinds = dict(tables.param_kinds)
        self.functions: dict[str, JsFunction] = {}
        self.methods: dict[tuple[str, str], JsFunction] = {}
        self.classes: set[str] = set()
        #: methods a constructor function defines: also read where they stand, with its locals
        self.closures: set[int] = set()
        self.inlined: dict[int, int] = {}  # nested function -> times walked where it was called
        self.summaries: dict[int, Summary | None] = {}
        self.start_depth = start_depth()  # where may_summarise counts frames from
        self.reaching: dict[tuple, tuple] = {}  # reaching()'s, per value and sink
        self.walked: set[int] = set()
        self.hits: dict[tuple[str, int], TaintHit] = {}
        self.globals: dict[str, Val] = {}
        self.secretish = tables.secretish
        self._collect(declared)
        #: functions read through their summaries, not where they are written
        self.declared_ids = {
            f.node.id for f in (*self.functions.values(), *self.methods.values())
        } - self.closures

    def run(self) -> list[TaintHit]:
        module = JsFunctionFlow(self, None)
        self.globals = module.env
        module.run_body(expression_children(self.root), 0)
        for info in [*self.functions.values(), *self.methods.values()]:
            if info.node.id not in self.walked or info.name in self.functions:
                self.summary_of(info)
        return sorted(self.hits.values(), key=lambda h: (h.line, h.rule))

    def _collect(self, declared: list[Node] | None) -> None:
        """The module's functions, classes and methods, from the DECLARATION_NODES a walk found
        (or found here)."""
        if declared is None:
            declared = [n for n in walk(self.root) if n.type in DECLARATION_NODES]
        for node in declared:
            kind = node.type
            if kind in ("function_declaration", "generator_function_declaration"):
                self._add(node, text_of(node.child_by_field_name("name")), None, _nested(node))
            elif kind == "variable_declarator":
                value, name = node.child_by_field_name("value"), node.child_by_field_name("name")
                if (
                    value is not None
                    and value.type in _FUNCTION_TYPES
                    and name is not None
                    and name.type == "identifier"
                ):
                    self._add(value, text_of(name), None, _nested(node))
            elif kind == "assignment_expression":
                self._constructor_method(node)
            elif kind in ("public_field_definition", "field_definition"):
                value = node.child_by_field_name("value")
                holder = node.parent.parent if node.parent is not None else None
                named = holder.child_by_field_name("name") if holder is not None else None
                if value is not None and value.type in _FUNCTION_TYPES and named is not None:
                    name = text_of(node.child_by_field_name("property") or node.child_by_field_name("name"))
                    self.methods[(text_of(named), name)] = JsFunction(
                        value, name, text_of(named), _nested(holder)
                    )
            elif kind == "method_definition":
                holder = node.parent.parent if node.parent is not None else None
                named = holder.child_by_field_name("name") if holder is not None else None
                if named is not None:
                    name = text_of(node.child_by_field_name("name"))
                    self.methods[(text_of(named), name)] = JsFunction(
                        node, name, text_of(named), _nested(holder)
                    )
            else:
                named = node.child_by_field_name("name")
                if named is not None:
                    self.classes.add(text_of(named))

    def _constructor_method(self, node: Node) -> None:
        """``this.name = function…`` in a function: a method of the objects ``new F()`` makes."""
        left, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        if (
            left is None
            or value is None
            or value.type not in _FUNCTION_TYPES
            or left.type != "member_expression"
        ):
            return
        holder = left.child_by_field_name("object")
        if holder is None or holder.type != "this":
            return
        owner = node.parent
        for _ in range(6):  # the statement, the block, the function
            if owner is None or owner.type in ("function_declaration", "function_expression", "function"):
                break
            owner = owner.parent
        named = owner.child_by_field_name("name") if owner is not None else None
        if named is not None:
            cls, name = text_of(named), text_of(left.child_by_field_name("property"))
            self.classes.add(cls)
            self.methods.setdefault((cls, name), JsFunction(value, name, cls, _nested(owner)))
            self.closures.add(value.id)

    def _add(self, node: Node, name: str, cls: str | None, nested: bool) -> None:
        if name and name not in self.functions:
            self.functions[name] = JsFunction(node, name, cls, nested)

    def summary_of(self, info: JsFunction) -> Summary | None:
        return summarise(self, info.node.id, lambda: JsFunctionFlow(self, info))

    def report(
        self, rule: str, node: Node, taint: Taint, name: str, *, line: int = 0, column: int = 0
    ) -> None:
        line = line or node.start_point[0] + 1
        column = column or node.start_point[1] + 1
        confidence = hit_confidence(taint, self.weak)
        keep(self.hits, TaintHit(rule, line, column, taint.line, hit_message(taint, name, line), confidence))


class JsFunctionFlow(Walk, JsStatements):
    """The walk over one function's body (or the module's top level, when info is None)."""

    def __init__(self, module: JsModuleFlow, info: JsFunction | None):
        self.module = module
        self.tables = module.tables
        self.aliases = module.aliases
        self.info = info
        self.env: dict[str, Val] = {}
        self.summary = Summary()
        self.returned: list[Val] = []
        self.loop_depth = 0
        self.callback_depth = 0
        self.inlining: set[int] = set()
        self.line = 0
        self.exits: list[tuple[list[dict[str, Val]], list[dict[str, Val]]]] = []

    # -- the function -------------------------------------------------------------------------

    def run_function(self) -> None:
        fn = self.info.node
        self.module.walked.add(fn.id)
        self.env["this"] = Val(kind="this")
        params = _params(fn)
        kinds = self._handler_kinds(params)
        if self.info.name in _PAGE_DATA and params:
            kinds = [Val(kind="koa-context"), *([None] * (len(params) - 1))]  # Next's request context
        for i, p in enumerate(params):
            if kinds is not None and kinds[i] is not None:
                self.bind_pattern(p, kinds[i])
                continue
            taints = {
                Taint(
                    PARAM,
                    fn.start_point[0] + 1,
                    f"parameter {_param_name(p) or i + 1} of {self.info.name}()",
                    param=i,
                )
            }
            if _decorated_input(p):
                taints.add(Taint(INPUT, p.start_point[0] + 1, f"@{_decorator(p)}() parameter"))
            self.bind_pattern(p, Val(taints=frozenset(taints)))
        self._run_function_body(fn)
        for value in self.returned:
            self.summary.returns = (
                value if self.summary.returns is UNKNOWN else join(self.summary.returns, value)
            )
        if secretish(self.module.secretish, self.info.name):
            for value in self.returned:
                self._random_into(value, f"the result of {self.info.name}()", fn.start_point[0] + 1)

    def _run_function_body(self, fn: Node) -> None:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        if body.type == "statement_block":
            self.run_body(expression_children(body), 1)
        else:
            self.returned.append(self.ev(body))

    def _handler_kinds(self, params: list[Node]) -> list[Val | None] | None:
        """The request, response or context each parameter of a handler is; None: not a handler."""
        names = [_param_name(p) for p in params]
        if len(names) >= 2 and names[0] == "event" and names[1] in ("context", "ctx"):
            return [Val(kind="request")] + [None] * (len(names) - 1)  # a cloud function's event
        kinds = [self.module.param_kinds.get(n) for n in names]
        request = "request" in kinds
        handler = (request and ("response" in kinds or self.module.web)) or (
            "koa-context" in kinds and self.module.web
        )
        if not handler:
            return None
        return [Val(kind=k) if k else None for k in kinds]

    def function_value(self, node: Node, depth: int) -> None:
        if node.id not in self.module.declared_ids:
            self.run_callback(node, [], depth)

    def run_callback(self, fn: Node, bound: list[Val], depth: int) -> Val:
        if self.callback_depth >= MAX_CALLBACK_DEPTH:
            return Val()
        self.module.walked.add(fn.id)
        saved, saved_returned, saved_exits, saved_loops = (
            dict(self.env),
            self.returned,
            self.exits,
            self.loop_depth,
        )
        self.returned, self.exits = [], []
        self.callback_depth += 1
        try:
            params = _params(fn)
            kinds = self._handler_kinds(params)
            for i, p in enumerate(params):
                if kinds is not None and kinds[i] is not None:
                    value = kinds[i]
                else:
                    value = bound[i] if i < len(bound) else Val()
                self.bind_pattern(p, value)
            self._run_function_body(fn)
            returned = self.returned
        finally:
            self.callback_depth -= 1
            after = self.env
            self.env = saved
            for name, value in after.items():
                if name in saved and saved[name] is not value:
                    self.env[name] = join(saved[name], value)
            self.returned, self.exits, self.loop_depth = saved_returned, saved_exits, saved_loops
        return merge_returns(returned)

    def report_public_parameters(self) -> None:
        """A public function whose parameter reaches a sink built into literal text (or, for
        deserialisers and raw HTML, as it is): its callers cannot know to clean it. Any other
        parameter that reaches a sink which a non-literal value makes worth a look is a possible
        finding (as in Python)."""
        info = self.info
        if info is None:
            return
        public = not (info.nested or info.name.startswith(("_", "#")) or (info.cls or "").startswith("_"))
        params = _params(info.node)
        for entry in sorted(self.summary.sinks, key=lambda e: (e.line, e.sink.rule)):
            if entry.param >= len(params):
                continue
            what = f"parameter {_param_name(params[entry.param]) or entry.param + 1} of {info.name}()"
            taint = parameter_taint(entry, public, what, info.node.start_point[0] + 1)
            if taint is not None:
                at = {"line": entry.line, "column": entry.column}
                self.module.report(entry.sink.rule, info.node, taint, entry.name, **at)

    # -- what the evaluator asks ----------------------------------------------------------------

    def assign_name(self, name: str, value: Val) -> None:
        self.env[name] = value
        if secretish(self.module.secretish, name.rsplit(".", 1)[-1]):
            self._random_into(value, f"{name} on line {self.line}", self.line)

    def _random_into(self, value: Val, where: str, line: int) -> None:
        for t in value.all_taints():
            if t.label == RANDOM and 330 not in t.cleared:
                message = f"predictable {t.what} (line {t.line}) becomes {where}: use crypto.randomBytes"
                confidence = round(CONFIDENCE[RANDOM] * HOP_KEPT**t.hops, 2)
                keep(self.module.hits, TaintHit("insecure-random", line, 0, t.line, message, confidence))

    def sink_possibly_reached(self, sink: Sink, val: Val, node: Node, name: str) -> None:
        what = "a value built at run time" if val.built else "a value"
        label = f"{name}()" if not sink.props else name
        self.module.report(sink.rule, node, Taint(POSSIBLE, 0, what), label)

    def sink_reached(self, sink: Sink, val: Val, node: Node, name: str) -> None:
        cwe = RULES[sink.rule].cwe
        html = val.get_field("__html") if val.fields is not None else None
        if html is not None:
            val = html
        elif cwe == 79 and (val.is_dict or val.items is not None):
            return  # an object or array is sent as JSON
        if sink.text == "sql" and not (val.built and _SQL_RE.search(val.text)):
            return
        if sink.text == "built" and not val.built:
            return  # a query builder's fragment: only text spliced together is injected
        where = val.get_field("$where") if cwe == 943 and val.fields is not None else None
        if where is not None:
            # text run as JavaScript by the database: building it does not clean it
            val = replace(
                where, taints=frozenset(replace(t, cleared=t.cleared - {943}) for t in where.taints)
            )
        line, column = node.start_point[0] + 1, node.start_point[1] + 1
        label = f"{name}()" if not sink.props else name
        params, surest = reaching(self.module, val, cwe, sink.labels)
        for t in params if self.info is not None else ():
            self.summary.add(SinkEntry(sink, t.param, line, column, t.cleared, val.built, val.text, label))
        for t in surest:
            self.module.report(sink.rule, node, t, label)

    def call_local(self, node: Node, func: Node, args: list[Val], receiver: Val | None) -> Val | None:
        info = self._resolve(func, receiver)
        made = (
            node.type == "new_expression"
            and func.type == "identifier"
            and text_of(func) in self.module.classes
        )
        if info is None:
            return Val(kind=f"class:{text_of(func)}") if made else None  # an instance of the class
        inlined = self.module.inlined.get(info.node.id, 0)
        if info.nested and info.cls is None and not made and inlined < MAX_INLINED:
            # a function declared inside another reads its variables: walk it here, where they are
            if info.node.id in self.inlining:
                return None
            self.module.inlined[info.node.id] = inlined + 1
            self.inlining.add(info.node.id)
            try:
                return self.run_callback(info.node, args, 0)
            finally:
                self.inlining.discard(info.node.id)
        value = self._apply(info, node, args)
        return Val(kind=f"class:{text_of(func)}") if made else value

    def _apply(self, info: JsFunction, node: Node, args: list[Val]) -> Val | None:
        """A call of a function of the module: its summary's sinks and return, for these args."""
        summary = self.module.summary_of(info)
        if summary is None:
            return None  # recursion: read the call as an unknown function's
        by_position = dict(enumerate(args))
        for entry in summary.sinks:
            arg = by_position.get(entry.param)
            if arg is None:
                continue
            cwe = RULES[entry.sink.rule].cwe
            params, surest = reaching(self.module, arg, cwe, entry.sink.labels, entry.cleared)
            for t in params if self.info is not None else ():
                done = t.cleared | entry.cleared
                self.summary.add(replace(entry, param=t.param, cleared=done, built=entry.built or arg.built))
            for t in surest:
                self.module.report(entry.sink.rule, node, t, entry.name, line=entry.line, column=entry.column)
        return _substituted(summary.returns, by_position, 0)

    def _resolve(self, func: Node, receiver: Val | None = None) -> JsFunction | None:
        if func.type == "identifier":
            name = text_of(func)
            known = self.env.get(name)
            if (known is not None and known.kind != "function") or name in self.aliases:
                return None
            return self.module.functions.get(name)
        if func.type == "member_expression":
            obj = func.child_by_field_name("object")
            method = text_of(func.child_by_field_name("property"))
            if obj is not None and obj.type == "this" and self.info is not None and self.info.cls is not None:
                return self.module.methods.get((self.info.cls, method))
            if receiver is not None and receiver.kind.startswith("class:"):
                return self.module.methods.get((receiver.kind[6:], method))
        return None

    # -- assignment -----------------------------------------------------------------------------

    def store(self, target: Node | None, value: Val, depth: int = 0) -> None:
        if target is None:
            return
        target = unwrap(target)
        kind = target.type
        if kind == "identifier":
            name = text_of(target)
            if name not in self.env and self.lookup(name) is None:
                self._prop_sinks(target, name, name, None, value)
            self.assign_name(name, value)
        elif kind == "member_expression":
            prop = text_of(target.child_by_field_name("property"))
            parts = chain(target)
            qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
            holder = self.ev(target.child_by_field_name("object"), depth)
            self._prop_sinks(target, prop, qualified, holder, value)
            if parts:
                self.assign_name(".".join(parts), value)
                base = ".".join(parts[:-1])
                container = self.env.get(base)
                if container is not None and container.fields is not None:
                    self.env[base] = set_field(container, prop, value)
        elif kind == "subscript_expression":
            self._store_item(target, value, depth)
        else:
            self.bind_pattern(target, value)

    def _prop_sinks(self, node: Node, prop: str, qualified: str, holder: Val | None, value: Val) -> None:
        if not value.all_taints():
            return
        for sink in self.tables.sinks:
            if not sink.props:
                continue
            named = any((p == qualified) if "." in p else (p == prop) for p in sink.props)
            if not named or (sink.on and (holder is None or holder.kind != sink.on)):
                continue
            self.sink_reached(sink, value, node, qualified or prop)

    def _store_item(self, target: Node, value: Val, depth: int) -> None:
        obj = target.child_by_field_name("object")
        key = self.ev(target.child_by_field_name("index"), depth)
        holder = self.ev(obj, depth)
        self._pollution(target, obj, key, holder, value)
        if key.known and isinstance(key.const, str) and secretish(self.module.secretish, key.const):
            self._random_into(value, f"[{key.const!r}]", target.start_point[0] + 1)
        parts = chain(obj)
        if not parts:
            return
        name = ".".join(parts)
        container = self.lookup(name) or Val()
        if key.known and (container.fields is not None or container.is_dict):
            self.env[name] = set_field(container, key.const, value)
        elif key.known and container.items is not None and isinstance(key.const, int):
            items = list(container.items)
            if 0 <= key.const < len(items):
                items[key.const] = value
                self.env[name] = replace(container, items=tuple(items))
        elif value.all_taints():
            self.env[name] = replace(container, extra=container.extra | value.all_taints())

    def _pollution(self, target: Node, obj: Node | None, key: Val, holder: Val, value: Val) -> None:
        """obj[key] = … where key may be "__proto__": through a nested key (``o[a][b] = v``), or in
        a recursive function copying one parameter's keys into another (a deep merge)."""
        keys = [t for t in key.all_taints() if 1321 not in t.cleared and 0 not in t.cleared]
        if not keys:
            return
        nested = obj is not None and unwrap(obj).type == "subscript_expression"
        outer = self.ev(unwrap(obj).child_by_field_name("index")) if nested else Val()
        outer_keys = [t for t in outer.all_taints() if 1321 not in t.cleared and 0 not in t.cleared]
        line, column = target.start_point[0] + 1, target.start_point[1] + 1
        inputs = [t for t in keys if t.label == INPUT]
        if nested and outer_keys and inputs:
            # every input is reported: keep() chooses among them by a stable key, never by the
            # order a frozenset (a process's hash seed) walks them in
            for t in inputs:
                self.module.report("prototype-pollution", target, t, "an object's nested key")
            return
        recursive = self.info is not None and self._recursive()
        # a deep merge writes the keys of one parameter into another (a copy into itself cannot
        # reach a prototype it does not already hold)
        targets = {t.param for t in holder.all_taints() if t.label == PARAM and t.hops == 0}
        copied = {t.param for t in value.all_taints() if t.label == PARAM}
        for t in keys:
            others = targets - {t.param}
            merges = (nested and outer_keys and others) or (recursive and others and t.param in copied)
            if t.label == PARAM and self.info is not None and merges:
                entry = SinkEntry(
                    _POLLUTION, t.param, line, column, t.cleared, False, "", "a deep copy of its keys"
                )
                self.summary.add(entry)

    def _recursive(self) -> bool:
        body = self.info.node.child_by_field_name("body")
        text, called = (text_of(body) if body is not None else ""), f"{self.info.name}("
        at = text.find(called)
        while at >= 0:
            if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$"):
                return True
            at = text.find(called, at + 1)
        return False

    def bind_pattern(self, pattern: Node | None, value: Val) -> None:
        """Assign value to a parameter or declaration: a name, or an object or array pattern."""
        if pattern is None:
            return
        kind = pattern.type
        if kind in ("required_parameter", "optional_parameter"):
            inner = pattern.child_by_field_name("pattern")
            default = pattern.child_by_field_name("value")
            self.bind_pattern(inner, join(value, self.ev(default)) if default is not None else value)
        elif kind == "identifier" or kind == "shorthand_property_identifier_pattern":
            self.assign_name(text_of(pattern), value)
        elif kind in ("member_expression", "subscript_expression"):
            self.store(pattern, value)
        elif kind == "object_pattern":
            for prop in expression_children(pattern):
                if prop.type == "shorthand_property_identifier_pattern":
                    self.assign_name(text_of(prop), self.member(value, text_of(prop), prop))
                elif prop.type == "pair_pattern":
                    key = prop.child_by_field_name("key")
                    name = text_of(key) if key is not None and key.type != "computed_property_name" else ""
                    field = self.member(value, name, prop) if name else Val(taints=value.all_taints())
                    self.bind_pattern(prop.child_by_field_name("value"), field)
                elif prop.type == "object_assignment_pattern":
                    left, right = prop.child_by_field_name("left"), prop.child_by_field_name("right")
                    name = text_of(left) if left is not None else ""
                    field = (
                        self.member(value, name, prop)
                        if left is not None and left.type == "shorthand_property_identifier_pattern"
                        else Val(taints=value.all_taints())
                    )
                    self.bind_pattern(left, join(field, self.ev(right)))
                elif prop.type == "rest_pattern":
                    self.bind_pattern(_first(prop), Val(taints=value.all_taints()))
        elif kind == "array_pattern":
            elements = expression_children(pattern)
            items = value.items if value.items is not None and len(value.items) >= len(elements) else None
            for i, e in enumerate(elements):
                if e.type == "rest_pattern":
                    self.bind_pattern(_first(e), Val(extra=value.all_taints()))
                else:
                    self.bind_pattern(e, items[i] if items is not None else iterate(value))
        elif kind in ("assignment_pattern",):
            left, right = pattern.child_by_field_name("left"), pattern.child_by_field_name("right")
            self.bind_pattern(left, join(value, self.ev(right)))
        elif kind == "rest_pattern":
            self.bind_pattern(_first(pattern), Val(extra=value.all_taints()))


#: The nodes that declare a function, a class or a method (JsModuleFlow._collect reads them).
DECLARATION_NODES = frozenset(
    {"function_declaration", "generator_function_declaration", "variable_declarator", "method_definition",
     "assignment_expression",
     "class_declaration", "abstract_class_declaration", "class", "public_field_definition",
     "field_definition"}
)  # fmt: skip
#: Past this many enclosing nodes a declaration counts as nested (the climb stays bounded).
MAX_CLIMB = 200


def _nested(node: Node) -> bool:
    """True when node is inside a function (or too deep to tell)."""
    parent = node.parent
    for _ in range(MAX_CLIMB):
        if parent is None or parent.type == "program":
            return False
        if parent.type in _FUNCTION_TYPES:
            return True
        parent = parent.parent
    return True


def _substituted(returned: Val, by_position: dict[int, Val], depth: int) -> Val:
    """A summary's return value at a call: each parameter's taint replaced by its argument's;
    an object's fields kept (a query built by a helper keeps its ``$where``)."""
    taints: set[Taint] = set()
    for t in (
        returned.taints | returned.extra
        if returned.fields is not None and depth < 3
        else returned.all_taints()
    ):
        if t.label == PARAM:
            arg = by_position.get(t.param)
            if arg is not None:
                taints |= {x.clear(t.cleared) for x in arg.all_taints()}
        else:
            taints.add(t)
    fields = None
    if returned.fields is not None and depth < 3:
        fields = tuple((k, _substituted(v, by_position, depth + 1)) for k, v in returned.fields)
    return Val(taints=frozenset(taints), const=returned.const, built=returned.built and bool(taints),
               text=returned.text, kind=returned.kind, fields=fields, is_dict=returned.is_dict)  # fmt: skip


def merge_returns(values: list[Val]) -> Val:
    out = None
    for v in values:
        out = v if out is None else join(out, v)
    return out if out is not None else Val()


def _first(node: Node) -> Node | None:
    inner = expression_children(node)
    return inner[0] if inner else None


def _params(fn: Node) -> list[Node]:
    params = fn.child_by_field_name("parameters")
    if params is None:
        single = fn.child_by_field_name("parameter")
        return [single] if single is not None else []
    return [p for p in expression_children(params) if p.type != "decorator"]


def _param_name(p: Node) -> str:
    if p.type in ("required_parameter", "optional_parameter"):
        p = p.child_by_field_name("pattern") or p
    if p.type == "assignment_pattern":
        p = p.child_by_field_name("left") or p
    return text_of(p) if p.type == "identifier" else ""


def _decorator(p: Node) -> str:
    for c in p.named_children:
        if c.type == "decorator":
            inner = expression_children(c)
            target = inner[0] if inner else None
            if target is not None and target.type == "call_expression":
                target = target.child_by_field_name("function")
            return text_of(target) if target is not None else ""
    return ""


def _decorated_input(p: Node) -> bool:
    return p.type in ("required_parameter", "optional_parameter") and _decorator(p) in _INPUT_DECORATORS


def js_taint_hits(
    root: Node, tables: Tables, aliases: dict[str, str] | None = None, declared: list[Node] | None = None
) -> list[TaintHit]:
    """Every untrusted flow into a sink in the module, by line (aliases: its imports; declared: its
    DECLARATION_NODES, when a walk already found them)."""
    return JsModuleFlow(root, tables, aliases, declared).run()


__all__ = ["ALL", "JsModuleFlow", "TaintHit", "js_taint_hits"]
