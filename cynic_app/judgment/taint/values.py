"""What the flow engine knows about a value: where its untrusted parts came from, its constant
value when it has one, its container shape, and what it is (a parser, a path, a response).

A value is never mutated: every operation returns a new one, so environments can be copied
cheaply at branches and joined where they meet.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

#: Labels of taint. INPUT: from a request or a socket (remote); LOCAL: from the command line or
#: the console (the person running the program); EXTERNAL: from a remote service or shared cache,
#: FILE: from a file (both trusted by most sinks, not by deserialisers or code runners); PARAM: a
#: parameter of a public function (the caller may pass anything); RANDOM: a predictable number.
INPUT, LOCAL, EXTERNAL, FILE, PARAM, RANDOM = "input", "local", "external", "file", "param", "random"
#: Constant text kept per value, enough to tell SQL from prose, bounded in cost.
TEXT_KEPT = 400
#: A container tracked element by element holds at most this many; more, and it is a summary.
ITEMS_KEPT = 64


_FIELDS: dict[type, frozenset[str]] = {}
#: Where a value keeps what all_taints() and hopped() found (not fields: not compared, hashed or
#: copied).
_ALL, _HOPPED = "_all_taints", "_hopped"
_KEPT = (_ALL, _HOPPED, "_hash")  # (spec.Sink's hash)


def replace(obj, /, **changes):
    """dataclasses.replace for the engine's frozen values, without re-running __init__: the
    walk makes one or more per expression, and dataclasses.replace was a fifth of the time
    of a 100,000-character JavaScript body. Unknown field names are refused as it refuses them."""
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in fields(cls))
    if not changes.keys() <= names:
        raise TypeError(f"{cls.__name__} has no field {sorted(changes.keys() - names)[0]!r}")
    new = object.__new__(cls)
    new.__dict__.update(obj.__dict__, **changes)
    for kept in _KEPT:  # what all_taints() and hopped() found of the old value is not the new one's
        new.__dict__.pop(kept, None)
    return new


class _NoConst:
    """The value is not known when the code is read."""

    def __repr__(self) -> str:
        return "NOCONST"


NOCONST = _NoConst()


@dataclass(frozen=True)
class Taint:
    """One origin of untrusted data, and the weaknesses it has been cleaned of on the way."""

    label: str
    line: int
    what: str  # "request.args", "input()", "parameter cmd"
    cleared: frozenset[int] = frozenset()  # CWEs a sanitiser or a check made it safe for
    param: int = -1  # for PARAM: the parameter's position in its function
    attr: str = ""  # for PARAM: an attribute of that parameter (self.command), not the parameter
    hops: int = 0  # calls of unknown code it went through: each makes the flow less certain

    def clear(self, cwes: frozenset[int]) -> Taint:
        return self if cwes <= self.cleared else replace(self, cleared=self.cleared | cwes)

    def hop(self) -> Taint:
        return replace(self, hops=self.hops + 1) if self.hops < 3 else self


@dataclass(frozen=True)
class Val:
    """An abstract value. ``taints`` are its untrusted origins; ``const`` its value when known;
    ``built`` that it is text put together from untrusted parts and literal text (``text`` is
    that literal text); ``fields``/``items`` a dict's or list's tracked contents; ``kind`` what it
    is (a table's type name: "sax-parser", "path", "response"...); ``flags`` facts about that
    object ("resolves-entities"); ``origin`` the variable it was derived from by a check-friendly
    step (``urlparse(x)``, ``str(x)``, ``x.resolve()``), so a check on it clears that variable."""

    taints: frozenset[Taint] = frozenset()
    const: object = NOCONST
    built: bool = False
    text: str = ""
    fields: tuple[tuple[object, Val], ...] | None = None
    items: tuple[Val, ...] | None = None
    kind: str = ""
    flags: frozenset[str] = frozenset()
    origin: str = ""
    is_dict: bool = False
    extra: frozenset[Taint] = frozenset()  # taint of a container's untracked part
    literal: bool = False  # made of literals only, though which ones may depend on a branch

    @property
    def known(self) -> bool:
        return self.const is not NOCONST

    def all_taints(self) -> frozenset[Taint]:
        """Every origin reachable from this value, its contents included. Computed once per
        value (values are never mutated) and without recursion: contents are shared, not copied
        (``x = [x, x]`` twenty times is twenty values, not a million), and nest without bound."""
        done = self.__dict__.get(_ALL)
        if done is not None:
            return done
        stack: list[tuple[Val, bool]] = [(self, False)]
        while stack:
            value, expanded = stack.pop()
            if _ALL in value.__dict__:
                continue
            parts = value._contents()
            if not expanded:
                stack.append((value, True))
                stack.extend((v, False) for v in parts if _ALL not in v.__dict__)
                continue
            found = set(value.taints) | value.extra
            for v in parts:
                found |= v.__dict__[_ALL]
            object.__setattr__(value, _ALL, frozenset(found))
        return self.__dict__[_ALL]

    def hopped(self) -> Val:
        """What unknown code returns from this value: its text, and each origin one call further
        (Taint.hop). Once per value: a value passed to many calls is not hopped at each."""
        done = self.__dict__.get(_HOPPED)
        if done is None:
            done = Val(taints=frozenset(t.hop() for t in self.all_taints()), text=self.text, built=self.built)
            object.__setattr__(self, _HOPPED, done)
        return done

    def _contents(self) -> list[Val]:
        if self.kind.startswith(CAPTURING):  # what a lambda keeps is read only where it is called
            return []
        return [v for _, v in self.fields or ()] + list(self.items or ())

    def get_field(self, key: object) -> Val | None:
        if self.fields is None:
            return None
        for k, v in self.fields:
            if k == key:
                return v
        return None


UNKNOWN = Val()
#: The kind of a lambda (pyflow.LAMBDA): its fields are the values its free names held where it
#: was made, none of them in the lambda itself (a sort key reading input is no input).
CAPTURING = "lambda:"


def const(value: object) -> Val:
    text = value if isinstance(value, str) else ""
    return Val(const=value, text=text[:TEXT_KEPT], literal=True)


def tainted(taints: frozenset[Taint], **kw) -> Val:
    return Val(taints=taints, **kw)


def merge(values: list[Val] | tuple[Val, ...], *, built: bool = False, kind: str = "") -> Val:
    """The value of something computed from values (a concatenation, an unknown call): every
    origin of every part, their literal text, and no constant."""
    taints: set[Taint] = set()
    text = []
    was_built = built
    literal = True
    for v in values:
        taints |= v.all_taints()
        if v.text:
            text.append(v.text)
        was_built = was_built or v.built
        literal = literal and v.literal
    joined = "".join(text)[:TEXT_KEPT]
    return Val(taints=frozenset(taints), built=was_built, text=joined, kind=kind, literal=literal)


def join(a: Val, b: Val) -> Val:
    """What a value may be after two paths meet: either."""
    if a is b or a == b:
        return a
    fields = None
    if a.fields is not None and b.fields is not None:
        keys = [k for k, _ in a.fields] + [k for k, _ in b.fields if a.get_field(k) is None]
        fields = tuple(
            (k, join(a.get_field(k) or UNKNOWN, b.get_field(k) or UNKNOWN)) for k in keys[:ITEMS_KEPT]
        )
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items, strict=True))
    extra = a.extra | b.extra
    if a.items is not None and items is None:
        extra |= frozenset().union(*(v.all_taints() for v in a.items))
    if b.items is not None and items is None:
        extra |= frozenset().union(*(v.all_taints() for v in b.items))
    return Val(
        taints=a.taints | b.taints,
        const=a.const if a.known and b.known and a.const == b.const else NOCONST,
        built=a.built or b.built,
        text=(a.text if len(a.text) >= len(b.text) else b.text),
        fields=fields,
        items=items,
        kind=a.kind if a.kind == b.kind else (a.kind or b.kind),
        flags=a.flags | b.flags,
        origin=a.origin if a.origin == b.origin else "",
        is_dict=a.is_dict and b.is_dict,
        extra=extra,
        literal=a.literal and b.literal,
    )


def cleared(v: Val, cwes: frozenset[int]) -> Val:
    """v with every origin cleaned of cwes (a sanitiser's result, or after a check)."""
    if not cwes:
        return v
    return replace(
        v,
        taints=frozenset(t.clear(cwes) for t in v.taints),
        extra=frozenset(t.clear(cwes) for t in v.extra),
        fields=None if v.fields is None else tuple((k, cleared(x, cwes)) for k, x in v.fields),
        items=None if v.items is None else tuple(cleared(x, cwes) for x in v.items),
    )


def with_taints(v: Val, taints: frozenset[Taint]) -> Val:
    return replace(v, taints=v.taints | taints) if taints else v


def list_of(items: list[Val]) -> Val:
    if len(items) > ITEMS_KEPT:
        return Val(extra=merge(items).taints)
    return Val(items=tuple(items))


def dict_of(pairs: list[tuple[object, Val]], extra: frozenset[Taint] = frozenset()) -> Val:
    return Val(fields=tuple(pairs[:ITEMS_KEPT]), is_dict=True, extra=extra)


def deleted(base: Val, key: Val | None) -> Val:
    """A tracked list or dict after ``del base[key]`` (key None: a slice): one item or field less
    when the key is a constant; else the list's items are no longer in known places."""
    if key is not None and key.known:
        if (
            base.items is not None
            and isinstance(key.const, int)
            and -len(base.items) <= key.const < len(base.items)
        ):
            items = list(base.items)
            del items[key.const]
            return replace(base, items=tuple(items))
        if base.fields is not None:
            return replace(base, fields=tuple((k, v) for k, v in base.fields if k != key.const))
    if base.items is not None:
        return Val(extra=base.all_taints())
    return base  # a dict less a field not known: what it holds is among what it held


def set_field(container: Val, key: object, value: Val) -> Val:
    if container.fields is None:
        return replace(container, extra=container.extra | value.all_taints())
    kept = tuple((k, v) for k, v in container.fields if k != key)
    if len(kept) >= ITEMS_KEPT:
        return replace(container, extra=container.extra | value.all_taints())
    return replace(container, fields=(*kept, (key, value)))
