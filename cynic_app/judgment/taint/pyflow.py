"""Taint flow through a Python module: statements in order, branches joined, and functions
summarised so that a value handed to a helper in the same module is followed into it.

For every function the walk records which parameters reach which sinks and how a parameter
reaches the return value (its summary); a call to a function of the module applies the summary
to the call's arguments. A branch whose test folds to a constant is the only one taken; a check
on a value (``x in ALLOWED``, ``x.isdigit()``, ``'..' in x`` followed by an exit) clears it
where the check holds. Loops run their body twice (once deeper than two loops), so the cost
stays linear in the size of the code.
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..patterns import linear
from ..rules import RULES
from .names import chain, import_aliases, qualify
from .pyexprs import MAX_DEPTH, Evaluator, iterate
from .spec import ALL, Sink, Tables, index, secretish
from .values import (
    CAPTURING,
    EXTERNAL,
    INPUT,
    ITEMS_KEPT,
    PARAM,
    RANDOM,
    UNKNOWN,
    Taint,
    Val,
    cleared,
    deleted,
    join,
    replace,
    set_field,
)

MAX_BLOCK_DEPTH = 40
POSSIBLE = "possible"
#: How sure a flow is, by where its data came from. Remote input and predictable numbers are
#: sure evidence anywhere. The console and command line (the person running the program), files,
#: caches and a public function's parameters are weaker evidence: confident in a snippet (a unit of
#: SNIPPET_LINES or fewer, whose point is the flow), unsure in a whole module, where they mostly
#: show how an API is meant to be used (a debugger evaluates what its user types; a cache unpickles
#: what it stored; a query builder formats identifiers).
#: POSSIBLE is no source: a sink reached by a value nothing shows the origin of (a pattern, as bandit
#: reads code); worth a look, never more than a smell.
CONFIDENCE = {INPUT: 0.9, RANDOM: 0.8, POSSIBLE: 0.3}
#: A value only named like a secret (a variable "token"): a MIME boundary's, a lexer's token
#: are no secrets; a session slot, a cookie or what make_token() returns are sure.
NAMED_ONLY = 0.375  # 0.8 * 0.375 = 0.3: a look, never more than a smell
WEAK_IN_SNIPPET, WEAK_IN_MODULE = 0.6, 0.45
SNIPPET_LINES = 100
#: Each call of unknown code a flow went through keeps this share of its confidence.
HOP_KEPT = 0.75
#: Frameworks whose views answer HTML when they return a string.
HTML_FRAMEWORKS = ("flask", "bottle", "quart", "werkzeug")
_NUMERIC_ANNOTATIONS = frozenset({"int", "float", "bool", "complex", "Decimal", "UUID", "datetime", "date"})
_SQL_RE = linear(
    "sql-text",
    r"(?is)\b(select\b.*\bfrom|insert\s+into|update\b.*\bset|delete\s+from|create\s+table|drop\s+table|where\b.*=)",
)


#: The kind of a value that is a lambda (ModuleFlow.lambda_of gives the rest).
LAMBDA = CAPTURING
#: The kind of a value made by functools.partial (ModuleFlow.partials keeps its call, by key).
PARTIAL = "partial:"
#: Taint.param of a name a nested function reads from the function it is in (a closure's), the
#: name in Taint.attr: its caller there gives it, as it gives a parameter.
FREE = 1 << 20
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class TaintHit:
    rule: str
    line: int
    column: int
    source_line: int
    message: str
    confidence: float
    end_line: int = 0  # the sink's statement spans to here (a call black split over lines)


def hit_message(taint: Taint, called: str, line: int) -> str:
    """What a hit says: where the value came from and the call (``os.system()``) it reached."""
    if taint.label == PARAM:
        return f"{taint.what} reaches {called} on line {line}: callers can pass anything"
    if taint.label == POSSIBLE:
        return f"{called} gets {taint.what} of no known origin: make sure no input reaches it"
    if taint.line and taint.line != line:
        return f"{taint.what} from line {taint.line} reaches {called} on line {line}"
    return f"{taint.what} reaches {called}"


def parameter_taint(entry: SinkEntry, public: bool, what: str, line: int) -> Taint | None:
    """What a function's parameter reaching a sink (entry) is worth reporting as: a public
    function's parameter built into literal text (or, for some sinks, as it is) is a flow its
    callers cannot know to clean; any other parameter at a sink a non-literal value makes worth a
    look is a possible finding; else nothing."""
    sink = entry.sink
    cwe = RULES[sink.rule].cwe
    if cwe in entry.cleared or 0 in entry.cleared:
        return None
    built = entry.built and (sink.text != "sql" or bool(_SQL_RE.search(entry.text)))
    if public and (sink.param_any or (sink.param_built and built)):
        return Taint(PARAM, line, what)
    if sink.possible == "any" or (sink.possible == "built" and entry.built):
        return Taint(POSSIBLE, 0, "a value built at run time" if entry.built else "a value")
    return None


#: The sinks a function's summary keeps (its own and its callees' its parameters reach).
SINKS_KEPT = 64
#: The interpreter frames the flow may use beyond where it started before a function's summary
#: is refused (the call is then read as an unknown function's): frames, not functions, since a
#: function's blocks and expressions use frames too. Counted from the flow's own start, so the
#: result is the same wherever judge() is called from; the recursion limit is raised (never
#: lowered) to leave FRAMES_LEFT beyond, for the walk of the deepest summary's body.
SUMMARY_FRAMES = 600
FRAMES_LEFT = 400


def stack_depth() -> int:
    """How many frames stand below the caller's."""
    frame, depth = sys._getframe(1), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def start_depth() -> int:
    """The depth a module's flow starts at, the recursion limit raised to leave it its frames."""
    depth = stack_depth()
    needed = depth + SUMMARY_FRAMES + FRAMES_LEFT
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)
    return depth


def may_summarise(module) -> bool:
    """Whether module may summarise one function more here: not past SUMMARY_FRAMES frames above
    where its flow started."""
    return stack_depth() - module.start_depth < SUMMARY_FRAMES


def hit_confidence(taint: Taint, weak: float) -> float:
    """How sure a hit from taint is (weak: the module's confidence in an unknown label): what
    report() records and keep() ranks by, and reaching() picks candidates by."""
    return round(CONFIDENCE.get(taint.label, weak) * HOP_KEPT**taint.hops, 2)


def summarise(module, key: int, flow_of: Callable[[], Walk]) -> Summary | None:
    """The summary of the function at key (its node's identity), its flow made by flow_of() the
    first time: None while it is being made (recursion) or where it may not be (may_summarise),
    both read as an unknown function's call."""
    if key in module.summaries:
        return module.summaries[key]
    if not may_summarise(module):
        return None  # summarised when reached nearer the flow's start
    module.summaries[key] = None
    flow = flow_of()
    flow.run_function()
    flow.summary.trim()
    module.summaries[key] = flow.summary
    flow.report_public_parameters()
    return flow.summary


def reaching(
    module, val: Val, cwe: int, labels: frozenset[str], cleared: frozenset[int] = frozenset()
) -> tuple[list[Taint], list[Taint]]:
    """What of val reaches a sink of cwe that takes labels, each taint's cleared CWEs joined with
    cleared: (the parameters' taints; of the others, those keep() could choose: the surest, then
    the earliest source). Reporting only those reports what reporting all would; found once per
    value and sink, so a value that gathered many origins reaches many sinks in linear time."""
    key = (id(val), cwe, labels, cleared)
    found = module.reaching.get(key)
    if found is not None and found[0] is val:  # (an id is reused only once its value is gone)
        return found[1], found[2]
    params: list[Taint] = []
    surest: list[Taint] = []
    best: tuple[float, int] | None = None
    for t in val.all_taints():
        done = t.cleared | cleared
        if cwe in done or 0 in done:
            continue
        if t.label == PARAM:
            params.append(t)
        elif t.label in labels:
            rank = (-hit_confidence(t, module.weak), t.line)
            if best is None or rank < best:
                surest, best = [t], rank
            elif rank == best:
                surest.append(t)
    module.reaching[key] = (val, params, surest)
    return params, surest


def keep(hits: dict[tuple[str, int], TaintHit], hit: TaintHit) -> None:
    """One hit per (rule, line): the surest, then the earliest source, then by message, so the
    choice never depends on the order a set was walked in (a process's hash seed)."""
    key = (hit.rule, hit.line)
    old = hits.get(key)
    if old is None or (-hit.confidence, hit.source_line, hit.message) < (
        -old.confidence,
        old.source_line,
        old.message,
    ):
        hits[key] = hit


@dataclass(frozen=True)
class SinkEntry:
    """A parameter of a function reaching a sink, inside it or in a function it calls."""

    sink: Sink
    param: int
    line: int
    column: int
    cleared: frozenset[int]
    built: bool
    text: str
    name: str
    attr: str = ""  # an attribute of the parameter (self.command) reaches the sink


def _entry_order(e: SinkEntry) -> tuple:
    return (e.line, e.column, e.sink.rule, e.param, e.attr, e.name, e.built, e.text, sorted(e.cleared))


@dataclass
class Summary:
    sinks: set[SinkEntry] = field(default_factory=set)
    returns: Val = UNKNOWN
    attrs: dict[str, Val] = field(default_factory=dict)  # a constructor's: what it keeps on self

    def add(self, entry: SinkEntry) -> None:
        """Keep entry, and at most SINKS_KEPT entries in the end (trim): a chain of functions each
        calling the next and a sink would otherwise pass every sink further down to every caller."""
        self.sinks.add(entry)
        if len(self.sinks) > 2 * SINKS_KEPT:
            self.trim()

    def trim(self) -> None:
        """The SINKS_KEPT first entries (by line, then the rest), and any the order cannot tell
        from the last of them (two sinks of one call): of every entry ever added, so the same
        whatever the order they came in."""
        if len(self.sinks) > SINKS_KEPT:
            ordered = sorted(self.sinks, key=_entry_order)
            last, cut = _entry_order(ordered[SINKS_KEPT - 1]), SINKS_KEPT
            while cut < len(ordered) and _entry_order(ordered[cut]) == last:
                cut += 1
            self.sinks = set(ordered[:cut])


@dataclass
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    nested: bool
    params: list[str]
    view: bool
    route: str = ""  # a view's route when it holds no variable part: the only path it answers
    owner: int = 0  # id() of the function it is defined in (0: none)


class ModuleFlow:
    """Every taint hit in one module."""

    def __init__(
        self,
        tree: ast.Module,
        tables: Tables,
        aliases: dict[str, str] | None = None,
        functions: list | None = None,
        relevant: set[int] | None = None,
    ):
        self.tree = tree
        self.relevant = relevant  # id(function node) of those that call a sink: None, all
        size = max((getattr(s, "end_lineno", 0) or 0 for s in tree.body), default=0)
        self.weak = WEAK_IN_SNIPPET if size <= SNIPPET_LINES else WEAK_IN_MODULE
        self.tables = tables
        self.aliases = aliases if aliases is not None else import_aliases(tree)
        self.index = index(tables)
        self.by_name_part = [s for s in tables.sanitizers if s.name_parts]
        self.functions: dict[str, FunctionInfo] = {}
        self.inner: dict[tuple[int, str], FunctionInfo] = {}  # by (owner, name): nested functions
        self.by_id: dict[int, FunctionInfo] = {}  # every function and lambda, by id() of its node
        self.methods: dict[tuple[str, str], FunctionInfo] = {}
        self.classes: set[str] = set()  # the module's top-level classes
        self.summaries: dict[int, Summary | None] = {}  # None: being analysed (recursion)
        self.hits: dict[tuple[str, int], TaintHit] = {}
        self.start_depth = start_depth()  # where may_summarise counts frames from
        self.reaching: dict[tuple, tuple] = {}  # reaching()'s, per value and sink
        self.globals: dict[str, Val] = {}
        self.lambdas: dict[str, FunctionInfo] = {}  # by "line:column": read as the module's functions
        self.partials: dict[str, ast.Call] = {}  # functools.partial(...) calls, by "line:column"
        roots = {v.split(".")[0] for v in self.aliases.values()}
        self.html_views = bool(roots & set(HTML_FRAMEWORKS))
        self.request_first = bool(roots & set(tables.request_first))
        self.web = bool(roots & set(tables.web_frameworks))
        self.secretish = tables.secretish
        if functions is None:
            self._collect()
        else:  # the walk's functions (pywalk.Function): no second walk of the tree
            for fn in functions:
                owner = id(fn.owner.node) if fn.owner is not None else 0
                info = FunctionInfo(
                    fn.node, fn.cls if not fn.nested else fn.cls, fn.nested, _param_names(fn.node),
                    self._is_view(fn.node), _fixed_route(fn.node), owner,
                )  # fmt: skip
                self._add(info, fn.name)

        self.classes = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}

    def run(self) -> list[TaintHit]:
        module = FunctionFlow(self, None)
        self.globals = module.env
        module.run_body(self.tree.body, 0)
        for info in list(self.functions.values()) + list(self.methods.values()):
            if self.relevant is None or id(info.node) in self.relevant or info.view:
                self.summary_of(info)  # (the others are read when a function read calls them)
        return sorted(self.hits.values(), key=lambda h: (h.line, h.rule))

    def _add(self, info: FunctionInfo, name: str) -> None:
        self.by_id[id(info.node)] = info
        if info.cls is not None and not info.nested:
            self.methods[(info.cls, name)] = info
        else:
            current = self.functions.get(name)
            if current is None or (current.owner and not info.owner):  # the module's own first
                self.functions[name] = info
            if info.owner:
                self.inner.setdefault((info.owner, name), info)

    def _collect(self) -> None:
        stack: list[tuple[ast.AST, str | None, int]] = [(self.tree, None, 0)]
        while stack:
            node, cls, owner = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    info = FunctionInfo(
                        child, cls, bool(owner), _param_names(child), self._is_view(child),
                        _fixed_route(child), owner,
                    )  # fmt: skip
                    self._add(info, child.name)
                    stack.append((child, cls, id(child)))
                elif isinstance(child, ast.ClassDef):
                    stack.append((child, child.name, owner))
                elif isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                    stack.append((child, cls, owner))

    def _is_view(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        params = _param_names(fn)
        first = (
            params[1] if params and params[0] in ("self", "cls") and len(params) > 1 else (params or [""])[0]
        )
        if first in ("request", "req") and self.request_first:
            return True
        for d in fn.decorator_list:
            if isinstance(d, ast.Call):
                parts = chain(d.func)
                name = parts[-1] if parts else ""
                if name in self.tables.view_decorators:
                    path = d.args[0] if d.args else None
                    if (
                        isinstance(path, ast.Constant)
                        and isinstance(path.value, str)
                        and path.value.startswith("/")
                    ):
                        return True
                    if name in (
                        "api_view",
                        "view_config",
                        "route",
                        "websocket",
                        "errorhandler",
                        "app_errorhandler",
                    ):
                        return True  # (an error handler's answer is HTML like a view's)
        return False

    def lambda_of(self, node: ast.Lambda, owner: int) -> str:
        """The key of a lambda read as a function of the module (``def <lambda>(...): return ...``)
        defined in the function whose node's id() is owner (0: at module level)."""
        key = f"{node.lineno}:{node.col_offset}"
        if key not in self.lambdas:
            fn = ast.FunctionDef(
                name="<lambda>", args=node.args, body=[ast.Return(value=node.body)], decorator_list=[]
            )
            ast.copy_location(fn.body[0], node.body)
            ast.copy_location(fn, node)
            self.lambdas[key] = FunctionInfo(fn, None, True, _param_names(fn), False, owner=owner)
            self.by_id[id(fn)] = self.lambdas[key]
        return key

    def summary_of(self, info: FunctionInfo) -> Summary | None:
        return summarise(self, id(info.node), lambda: FunctionFlow(self, info))

    def report(
        self, rule: str, node: ast.AST, taint: Taint, name: str, *, line: int = 0, column: int = 0
    ) -> None:
        end_line = 0 if line else getattr(node, "end_lineno", 0) or 0
        line = line or getattr(node, "lineno", 0)
        column = column or getattr(node, "col_offset", -1) + 1
        confidence = hit_confidence(taint, self.weak)
        message = hit_message(taint, f"{name}()", line)
        end_line = end_line if end_line > line else 0
        keep(self.hits, TaintHit(rule, line, column, taint.line, message, confidence, end_line))

    def keep(self, hit: TaintHit) -> None:
        keep(self.hits, hit)


class Walk:
    """What a walk over a function's body does alike in either language: its environment (the
    module's names beneath its own) and the exits of the loops it is in."""

    module: object
    info: object
    env: dict[str, Val]
    exits: list[tuple[list[dict[str, Val]], list[dict[str, Val]]]]  # per loop: breaks, continues

    def serves_web(self) -> bool:
        return self.module.web

    def lookup(self, name: str) -> Val | None:
        found = self.env.get(name)
        if found is None and self.info is not None:
            found = self.module.globals.get(name)
        return found

    def leave_loop(self, continuing: bool) -> bool:
        """break (or continue): the environment leaves by the loop's exit; the block ends here."""
        if self.exits:
            self.exits[-1][1 if continuing else 0].append(dict(self.env))
        return True


def _unknown_name(_name: str) -> Val | None:
    return None


class FunctionFlow(Walk, Evaluator):
    """The walk over one function's body (or the module's top level, when info is None)."""

    def __init__(self, module: ModuleFlow, info: FunctionInfo | None):
        self.module = module
        self.tables = module.tables
        self.aliases = module.aliases
        self.index = module.index
        self._by_name_part = module.by_name_part
        self.info = info
        self.env: dict[str, Val] = {}
        self.free: dict[str, Val] = {}  # the names lookup() found free, each once
        self.summary = Summary()
        self.loop_depth = 0
        self.line = 0
        self.exits: list[
            tuple[list[dict[str, Val]], list[dict[str, Val]]]
        ] = []  # per loop: breaks, continues

    # -- the function -------------------------------------------------------------------------

    def run_function(self) -> None:
        info = self.info
        fn = info.node
        arguments = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        converted = _converted_route_parts(fn) if info.view else frozenset()
        handles_errors = _handles_errors(fn)  # its argument is the exception, not input
        for i, arg in enumerate(arguments):
            if i == 0 and arg.arg in ("self", "cls") and info.cls is not None:
                self.env[arg.arg] = Val(kind=f"self:{info.cls}")  # its attributes: own_attribute
                continue
            taints = {Taint(PARAM, fn.lineno, f"parameter {arg.arg} of {fn.name}()", param=i)}
            # a view's argument is input, unless the framework converted it to a number first
            # (FastAPI validates an annotated int; a Flask route's <int:id> matches digits only)
            typed = _numeric(arg) or arg.arg in converted
            if (
                info.view
                and arg.arg not in ("self", "cls", "request", "req")
                and not (typed or handles_errors)
            ):
                taints.add(Taint(INPUT, fn.lineno, f"view argument {arg.arg}"))
            self.env[arg.arg] = Val(taints=frozenset(taints), literal=typed)
        for position, extra in ((len(arguments), fn.args.vararg), (len(arguments) + 1, fn.args.kwarg)):
            if extra is not None:  # *args and **kwargs: what callers pass beyond the named ones
                what = f"parameter {extra.arg} of {fn.name}()"
                self.env[extra.arg] = Val(extra=frozenset({Taint(PARAM, fn.lineno, what, param=position)}))
        self.run_body(fn.body, 0)
        if fn.name == "__init__" and info.cls is not None:
            self.summary.attrs = {
                k[5:]: v for k, v in self.env.items() if k.startswith("self.") and "." not in k[5:]
            }

    def report_public_parameters(self) -> None:
        """A public function whose parameter reaches a sink built into literal text (or, for
        deserialisers, as it is): its callers cannot know to clean it. Any other parameter that
        reaches a sink which a non-literal value makes worth a look is a possible finding."""
        info = self.info
        if info is None or info.node.name == "<lambda>":  # read only where it is called: calls report
            return
        name = info.node.name
        public = not (info.nested or (info.cls or "").startswith("_")) and (
            not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
        )
        arguments = [*info.node.args.posonlyargs, *info.node.args.args, *info.node.args.kwonlyargs]
        converted = _converted_route_parts(info.node) if info.view else frozenset()
        first, last = info.node.lineno, info.node.end_lineno or info.node.lineno
        for entry in sorted(self.summary.sinks, key=lambda e: (e.line, e.sink.rule)):
            if entry.param == FREE:  # as a nested function's parameter: its calls give it
                if not first <= entry.line <= last:
                    continue  # a sibling's, which it reports itself
                taint = parameter_taint(
                    entry, False, f"{entry.attr} of the enclosing function", info.node.lineno
                )
                if taint is not None:
                    self.module.report(
                        entry.sink.rule, info.node, taint, entry.name, line=entry.line, column=entry.column
                    )
                continue
            if entry.param >= len(arguments):
                continue
            argument = arguments[entry.param]
            if not entry.attr and (_numeric(argument) or argument.arg in converted):
                continue
            # self.x: what the object was given is read where it is built, so only a look here
            what = f"parameter {argument.arg} of {name}()"
            taint = parameter_taint(entry, public and not entry.attr, what, info.node.lineno)
            if taint is not None:
                at = {"line": entry.line, "column": entry.column}
                self.module.report(entry.sink.rule, info.node, taint, entry.name, **at)

    # -- what the evaluator asks ----------------------------------------------------------------

    def fixed_path(self) -> str:
        return self.info.route if self.info is not None else ""

    def assign_name(self, name: str, value: Val) -> None:
        self.env[name] = value
        last = name.rsplit(".", 1)[-1]
        if secretish(self.module.secretish, last):
            self._random_into(value, f"{name} on line {self.line}", self.line, sure=NAMED_ONLY)

    def _random_into(self, value: Val, where: str, line: int, sure: float = 1.0) -> None:
        """A predictable number becoming a secret. sure scales the confidence: a variable only
        named like a token (a MIME boundary's "token") is weaker evidence than a session slot."""
        for t in value.all_taints():
            if t.label == RANDOM and 330 not in t.cleared:
                message = f"predictable {t.what} (line {t.line}) becomes {where}: use secrets"
                confidence = round(CONFIDENCE[RANDOM] * HOP_KEPT**t.hops * sure, 2)
                self.module.keep(TaintHit("insecure-random", line, 0, t.line, message, confidence))

    def sink_reached(self, sink: Sink, val: Val, node: ast.AST, name: str) -> None:
        params, surest = reaching(self.module, val, RULES[sink.rule].cwe, sink.labels)
        for t in params:
            self.summary.add(
                SinkEntry(
                    sink,
                    t.param,
                    node.lineno,
                    node.col_offset + 1,
                    t.cleared,
                    val.built,
                    val.text,
                    name,
                    t.attr,
                )
            )
        for t in surest:
            self.module.report(sink.rule, node, t, name)
        if name.endswith("set_cookie"):
            self._random_into(val, "a cookie", node.lineno)

    def sink_possibly_reached(self, sink: Sink, val: Val, node: ast.AST, name: str) -> None:
        what = "a value built at run time" if val.built else "a value"
        self.module.report(sink.rule, node, Taint(POSSIBLE, 0, what), name)

    def own_attribute(self, parts: list[str], node: ast.AST) -> Val | None:
        info = self.info
        if len(parts) != 2 or parts[0] != "self" or info is None or info.cls is None:
            return None
        if self.env.get("self", UNKNOWN).kind != f"self:{info.cls}":
            return None  # self rebound
        what = f"attribute {parts[1]} of {info.cls}"
        return Val(taints=frozenset({Taint(PARAM, getattr(node, "lineno", 0), what, param=0, attr=parts[1])}))

    def call_local(
        self,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str, Val],
        receiver: Val | None,
        called: Val | None,
    ) -> Val | None:
        if called is not None:  # make_runner(x)(): called is what make_runner gave
            bound = called
            made = bound.kind[len(LAMBDA) :] if bound.kind.startswith(LAMBDA) else ""
            info, offset, cls = self.module.lambdas.get(made), 0, None
        else:
            info, offset, cls = self._resolve(node.func, receiver)
            bound = self.lookup(node.func.id) if isinstance(node.func, ast.Name) else None
        if info is None:
            if cls is not None:  # a class of the module without a constructor of its own
                return Val(kind=f"instance:{cls}", fields=())
            return None
        summary = self.module.summary_of(info)
        if summary is None:
            return None  # recursion: read the call as an unknown function's
        free = self._free_names(
            info, bound.fields if bound is not None and bound.kind.startswith(LAMBDA) else None
        )
        by_position = {i + offset: v for i, v in enumerate(args)}
        if offset and receiver is not None and cls is None:
            by_position[0] = receiver  # obj.method(): self is the object
        fn = info.node.args
        named = len(fn.posonlyargs) + len(fn.args)
        if fn.vararg is not None and len(args) + offset > named:  # f(*args): the extra ones
            extra = args[named - offset :]
            for i in range(named, len(args) + offset):
                by_position.pop(i, None)
            by_position[len(info.params)] = Val(extra=frozenset().union(*(v.all_taints() for v in extra)))
        unknown = []
        for name, v in kwargs.items():
            if name in info.params:
                by_position[info.params.index(name)] = v
            else:
                unknown.append(v)
        if fn.kwarg is not None and unknown:  # f(**kwargs): the names it does not declare
            position = len(info.params) + (1 if fn.vararg is not None else 0)
            by_position[position] = Val(extra=frozenset().union(*(v.all_taints() for v in unknown)))
        for entry in summary.sinks:
            arg = self._passed(by_position, entry.param, entry.attr, node, free)
            if arg is None:
                continue
            cwe = RULES[entry.sink.rule].cwe
            if entry.param == FREE and arg is self.free.get(entry.attr):
                # free here too: what reaching() and replace() below would make of it is the same
                # entry (unless it is cleared of its sink's weakness), for this function's callers
                if cwe not in entry.cleared and 0 not in entry.cleared:
                    self.summary.add(entry)
                continue
            params, surest = reaching(self.module, arg, cwe, entry.sink.labels, entry.cleared)
            for t in params:
                done = t.cleared | entry.cleared
                self.summary.add(
                    replace(entry, param=t.param, attr=t.attr, cleared=done, built=entry.built or arg.built)
                )
            for t in surest:
                self.module.report(entry.sink.rule, node, t, entry.name, line=entry.line, column=entry.column)
        if cls is not None:  # a constructor: the object, with what __init__ kept on self
            fields = tuple((k, self._given(v, by_position, node, free)) for k, v in summary.attrs.items())
            return Val(kind=f"instance:{cls}", fields=fields[:ITEMS_KEPT])
        return self._given(summary.returns, by_position, node, free)

    def _free_names(
        self, callee: FunctionInfo, captured: tuple[tuple[object, Val], ...] | None
    ) -> Callable[[str], Val | None]:
        """Where a call finds the callee's free names (a nested function's or a lambda's): in
        this function when the callee was defined in it; in the function enclosing this one when
        the callee was defined around it (a sibling's names are not this one's); in the module's globals
        when it was defined at module level; else in what a lambda kept of them where it was
        made (captured: a factory's lambda, called where the factory returned it), or nowhere
        (unknown)."""
        if not callee.owner:
            return self.module.globals.get
        for depth, scope in enumerate(self._scopes()):
            if id(scope.node) == callee.owner:  # around this one: its names, not this one's own
                return self.lookup if depth == 0 else self._enclosing
        if captured:
            kept = dict(captured)
            return kept.get
        return _unknown_name

    def _scopes(self) -> Iterator[FunctionInfo]:
        """This function, then each function it is nested in, innermost first."""
        info = self.info
        while info is not None:
            yield info
            info = self.module.by_id.get(info.owner)

    def _given(
        self, value: Val, by_position: dict[int, Val], node: ast.AST, free: Callable[[str], Val | None]
    ) -> Val:
        """A summary's value as the caller sees it: each parameter's taint replaced by what the
        caller passed for it."""
        taints: set[Taint] = set()
        for t in value.all_taints():
            if t.label == PARAM:
                arg = self._passed(by_position, t.param, t.attr, node, free)
                if arg is not None:
                    taints |= {x.clear(t.cleared) for x in arg.all_taints()}
            else:
                taints.add(t)
        fields = None
        if value.fields and value.kind.startswith(LAMBDA):  # what a returned lambda keeps
            fields = tuple((k, self._given(v, by_position, node, free)) for k, v in value.fields)
        return Val(taints=frozenset(taints), const=value.const, built=value.built and bool(taints),
                   text=value.text, kind=value.kind, flags=value.flags, fields=fields)  # fmt: skip

    def _passed(
        self,
        by_position: dict[int, Val],
        param: int,
        attr: str,
        node: ast.AST,
        free: Callable[[str], Val | None],
    ) -> Val | None:
        """What the caller gives for a parameter (or its attribute), or for a closure's name."""
        if param == FREE:
            return free(attr)
        return self._argument(by_position.get(param), attr, node)

    def _argument(self, arg: Val | None, attr: str, node: ast.AST) -> Val | None:
        """What the caller passed for a parameter, or for that parameter's attribute."""
        if arg is None or not attr:
            return arg
        if arg.kind.startswith("self:"):  # self.run() in a method: still the caller's self.x
            return self.own_attribute(["self", attr], node)
        return arg.get_field(attr) if arg.fields is not None else None

    def _resolve(self, func: ast.AST, receiver: Val | None) -> tuple[FunctionInfo | None, int, str | None]:
        """The module's function a call runs, the position its first argument takes, and the
        class when the call constructs an object."""
        methods = self.module.methods
        if isinstance(func, ast.Name):
            bound = self.lookup(func.id)
            if bound is not None and bound.kind.startswith(LAMBDA):
                return self.module.lambdas.get(bound.kind[len(LAMBDA) :]), 0, None
            if func.id in self.env or func.id in self.aliases:
                return None, 0, None
            if func.id in self.module.classes:
                return methods.get((func.id, "__init__")), 1, func.id
            for scope in self._scopes():  # a function nested in this one or one around it
                inner = self.module.inner.get((id(scope.node), func.id))
                if inner is not None:
                    return inner, 0, None
            return self.module.functions.get(func.id), 0, None
        if isinstance(func, ast.Attribute) and receiver is not None:
            kind = receiver.kind
            if kind.startswith(("self:", "instance:")):
                info = methods.get((kind.split(":", 1)[1], func.attr))
                if info is not None and not _static(info.node):
                    return info, 1, None
        return None, 0, None

    def lookup(self, name: str) -> Val | None:
        """A name; in a nested function, one it does not bind is the enclosing function's (FREE)."""
        found = super().lookup(name)
        info = self.info
        if found is not None or info is None or not info.nested or name in _BUILTINS:
            return found
        module = self.module
        if name in self.aliases or name in module.functions or name in module.classes:
            return None
        return self._enclosing(name)

    def _enclosing(self, name: str) -> Val:
        """The enclosing function's name, as this nested function's callers give it (FREE)."""
        free = self.free.get(name)
        if free is None:  # one value per name: reaching() knows it again by its identity
            what = f"{name} of the function {self.info.node.name}() is in"
            free = Val(taints=frozenset({Taint(PARAM, self.info.node.lineno, what, param=FREE, attr=name)}))
            self.free[name] = free
        return free

    def _ev_Call(self, node: ast.Call, depth: int) -> Val:
        """functools.partial(f, *args, **kwargs) is a value that remembers its call; calling it
        is read as calling f with those arguments before the call's own (its keywords after)."""
        func = node.func
        if isinstance(func, ast.Name) and depth <= MAX_DEPTH:
            bound = self.lookup(func.id)
            partial = bound is not None and bound.kind.startswith(PARTIAL)
            made = self.module.partials.get(bound.kind[len(PARTIAL) :]) if partial else None
            if made is not None:
                applied = ast.Call(
                    func=made.args[0],
                    args=[*made.args[1:], *node.args],
                    keywords=[*made.keywords, *node.keywords],
                )
                return self._ev_Call(ast.copy_location(applied, node), depth + 1)
        value = super()._ev_Call(node, depth)
        if node.args and self._qualified(func) == "functools.partial":
            key = f"{node.lineno}:{node.col_offset}"
            self.module.partials.setdefault(key, node)
            return Val(kind=PARTIAL + key)
        return value

    def _qualified(self, func: ast.AST) -> str:
        parts = chain(func)
        return qualify(parts, self.aliases, self.env.keys()) if parts else ""

    def _ev_Lambda(self, node: ast.Lambda, depth: int) -> Val:
        """A lambda: called by a name it is bound to, its body is read as a function's. It keeps
        what its free names hold here (its fields), for a call where they are not in scope (a
        factory's lambda, called where the factory returned it)."""
        owner = id(self.info.node) if self.info is not None else 0
        kind = LAMBDA + self.module.lambda_of(node, owner)
        return Val(kind=kind, fields=self._captured(node.body, _param_names(node)))

    def _captured(self, body: ast.AST, params: list[str]) -> tuple[tuple[object, Val], ...] | None:
        """What the free names of a lambda's body hold here, those that hold input."""
        captured: dict[str, Val] = {}
        for n in ast.walk(body):
            if isinstance(n, ast.Name) and n.id not in params and n.id not in captured:
                found = self.lookup(n.id)
                if found is not None and found.all_taints():
                    captured[n.id] = found
                    if len(captured) >= ITEMS_KEPT:
                        break
        return tuple(captured.items()) if captured else None

    def _as_returned(self, value: Val) -> Val:
        """A lambda this function made, returned: it reads its free names when it runs, so what
        it keeps is what they hold at the return, not where it was made."""
        made = self.module.lambdas.get(value.kind[len(LAMBDA) :]) if value.kind.startswith(LAMBDA) else None
        if made is None or self.info is None or made.owner != id(self.info.node):
            return value
        body = made.node.body[0].value  # (lambda_of's `return <body>`)
        return replace(value, fields=self._captured(body, made.params))

    # -- statements -----------------------------------------------------------------------------

    def run_body(self, body: list[ast.stmt], depth: int) -> bool:
        """Walk a block; True when every path through it leaves it (return, raise, break...)."""
        if depth > MAX_BLOCK_DEPTH:
            return False
        for stmt in body:
            self.line = stmt.lineno
            if self.stmt(stmt, depth):
                return True
        return False

    def stmt(self, node: ast.stmt, depth: int) -> bool:
        handler = getattr(self, "_st_" + type(node).__name__, None)
        if handler is None:
            return False
        return bool(handler(node, depth))

    def _st_Expr(self, node: ast.Expr, depth: int) -> bool:
        self.ev(node.value)
        if isinstance(node.value, ast.Call):  # abort(400), sys.exit(1): the block ends here
            parts = chain(node.value.func)
            return bool(parts) and qualify(parts, self.aliases, self.env.keys()) in self.tables.noreturn
        return False

    def _st_Assign(self, node: ast.Assign, depth: int) -> None:
        value = self.ev(node.value)
        for target in node.targets:
            self.store(target, value)

    def _st_AnnAssign(self, node: ast.AnnAssign, depth: int) -> None:
        if node.value is not None:
            self.store(node.target, self.ev(node.value))

    def _st_AugAssign(self, node: ast.AugAssign, depth: int) -> None:
        synthetic = ast.BinOp(left=_load(node.target), op=node.op, right=node.value)
        ast.copy_location(synthetic, node)
        self.store(node.target, self.ev(synthetic))

    def store(self, target: ast.AST, value: Val) -> None:
        if isinstance(target, ast.Subscript):
            self._store_item(target, value)
        else:
            self.bind(target, value)

    def _store_item(self, target: ast.Subscript, value: Val) -> None:
        key = self.ev(target.slice)
        parts = chain(target.value)
        name = ".".join(parts) if parts else ""
        qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
        if qualified in _SESSIONS or name.rsplit(".", 1)[-1].lower().endswith("session"):
            for v in (key, value):
                for t in v.all_taints():
                    # the input itself crosses the boundary; what unknown code looked up with it
                    # (a user found by the e-mail typed) is the application's own value
                    if t.label == INPUT and not t.hops and 501 not in t.cleared and 0 not in t.cleared:
                        self.module.report("trust-boundary", target, t, f"{name}[…] =")  # keep() chooses
            self._random_into(value, f"{name}[…]", target.lineno)  # a session slot: sure
        elif (key.known and isinstance(key.const, str) and secretish(self.module.secretish, key.const)) or (
            name and secretish(self.module.secretish, name.rsplit(".", 1)[-1])
        ):
            self._random_into(value, f"{name}[…]", target.lineno, sure=NAMED_ONLY)
        if not name:
            self.ev(target.value)
            return
        container = self.lookup(name) or Val()
        if key.known and (container.fields is not None or container.is_dict):
            self.env[name] = set_field(container, key.const, value)
        elif key.known and container.items is not None and isinstance(key.const, int):
            items = list(container.items)
            if -len(items) <= key.const < len(items):
                items[key.const] = value
                self.env[name] = replace(container, items=tuple(items))
        elif value.all_taints():
            self.env[name] = replace(container, extra=container.extra | value.all_taints())

    def _st_Return(self, node: ast.Return, depth: int) -> bool:
        value = self._as_returned(self.ev(node.value)) if node.value is not None else Val(const=None)
        self.summary.returns = (
            join(self.summary.returns, value) if self.summary.returns is not UNKNOWN else value
        )
        info = self.info
        if info is not None:
            if info.view and self.module.html_views:
                self._html_returned(value, node)
            if secretish(self.module.secretish, info.node.name):
                self._random_into(value, f"the result of {info.node.name}()", node.lineno)
        return True

    def _html_returned(self, value: Val, node: ast.Return) -> None:
        if value.is_dict or (value.items is not None and not value.items):
            return
        body = value.items[0] if value.items else value  # (body, status[, headers])
        if body.is_dict or body.items is not None:
            return
        # every input is reported: keep() chooses among them by a stable key, never by the order
        # a frozenset (a process's hash seed) walks them in
        for t in body.all_taints():
            if t.label == INPUT and 79 not in t.cleared and 0 not in t.cleared:
                self.module.report("xss", node, t, "the view's HTML answer")

    def _st_Raise(self, node: ast.Raise, depth: int) -> bool:
        if node.exc is not None:
            self.ev(node.exc)
        return True

    def _st_Break(self, node, depth) -> bool:
        return self.leave_loop(False)

    def _st_Continue(self, node, depth) -> bool:
        return self.leave_loop(True)

    def _st_Assert(self, node: ast.Assert, depth: int) -> None:
        self.ev(node.test)
        self.guard(node.test, True)

    def _st_Delete(self, node: ast.Delete, depth: int) -> None:
        for t in node.targets:
            if isinstance(t, ast.Name):
                self.env.pop(t.id, None)
            elif isinstance(t, ast.Subscript) and (parts := chain(t.value)) is not None:
                name = ".".join(parts)
                base = self.env.get(name)
                if base is not None and (base.items is not None or base.fields is not None):
                    self.env[name] = deleted(
                        base, self.ev(t.slice) if not isinstance(t.slice, ast.Slice) else None
                    )

    def _st_If(self, node: ast.If, depth: int) -> bool:
        test = self.ev(node.test)
        if test.known:
            return self.run_body(node.body if test.const else node.orelse, depth + 1)
        before = dict(self.env)
        self.guard(node.test, True)
        body_exits = self.run_body(node.body, depth + 1)
        after_body = self.env
        self.env = dict(before)
        self.guard(node.test, False)
        else_exits = self.run_body(node.orelse, depth + 1)
        after_else = self.env
        if body_exits and not else_exits:
            self.env = after_else
        elif else_exits and not body_exits:
            self.env = after_body
        else:
            self.env = _join_env(after_body, after_else)
        return body_exits and else_exits

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, depth: int) -> None:
        before = dict(self.env)
        if isinstance(node, ast.While):
            test = self.ev(node.test)
            if test.known and not test.const:
                self.run_body(node.orelse, depth + 1)
                return
            element = None
        else:
            element = iterate(self.ev(node.iter))
        self.loop_depth += 1
        breaks: list[dict[str, Val]] = []
        continues: list[dict[str, Val]] = []
        self.exits.append((breaks, continues))
        try:
            for _ in range(2 if self.loop_depth <= 2 else 1):
                if element is not None:
                    self.bind(node.target, element)
                self.run_body(node.body, depth + 1)
                self.env = _join_env(before, self.env)
                for other in continues:
                    self.env = _join_env(self.env, other)
        finally:
            self.loop_depth -= 1
            self.exits.pop()
        self.run_body(node.orelse, depth + 1)
        for other in breaks:
            self.env = _join_env(self.env, other)

    _st_For = _st_AsyncFor = _st_While = _loop

    def _st_With(self, node: ast.With | ast.AsyncWith, depth: int) -> bool:
        for item in node.items:
            value = self.ev(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value)
        return self.run_body(node.body, depth + 1)

    _st_AsyncWith = _st_With

    def _st_Try(self, node: ast.Try, depth: int) -> bool:
        before = dict(self.env)
        body_exits = self.run_body(node.body, depth + 1)
        after_body = self.env
        endings: list[dict[str, Val]] = []
        for handler in node.handlers:
            self.env = _join_env(before, after_body)
            if handler.name:
                self.env[handler.name] = Val()
            if not self.run_body(handler.body, depth + 1):
                endings.append(self.env)
        self.env = after_body
        if not body_exits and not self.run_body(node.orelse, depth + 1):
            endings.append(self.env)
        self.env = endings[0] if endings else _join_env(before, after_body)
        for other in endings[1:]:
            self.env = _join_env(self.env, other)
        final_exits = self.run_body(node.finalbody, depth + 1)
        return final_exits or not endings

    _st_TryStar = _st_Try

    def _st_Match(self, node: ast.Match, depth: int) -> bool:
        subject = self.ev(node.subject)
        if subject.known:
            for case in node.cases:
                decided = _case_matches(case.pattern, subject.const)
                if decided is None:
                    break
                if decided and case.guard is None:
                    return self.run_body(case.body, depth + 1)
        before = dict(self.env)
        endings = []
        for case in node.cases:
            self.env = dict(before)
            if not self.run_body(case.body, depth + 1):
                endings.append(self.env)
        self.env = before
        for other in endings:
            self.env = _join_env(self.env, other)
        return False

    # -- checks that clear a value --------------------------------------------------------------

    def guard(self, test: ast.AST, truth: bool) -> None:
        """Clear what the test, known to be ``truth``, proves safe."""
        for name, cwes in self._effects(test, truth):
            for target in (name, (self.env.get(name) or UNKNOWN).origin):
                if target and target in self.env:
                    self.env[target] = cleared(self.env[target], cwes)

    def _effects(self, test: ast.AST, truth: bool) -> list[tuple[str, frozenset[int]]]:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self._effects(test.operand, not truth)
        if isinstance(test, ast.BoolOp):
            if isinstance(test.op, ast.And) == truth:  # all parts hold together
                return [e for v in test.values for e in self._effects(v, truth)]
            return []
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            return self._compare_effects(test, truth)
        if isinstance(test, ast.Call) and truth:
            return self._call_effects(test)
        return []

    def _compare_effects(self, test: ast.Compare, truth: bool) -> list[tuple[str, frozenset[int]]]:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        holds = truth if isinstance(op, (ast.In, ast.Eq, ast.Is)) else not truth
        if isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(left, ast.Constant) and isinstance(left.value, str) and not holds:
                name = _name_of(right)  # '..' not in x
                if name and (".." in left.value or "/" in left.value or "\\" in left.value):
                    return [(name, frozenset({22}))]
                return []
            if holds and self._constant_collection(right):
                return self._allowed(left)
            return []
        if isinstance(op, (ast.Eq, ast.Is)) or isinstance(op, (ast.NotEq, ast.IsNot)):
            other = right if not isinstance(right, ast.Constant) else left
            literal = right if isinstance(right, ast.Constant) else left
            if holds and isinstance(literal, ast.Constant):
                return self._allowed(other)
        return []

    def _allowed(self, node: ast.AST) -> list[tuple[str, frozenset[int]]]:
        """node is one of a fixed set of values: safe everywhere (an URL's host: for redirects)."""
        if isinstance(node, ast.Attribute) and node.attr in ("netloc", "hostname", "scheme", "host"):
            name = _name_of(node.value)
            return [(name, frozenset({601, 918}))] if name else []
        name = _name_of(node)
        return [(name, ALL)] if name else []

    def _constant_collection(self, node: ast.AST) -> bool:
        value = self.ev(node)
        if value.known:
            return True
        if value.items is not None:
            return all(v.known for v in value.items) and not value.extra
        return value.fields is not None and value.is_dict and not value.all_taints()

    def _call_effects(self, test: ast.Call) -> list[tuple[str, frozenset[int]]]:
        func = test.func
        parts = chain(func) or []
        qualified = qualify(parts, self.aliases, self.env.keys()) if parts else ""
        if qualified in ("re.fullmatch", "re.match") and len(test.args) >= 2:
            name = _name_of(test.args[1])
            return [(name, ALL)] if name else []
        if qualified == "isinstance" and len(test.args) == 2:
            name = _name_of(test.args[0])
            if name and _numeric_type(test.args[1]):
                return [(name, ALL)]
            if name and isinstance(test.args[1], ast.Name) and test.args[1].id == "str":
                return [(name, frozenset({943}))]  # a string holds no query operators
            return []
        last = parts[-1] if parts else ""
        if test.args and any(
            w in last for w in ("safe_url", "allowed_host", "is_safe", "is_allowed", "valid")
        ):
            name = _name_of(test.args[0])
            return [(name, frozenset({601, 918, 22}))] if name else []
        if isinstance(func, ast.Attribute) and func.attr in self.tables.checks:
            name = _name_of(func.value)
            return [(name, self.tables.checks[func.attr])] if name else []
        return []


_SESSIONS = frozenset({"flask.session", "quart.session", "request.session", "self.request.session"})


def _name_of(node: ast.AST) -> str:
    """The variable a check is about: x, self.x, or the x inside str(x) / x.resolve()."""
    if isinstance(node, ast.Call) and len(node.args) == 1 and not isinstance(node.func, ast.Attribute):
        node = node.args[0]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        node = node.func.value
    parts = chain(node)
    return ".".join(parts) if parts else ""


def _fixed_route(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The path a view answers when its route has no variable part (``@app.route("/a/b")``)."""
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and d.args and isinstance(d.args[0], ast.Constant):
            path = d.args[0].value
            if isinstance(path, str) and path.startswith("/") and not any(c in path for c in "<{*"):
                return path
    return ""


def _static(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)


def _handles_errors(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and (chain(d.func) or [""])[-1] in ("errorhandler", "app_errorhandler")
        for d in fn.decorator_list
    )


def _converted_route_parts(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Names a view's route converts to numbers (``<int:item_id>``, ``{id:int}``)."""
    names = set()
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and d.args and isinstance(d.args[0], ast.Constant):
            path = d.args[0].value
            if isinstance(path, str):
                for part in path.replace("{", "<").replace("}", ">").split("<")[1:]:
                    inner = part.split(">", 1)[0]
                    kind, _, name = inner.partition(":")
                    if name and kind in ("int", "float", "uuid"):
                        names.add(name)
                    elif kind and name and name in ("int", "float", "uuid"):  # Starlette: {id:int}
                        names.add(kind)
    return frozenset(names)


def _numeric_type(node: ast.AST) -> bool:
    names = [node] if not isinstance(node, ast.Tuple) else node.elts
    return bool(names) and all(
        isinstance(n, ast.Name) and n.id in ("int", "float", "bool", "complex") for n in names
    )


def _numeric(arg: ast.arg) -> bool:
    ann = arg.annotation
    return isinstance(ann, ast.Name) and ann.id in _NUMERIC_ANNOTATIONS


def _param_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]


def _load(target: ast.AST) -> ast.AST:
    """The target of an augmented assignment, read."""
    if isinstance(target, ast.Name):
        return ast.Name(id=target.id, ctx=ast.Load())
    if isinstance(target, ast.Attribute):
        return ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
    return target


def _join_env(a: dict[str, Val], b: dict[str, Val]) -> dict[str, Val]:
    out = dict(a)
    for name, value in b.items():
        mine = out.get(name)
        out[name] = value if mine is None else join(mine, value)
    return out


def _case_matches(pattern: ast.pattern, value: object) -> bool | None:
    """Whether a case pattern matches a known subject; None when it cannot be told."""
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        return pattern.value.value == value
    if isinstance(pattern, ast.MatchSingleton):
        return pattern.value is value
    if isinstance(pattern, ast.MatchOr):
        results = [_case_matches(p, value) for p in pattern.patterns]
        return True if any(r is True for r in results) else (None if None in results else False)
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
        return True
    return None


def taint_hits(
    tree: ast.Module,
    tables: Tables,
    aliases: dict[str, str] | None = None,
    functions: list | None = None,
    relevant: set[int] | None = None,
) -> list[TaintHit]:
    """Every untrusted flow into a sink in the module, by line (aliases: its imports, and
    functions: pywalk's, when the module was already walked; relevant: the functions to read
    first, those calling a sink; the others are read when one of those calls them)."""
    return ModuleFlow(tree, tables, aliases, functions, relevant).run()


__all__ = ["EXTERNAL", "TaintHit", "taint_hits"]
