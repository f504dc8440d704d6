"""The shape of the knowledge the flow engine reads: sources, sinks, sanitisers, object kinds and
the flags a call sets on an object. The engine knows none of the entries (python.py holds them
for Python); this module only says what an entry can say.

Names are qualified the way the code imports them (``import xml.etree.ElementTree as ET`` makes
``ET.parse`` the call ``xml.etree.ElementTree.parse``). A name ending in ``.*`` matches every
name below it. ``methods`` match a method of that name on any receiver, or on a receiver of the
``on`` kind only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .values import INPUT

#: Every weakness: a sanitiser or check that makes a value safe for any sink.
ALL = frozenset({0})


@dataclass(frozen=True)
class Source:
    """Where untrusted data enters: a call's result, a name or attribute read, or a method's
    result on an object of a kind."""

    label: str = INPUT
    calls: tuple[str, ...] = ()
    attrs: tuple[str, ...] = ()  # qualified names read (anything below them too: request.args.x)
    local_attrs: tuple[str, ...] = ()  # attributes of a local name (a view's request parameter)
    methods: tuple[str, ...] = ()
    on: str = ""
    except_attrs: tuple[str, ...] = ()  # attributes of an attrs source that hold no input
    web_only: bool = False  # only in a module that imports a web framework


#: Sink.unless: the keyword given with any value.
ANY = object()


@dataclass(frozen=True)
class Sink:
    """Where untrusted data does harm; the rule (rules.py) gives its id, CWE and severity."""

    rule: str
    calls: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    on: str = ""  # methods: the receiver's kind ("" any)
    args: tuple[int, ...] = (0,)  # argument positions read
    kwargs: tuple[str, ...] = ()  # keyword arguments read
    receiver: bool = False  # the receiver itself is read (``path.open()``)
    first_item: bool = False  # of a list argument, only the first item matters (a program)
    #: (position, variadic): the started program's argument list is there (variadic: it is the
    #: positional arguments from there on); only a shell's ``-c COMMAND`` in it is read
    argv: tuple[int, bool] | None = None
    when: tuple[tuple[str, object], ...] = ()  # keyword constants that must be given
    #: keywords that make the call safe: given at all (ANY: ``filter=``) or as this constant
    #: (``weights_only=True``)
    unless: tuple[tuple[str, object], ...] = ()
    labels: frozenset[str] = frozenset({INPUT})
    param_built: bool = False  # a public function's parameter counts when built into text
    param_any: bool = False  # a public function's parameter counts as it is
    imports: tuple[str, ...] = ()  # methods on receivers of no known kind: the module imports one
    text: str = ""  # the literal text must read as this ("sql"), or be text put together ("built")
    needs_flag: tuple[object, str] | None = None  # (argument position or "receiver", flag)
    #: (position, keyword, text): an argument naming it makes the call safe (Loader=SafeLoader)
    safe_with: tuple[int, str, str] | None = None
    #: (keywords, text): a keyword naming what the call produces, given as a literal that lacks
    #: the text, makes it safe (``content_type="text/plain"`` is no HTML)
    declared: tuple[tuple[str, ...], str] | None = None
    #: Reached by a value of no known origin: "any" non-literal value, or one "built" from literal
    #: text and run-time parts, is worth a low-confidence look (as bandit's pattern checks flag).
    possible: str = ""
    #: assignments to a property of this name (``el.innerHTML = …``; a JSX attribute too), or, for
    #: a dotted entry, to that qualified name (``location.href = …``); ``on`` restricts the object
    props: tuple[str, ...] = ()

    def __hash__(self) -> int:
        """The fields' hash, computed once: every summary entry (SinkEntry) holds a sink, and
        sets of entries hash them again and again (values.replace drops it from a copy)."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return cached


@dataclass(frozen=True)
class Sanitizer:
    """A call whose result is safe for the CWEs given (ALL: for every sink)."""

    cwes: frozenset[int]
    calls: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    name_parts: tuple[str, ...] = ()  # a called function whose own name contains one of these


@dataclass(frozen=True)
class Kind:
    """What a call returns: an object whose methods are sources or sinks of their own."""

    kind: str
    calls: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    on: str = ""


@dataclass(frozen=True)
class Flag:
    """A fact a call establishes about an object (a parser told to resolve external entities):
    set on the constructed object (``calls`` with ``kwarg``) or on a method's receiver
    (``methods`` whose argument ``arg`` names ``equals`` and whose next argument is ``value``)."""

    flag: str
    calls: tuple[str, ...] = ()
    kwarg: tuple[str, object] | None = None
    methods: tuple[str, ...] = ()
    on: str = ""
    arg_names: tuple[str, ...] = ()
    value: object = True


@dataclass(frozen=True)
class Tables:
    """Everything the engine knows of one language."""

    sources: tuple[Source, ...]
    sinks: tuple[Sink, ...]
    sanitizers: tuple[Sanitizer, ...]
    kinds: tuple[Kind, ...]
    flags: tuple[Flag, ...]
    #: string predicates that, when true, leave a value safe for the CWEs given (``x.isdigit()``)
    checks: dict[str, frozenset[int]]
    #: decorators (their last name) that make a function a web view: returns are responses
    view_decorators: tuple[str, ...]
    #: frameworks (imported) whose views take the request as a first parameter named request
    request_first: tuple[str, ...]
    #: frameworks (imported) that make a local named request the web request (local_attrs)
    web_frameworks: tuple[str, ...]
    #: object kinds a call returns as a handle: the call's arguments do not flow into it
    handles: tuple[str, ...]
    #: calls through which taint passes as through the language itself (not a hop of unknown code)
    propagators: tuple[str, ...]
    #: calls that never return (they raise or end the process): a block ending in one exits
    noreturn: tuple[str, ...]
    secretish: tuple[str, ...]  # parts of names that hold secrets, tokens and session keys
    #: attributes that hold a number or a truth value whatever object they are read from
    #: (``done.returncode``): nothing of the object's taint reaches a sink through them
    numeric_attrs: frozenset[str] = frozenset()
    #: programs that run a command line or code given after one of their flags (``sh -c``), by
    #: file name without directory, ".exe" or version, lower case
    runners: dict[str, frozenset[str]] = field(default_factory=dict)
    #: the flags after which a program whose name is not known runs its next argument: the
    #: shells' and Python's, not every runner's (``-e``, ``-r``, ``-p`` are grep's, rsync's, ssh's)
    unknown_runner_flags: frozenset[str] = frozenset()
    #: programs that start the program named by their first argument that is not an option or
    #: an assignment (``env``, ``sudo``), with how many arguments of their own come first
    wrappers: dict[str, int] = field(default_factory=dict)
    #: handler parameters that are objects of a kind by their name (JavaScript: ``req`` -> request)
    param_kinds: tuple[tuple[str, str], ...] = ()
    #: callbacks whose first parameter is an object of a kind, or input itself when the kind is
    #: INPUT: (method the callback is given to, its constant first argument, kind)
    callback_params: tuple[tuple[str, str, str], ...] = ()


def secretish(words: tuple[str, ...], name: str) -> bool:
    """A name that holds a secret, token or session key (Tables.secretish: a substring test,
    no pattern)."""
    lowered = name.lower()
    return any(w in lowered for w in words)


def cleans(s: Sanitizer, qualified: str, method: str) -> bool:
    """The sanitiser names this call: its qualified name, its method, or a part of its own name
    (``escape_html``)."""
    last = (qualified.rsplit(".", 1)[-1] if qualified else method).lower()
    return bool(
        (s.calls and qualified and matches(qualified, s.calls))
        or (s.methods and method in s.methods)
        or (s.name_parts and any(_names(last, p) for p in s.name_parts))
    )


#: Before a sanitiser's name part (unquote, un_escape, dequote, strip_quotes, remove_escapes) or
#: after it (escape_decode): the function undoes what the part does.
_UNDOING_BEFORE = ("un", "un_", "de", "strip_", "remove_")
_UNDOING_AFTER = ("_decode", "_decoded")


def _names(name: str, part: str) -> bool:
    """Whether name holds part, and not undoing it: ``unquote`` and ``html_unescape`` decode what
    ``quote`` and ``escape`` encode, giving back the untrusted text they were given."""
    at = name.find(part)
    while at >= 0:
        before, after = name[:at], name[at + len(part) :]
        if not before.endswith(_UNDOING_BEFORE) and not after.startswith(_UNDOING_AFTER):
            return True
        at = name.find(part, at + 1)
    return False


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    """True when name is one of patterns, or below a pattern ending in ``.*``."""
    for p in patterns:
        if p.endswith(".*"):
            if name.startswith(p[:-1]) or name == p[:-2]:
                return True
        elif name == p:
            return True
    return False


class Index:
    """Table entries found by a call's qualified name or a method's name in one dict lookup
    (the tables are read for every call of every module: a scan of each would dominate)."""

    def __init__(self, entries: tuple):
        self._exact: dict[str, list[tuple[int, object]]] = {}
        self._prefixes: list[tuple[str, int, object]] = []
        self._methods: dict[str, list[tuple[int, object]]] = {}
        for order, entry in enumerate(entries):
            for pattern in getattr(entry, "calls", ()):
                if pattern.endswith(".*"):
                    self._prefixes.append((pattern[:-2], order, entry))
                else:
                    self._exact.setdefault(pattern, []).append((order, entry))
            for method in getattr(entry, "methods", ()):
                self._methods.setdefault(method, []).append((order, entry))

    def for_call(self, qualified: str, method: str = "") -> list:
        """Entries naming the call (by qualified name) or its method, in table order."""
        found = list(self._exact.get(qualified, ())) if qualified else []
        if qualified:
            found += [(o, e) for p, o, e in self._prefixes if qualified == p or qualified.startswith(p + ".")]
        if method:
            found += self._methods.get(method, ())
        if len(found) > 1:
            found.sort(key=lambda pair: pair[0])
            seen: set[int] = set()
            found = [(o, e) for o, e in found if not (o in seen or seen.add(o))]
        return [e for _, e in found]


_INDEXES: dict[int, dict[str, Index]] = {}


def index(tables: Tables) -> dict[str, Index]:
    """The indexes of a language's tables, built once."""
    built = _INDEXES.get(id(tables))
    if built is None:
        built = _INDEXES[id(tables)] = {
            "sources": Index(tables.sources),
            "sinks": Index(tables.sinks),
            "sanitizers": Index(tables.sanitizers),
            "kinds": Index(tables.kinds),
            "flags": Index(tables.flags),
            "propagators": Index((Source(calls=tables.propagators),)),
        }
    return built
