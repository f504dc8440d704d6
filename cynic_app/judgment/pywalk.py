"""One walk over a Python AST, collecting every fact the checks ask about.

The walk visits each node once (an explicit stack, children in source order) and records
facts in flat lists; the checks (pysecurity.py, pychecks.py) only read them. Nothing here
decides what is wrong. Complexity is McCabe's: 1 + branches (if, elif, ternary, loops, except
clauses, comprehension clauses, extra boolean operands, match cases), counted per function
without its nested functions.
"""

from __future__ import annotations

import ast

from .patterns import linear
from .pyexpr import (
    does_nothing,
    dotted_name,
    drops,
    is_built_string,
    is_docstring,
    is_dynamic,
    is_str,
    is_table_lookup,
    last_name,
    returns_constant,
    subscript_key,
    unparse,
)
from .pyfacts import CLEANUP_CALLS, CLEANUP_FUNCTIONS, CLOSERS, OPENERS, Call, Function, Handler

_NESTING = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_BRANCHES = (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.match_case)
_BODY_FIELDS = ("body", "orelse", "finalbody")
_CLI_MODULES = frozenset({"argparse", "click", "typer", "fire", "docopt"})
#: Attributes whose mere use is a finding: TLS checks off, broken protocols and modes.
_NOTABLE_ATTRIBUTES = frozenset(
    {"CERT_NONE", "_create_unverified_context", "PROTOCOL_SSLv2", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1",
     "PROTOCOL_TLSv1_1", "MODE_ECB"}
)  # fmt: skip
#: Names of calls that ask about a value rather than use it: predicates and test assertions.
_ASKING = ("is_", "has_", "assert", "supports")
_STUB_EXEMPT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "overload", "override"})
#: A docstring that says the work is missing does not make a stub intentional.
_UNFINISHED_RE = linear("docstring-unfinished", r"(?i)\b(?:todo|fixme|stub|not (?:yet )?implemented)\b")
#: The message of a NotImplementedError that asks subclasses for the method: abstract by convention.
_ABSTRACT_RE = linear(
    "abstract-message", r"(?i)subclass|override|abstract|must (?:be )?implement|implement(?:ed)? (?:by|in)"
)
#: Class names of bases meant to be extended: their empty methods are hooks.
_BASE_CLASS_RE = linear("base-class-name", r"^_?(?:Base|Abstract)|(?:Base|Mixin|Interface|Protocol|ABC)$")


def _intended_empty(node, has_doc: bool, rest: list[ast.stmt], cls: str | None, bases, raises: bool) -> bool:
    """An empty function meant to be empty: documented (and not as unfinished), a method
    overriding a base's to do nothing, a hook of a base class, or an abstract method by
    convention (NotImplementedError asking subclasses for it)."""
    if has_doc and not _UNFINISHED_RE.search(ast.get_docstring(node) or ""):
        return True
    if cls is not None and _BASE_CLASS_RE.search(cls):
        return True
    if cls is not None and any(b not in ("object", "") for b in bases):
        # an override that does nothing, or refuses with its reason: the base's behaviour is changed
        if not raises or any(
            isinstance(s, ast.Raise) and isinstance(s.exc, ast.Call) and s.exc.args for s in rest
        ):
            return True
    for stmt in rest:
        if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call) and stmt.exc.args:
            message = stmt.exc.args[0]
            if isinstance(message, ast.Constant) and _ABSTRACT_RE.search(str(message.value)):
                return True
    return False


def _configures(node: ast.Attribute, parent) -> bool:
    """An attribute used to configure a connection: passed to a call, as cert_reqs= or
    verify_mode= or positionally, or assigned to a verify_mode or protocol (not a class
    attribute's default: a server not asking for client certificates is the normal default).
    Given to a predicate or an assertion (``is_enabled(...)``, ``self.assertNotEqual(...)``), it
    is asked about, not set."""
    if isinstance(parent, ast.Call):
        called = last_name(parent.func).lower()
        return not (called.startswith(_ASKING) or called in ("isinstance", "hasattr", "getattr"))
    if isinstance(parent, ast.keyword):
        return parent.arg in ("cert_reqs", "verify_mode", "ssl_cert_reqs", "ssl_version", "protocol", None)
    if isinstance(parent, ast.Assign):
        names = [dotted_name(t) for t in parent.targets]
        return any(n.endswith(("verify_mode", "ssl_version", "protocol")) for n in names)
    return False


def _hands_on(parent) -> bool:
    """A call whose result leaves the function (returned, yielded, kept on an object): what it is
    given is the new owner's to close (``return _ProxyFile(f)``)."""
    if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
        return True
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in targets)
    return False


def _cleans_up(stmt: ast.stmt) -> bool:
    """A statement that only closes, removes or stops something."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return last_name(stmt.value.func) in CLEANUP_CALLS
    return isinstance(stmt, ast.Pass)


def _quiet_dunder(name: str, rest: list[ast.stmt]) -> bool:
    """__exit__ or __enter__ with a pass body is a protocol method with nothing to do, not a stub."""
    dunder = name.startswith("__") and name.endswith("__")
    return dunder and not any(isinstance(s, ast.Raise) for s in rest)


class PyFacts:
    """What one walk found in a module (all line numbers 1-based)."""

    def __init__(self, tree: ast.Module):
        self.functions: list[Function] = []
        self.classes: dict[str, tuple[int, int, tuple[str, ...]]] = {}  # name -> (line, methods, bases)
        self.imports: list[tuple[str, bool, bool, int]] = []  # (module, wildcard, relative, line)
        self.module_imports: list[tuple[str, str, int]] = []  # module level: (bound name, what, line)
        self.aliases: dict[str, str] = {}  # local name -> qualified name, from every import
        self.calls: list[Call] = []
        self.strings: list[tuple[str, int]] = []
        self.str_assignments: list[tuple[str, str, int]] = []  # (target, value, line)
        self.dict_items: list[tuple[str, str, int]] = []  # string key -> string value
        self.defaults: list[tuple[str, str, int, str]] = []  # (arg, str default, line, function)
        self.compares: list[ast.Compare] = []  # single == / != comparisons
        self.handlers: list[Handler] = []
        self.asserts: list[ast.Assert] = []
        self.unreachable: list[int] = []
        self.constant_conditions: list[tuple[int, str]] = []
        self.attributes: list[tuple[str, int]] = []  # (attr, line) of loads of notable attributes
        self.bool_assignments: list[tuple[str, bool, int]] = []  # (target, value, line)
        self.dynamic_names: set[str] = set()  # names assigned a string built at run time
        self.trusted_names: set[str] = set()  # names assigned from a constant lookup table
        self.known_strings: dict[str, str] = {}  # name -> last constant string assigned
        self.names_used: set[str] = set()
        self.names_referenced: set[str] = set()  # used other than as the function of a call
        self.redefined: list[tuple[str, int]] = []
        self.closed: set[tuple[int, str]] = set()  # (owner id, name) closed, managed or handed on
        self.opened: list[tuple[int, str, int, str]] = []  # (owner id, name, line, opener)
        self.is_cli = False
        self._defined: dict[int, dict[str, bool]] = {}  # id(module or class) -> name -> was an overload
        self.max_depth = 0
        self.deepest_line = 1
        self.max_node_depth = 0  # of any node, expressions included: recursive tools need a bound
        self.deepest_node_line = 0
        self.most_bindings = (0, "", 0)  # (count, name, line): one name bound most often in one scope
        self.n_statements = 0
        self.top_level = len(tree.body)
        self.n_lines = max((getattr(s, "end_lineno", 0) or 0 for s in tree.body), default=0)
        self.class_ends: dict[str, int] = {}
        self.declares_all = any(  # the module says what it exports
            isinstance(t, ast.Name) and t.id == "__all__"
            for s in tree.body
            if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign))
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
        self._walk(tree)

    # -- the walk ----------------------------------------------------------------------------

    def _walk(self, tree: ast.Module) -> None:
        stack: list[tuple] = [(tree, None, 0, None, 0, None, 0)]
        pop, push = stack.pop, stack.append
        stmt, visitors, nesting, branches = ast.stmt, _VISITORS, _NESTING, _BRANCHES
        Name, Constant, names_used, referenced = (
            ast.Name,
            ast.Constant,
            self.names_used,
            self.names_referenced,
        )
        strings: list[tuple[str, int]] = []  # collected in reverse source order, put right below
        bindings: dict[tuple[int, str], int] = {}  # (id of the owning function or 0, name) -> stores
        Store = ast.Store
        while stack:
            node, parent, depth, owner, owner_depth, cls, level = pop()
            kind = type(node)
            if kind is str or node is None:  # Global names, a dict's ** key
                continue
            if level > self.max_node_depth:
                self.max_node_depth, self.deepest_node_line = level, getattr(node, "lineno", 0)
            if isinstance(node, stmt):
                self.n_statements += 1
                if depth > self.max_depth:
                    self.max_depth, self.deepest_line = depth, node.lineno
                if owner is not None and depth - owner_depth > owner.depth:
                    owner.depth = depth - owner_depth
            if owner is not None and kind in branches:
                owner.complexity += 1
            visit = visitors.get(kind)
            if visit is not None:
                new_owner = visit(self, node, parent, owner, cls)
                if new_owner is not None:
                    owner, owner_depth = new_owner, depth
                if kind is ast.ClassDef:
                    cls = node.name
            child_depth = depth + 1 if kind in nesting else depth
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _CHILD_FIELDS[kind] = _child_fields(kind)
            for name in fields:  # reversed field order, each list reversed: popped in source order
                value = getattr(node, name, None)
                if value is None:
                    continue
                for child in reversed(value) if type(value) is list else (value,):
                    leaf = type(child)
                    if leaf is Name:  # leaves are noted here: no trip through the stack
                        names_used.add(child.id)
                        if not (kind is ast.Call and name == "func"):
                            referenced.add(child.id)
                        if type(child.ctx) is Store:
                            key = (id(owner) if owner is not None else 0, child.id)
                            bindings[key] = bindings.get(key, 0) + 1
                            if bindings[key] > self.most_bindings[0]:
                                self.most_bindings = (bindings[key], child.id, child.lineno)
                    elif leaf is Constant:
                        if type(child.value) is str:
                            strings.append((child.value, child.lineno))
                    else:
                        push((child, node, child_depth, owner, owner_depth, cls, level + 1))
        self.strings = sorted(strings, key=lambda s: s[1])

    # -- visitors (return a Function when the node opens one) ---------------------------------

    def _function(self, node, parent, owner, cls):
        body = node.body
        has_doc = bool(body) and is_docstring(body[0])
        rest = body[1:] if has_doc else body
        decorators = {last_name(d) for d in node.decorator_list}
        bases = self.classes[cls][2] if cls in self.classes else ()
        protocol = any(b in ("Protocol", "ABC") for b in bases)  # interfaces: empty bodies by design
        stub = all(does_nothing(s) for s in rest) and not (decorators & _STUB_EXEMPT_DECORATORS)
        raises = stub and any(isinstance(s, ast.Raise) for s in rest)
        if stub and _intended_empty(node, has_doc, rest, cls, bases, raises):
            stub = False
        args = node.args
        all_args = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        positional = [*args.posonlyargs, *args.args]
        for arg, default in [
            *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]:
            if is_str(default):
                self.defaults.append((arg.arg, default.value, default.lineno, node.name))
        fn = Function(
            name=node.name,
            lineno=node.lineno,
            length=(node.end_lineno or node.lineno) - node.lineno + 1,
            n_args=len([a for a in all_args if a.arg not in ("self", "cls")]),
            has_docstring=has_doc,
            annotated=node.returns is not None or any(a.annotation is not None for a in all_args),
            returns=unparse(node.returns) if node.returns is not None else None,
            is_stub=stub and not protocol and not _quiet_dunder(node.name, rest),
            always_true=len(rest) == 1 and returns_constant(rest[0], True) and not has_doc,
            cls=cls,
            end_line=node.end_lineno or node.lineno,
            raises_not_implemented=raises,
            nested=owner is not None,
            owner=owner,
            node=node,
        )
        self.functions.append(fn)
        self._check_bodies(node)
        if isinstance(parent, (ast.Module, ast.ClassDef)):
            defined = self._defined.setdefault(id(parent), {})
            overload = bool(decorators & {"overload"})
            extends = any(dotted_name(d).startswith(node.name + ".") for d in node.decorator_list)
            if node.name in defined and not (overload or extends or defined[node.name]):
                self.redefined.append((node.name, node.lineno))
            defined[node.name] = overload  # an overload announces the definition that follows
        return fn

    def _class(self, node, parent, owner, cls):
        methods = sum(isinstance(b, _FUNCTIONS) for b in node.body)
        self.classes[node.name] = (node.lineno, methods, tuple(last_name(b) for b in node.bases))
        self.class_ends[node.name] = node.end_lineno or node.lineno
        self._check_bodies(node)

    def _import(self, node, parent, owner, cls):
        for alias in node.names:
            self.imports.append((alias.name, False, False, node.lineno))
            if owner is None and cls is None:
                bound = alias.asname or alias.name.split(".")[0]
                self.module_imports.append((bound, alias.name if alias.asname else bound, node.lineno))
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases.setdefault(top, top)
            if alias.name.split(".")[0] in _CLI_MODULES:
                self.is_cli = True

    def _import_from(self, node, parent, owner, cls):
        wildcard = any(alias.name == "*" for alias in node.names)
        self.imports.append((node.module or "", wildcard, node.level > 0, node.lineno))
        if owner is None and cls is None:
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    what = f"{source}.{alias.name}" if node.module else f"{source}{alias.name}"
                    self.module_imports.append((alias.asname or alias.name, what, node.lineno))
        if node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        if (node.module or "").split(".")[0] in _CLI_MODULES:
            self.is_cli = True

    def _call(self, node, parent, owner, cls):
        name = dotted_name(node.func)
        self.calls.append(Call(name, node.lineno, node, owner, parent))
        base = name.rsplit(".", 1)[-1]
        if base in CLOSERS and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            self.closed.add((id(owner), node.func.value.id))
        elif base in ("closing", "enter_context", "callback", "push") or _hands_on(parent):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                while isinstance(arg, ast.Attribute):  # proc.stdout hands proc on too
                    arg = arg.value
                if isinstance(arg, ast.Name):
                    self.closed.add((id(owner), arg.id))
        if name in OPENERS or (base == "open" and any(w in name.lower() for w in ("path", "file"))):
            self._note_opened(node, name, parent, owner)

    def _note_opened(self, node, name, parent, owner) -> None:
        """Remember a resource that is neither managed by with nor handed on where it is made."""
        if isinstance(parent, (ast.withitem, ast.Return, ast.Yield, ast.YieldFrom)):
            return
        if isinstance(parent, ast.Call) and last_name(parent.func) in ("closing", "enter_context"):
            return
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                self.opened.append((id(owner), targets[0].id, node.lineno, name))
            return  # bound to an attribute or unpacked: its owner closes it
        if isinstance(parent, (ast.Attribute, ast.Call, ast.keyword, ast.Expr)):
            self.opened.append((id(owner), "", node.lineno, name))  # never bound: nothing can close it

    def _attribute(self, node, parent, owner, cls):
        self.names_used.add(node.attr)
        if node.attr in _NOTABLE_ATTRIBUTES and _configures(node, parent):
            # used to configure a connection; a comparison, a table or a default of them is none
            self.attributes.append((node.attr, node.lineno))

    def _assign(self, node, parent, owner, cls):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is None:
            return
        for target in targets:
            name = dotted_name(target) or subscript_key(target)
            if not name:
                continue
            if is_str(value):
                self.str_assignments.append((name, value.value, node.lineno))
                self.known_strings[name] = value.value
            elif isinstance(value, ast.Constant) and isinstance(value.value, bool):
                self.bool_assignments.append((name, value.value, node.lineno))
            elif is_built_string(value) and is_dynamic(value, self.trusted_names):
                self.dynamic_names.add(name)
            elif is_table_lookup(value):
                self.trusted_names.add(name)
            if isinstance(value, ast.Name) and not isinstance(target, ast.Name):
                self.closed.add((id(owner), value.id))  # handed to an object that owns it now

    def _return(self, node, parent, owner, cls):
        if isinstance(node.value, ast.Name):
            self.closed.add((id(owner), node.value.id))
        elif owner is not None and isinstance(node.value, ast.Constant):
            owner.return_kinds.append(type(node.value.value).__name__)

    def _yield(self, node, parent, owner, cls):
        if isinstance(node.value, ast.Name):
            self.closed.add((id(owner), node.value.id))

    def _with_item(self, node, parent, owner, cls):
        if isinstance(node.context_expr, ast.Name):
            self.closed.add((id(owner), node.context_expr.id))

    def _handler(self, node, parent, owner, cls):
        broad = (
            node.type is None
            or last_name(node.type) in ("Exception", "BaseException")
            or (
                isinstance(node.type, ast.Tuple)
                and any(last_name(e) in ("Exception", "BaseException") for e in node.type.elts)
            )
        )
        cleanup = (owner is not None and owner.name in CLEANUP_FUNCTIONS) or (
            isinstance(parent, ast.Try) and bool(parent.body) and all(_cleans_up(s) for s in parent.body)
        )
        self.handlers.append(
            Handler(
                node.lineno,
                node.type is None,
                broad,
                all(drops(s) for s in node.body),
                end_line=node.end_lineno or node.lineno,
                cleanup=cleanup,
            )
        )
        self._check_bodies(node)

    def _compare(self, node, parent, owner, cls):
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            self.compares.append(node)

    def _branch(self, node, parent, owner, cls):
        test = node.test
        if isinstance(test, ast.Constant) and not test.value and not isinstance(test.value, str):
            self.constant_conditions.append((node.lineno, unparse(test)))
        elif (
            isinstance(node, ast.If)
            and owner is None
            and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            self.is_cli = True
        self._check_bodies(node)

    def _block(self, node, parent, owner, cls):
        self._check_bodies(node)

    def _assert(self, node, parent, owner, cls):
        self.asserts.append(node)

    def _bool_op(self, node, parent, owner, cls):
        if owner is not None:
            owner.complexity += len(node.values) - 1

    def _comprehension(self, node, parent, owner, cls):
        if owner is not None:
            owner.complexity += 1 + len(node.ifs)

    def _dict(self, node, parent, owner, cls):
        for key, value in zip(node.keys, node.values, strict=True):
            if is_str(key) and is_str(value):
                self.dict_items.append((key.value, value.value, node.lineno))

    def _check_bodies(self, node) -> None:
        """Record the first statement after a return/raise/continue/break in each block."""
        for name in _BODY_FIELDS:
            body = getattr(node, name, None)
            if not body:
                continue
            for i, stmt in enumerate(body[:-1]):
                if isinstance(stmt, _TERMINAL):
                    self.unreachable.append(body[i + 1].lineno)
                    break


#: Fields that never hold a node: skipping them is most of what makes the walk cheap.
_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "name", "arg", "attr", "kind", "module", "level", "asname", "type_comment", "conversion",
     "is_async", "simple", "tag", "n", "s"}
)  # fmt: skip
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    skip = _SCALAR_FIELDS | ({"value"} if kind is ast.Constant else set())
    return tuple(f for f in reversed(getattr(kind, "_fields", ())) if f not in skip)  # a bool: none


_VISITORS = {
    ast.FunctionDef: PyFacts._function,
    ast.AsyncFunctionDef: PyFacts._function,
    ast.ClassDef: PyFacts._class,
    ast.Import: PyFacts._import,
    ast.ImportFrom: PyFacts._import_from,
    ast.Call: PyFacts._call,
    ast.Attribute: PyFacts._attribute,
    ast.Assign: PyFacts._assign,
    ast.AnnAssign: PyFacts._assign,
    ast.Return: PyFacts._return,
    ast.Yield: PyFacts._yield,
    ast.YieldFrom: PyFacts._yield,
    ast.withitem: PyFacts._with_item,
    ast.ExceptHandler: PyFacts._handler,
    ast.Compare: PyFacts._compare,
    ast.If: PyFacts._branch,
    ast.While: PyFacts._branch,
    ast.For: PyFacts._block,
    ast.AsyncFor: PyFacts._block,
    ast.With: PyFacts._block,
    ast.AsyncWith: PyFacts._block,
    ast.Try: PyFacts._block,
    ast.Module: PyFacts._block,
    ast.match_case: PyFacts._block,
    ast.Assert: PyFacts._assert,
    ast.BoolOp: PyFacts._bool_op,
    ast.comprehension: PyFacts._comprehension,
    ast.Dict: PyFacts._dict,
}
