"""The field's analyzers, where they beat the hand-written checks (docs/judgment.md has the
measurements). Only pyflakes earned its place: it alone finds undefined names and unused
imports and variables. It runs on the tree the Source already parsed, and only at MACRO,
because it costs about as much as the whole MICRO judgment (0.7 ms for 3 KB, 2.3 ms for 20 KB).
bandit (lower recall, more false positives, 5–10× the cost) and radon (the same McCabe numbers
the one walk already counts) were measured and left out.
"""

from __future__ import annotations

import ast

from pyflakes import checker, messages

from .pyexpr import depth_within
from .rules import hit
from .source import Source
from .vote import Finding

#: pyflakes recurses about three frames per tree level: deeper trees would exhaust the stack.
PYFLAKES_MAX_DEPTH = 100
#: pyflakes compares each binding of a name with the scope's earlier ones (Checker.differentForks
#: walks the alternatives of their fork): quadratic, ~2.5 s for one name bound in 1,600 match cases.
PYFLAKES_MAX_BINDINGS = 300
#: The walk counts only names stored by assignment; a name bound by def, class, import or a match
#: capture, or 299 stores through a long if, reaches differentForks all the same (23 s for one
#: name defined 9,000 times in one if). So the statements it compares a binding with
#: (descendantOf's alternatives, each a walk up a tree at most PYFLAKES_MAX_DEPTH deep) are
#: counted too: past this many (a few tenths of a second at worst; no module of Python 3.13's
#: standard library compares more than 940), pyflakes stops and the module is reported not
#: analysed. The count is a function of the tree alone, so the same content always gets the same
#: findings.
PYFLAKES_MAX_COMPARISONS = 10_000
_RULE_OF = {
    messages.UndefinedName: "undefined-name",
    messages.UnusedImport: "unused-import",
    messages.UnusedVariable: "unused-variable",
    messages.RedefinedWhileUnused: "redefined-function",
}


def pyflakes_findings(src: Source) -> list[Finding]:
    """pyflakes' findings on the shared tree, in line order (none for content that is not Python)."""
    return src.memo("pyflakes", _pyflakes)


def _pyflakes(src: Source) -> list[Finding]:
    if src.tree is None:
        return []
    if src.py.max_node_depth > PYFLAKES_MAX_DEPTH:
        line, depth = src.py.deepest_node_line, src.py.max_node_depth
        return [hit("deep-expression", line, f"expression nested {depth} deep: not analysed by pyflakes")]
    count, name, line = src.py.most_bindings
    if count > PYFLAKES_MAX_BINDINGS:
        return [
            hit(
                "many-bindings",
                line,
                f"'{name}' is bound {count} times in one scope: not analysed by pyflakes",
            )
        ]
    try:
        reported = _Bounded(src.tree, filename="<cell>").messages
    except _TooCostly as exc:
        return [hit("many-bindings", exc.line, f"{exc}: not analysed by pyflakes")]
    except _TooDeep as exc:
        return [hit("deep-expression", exc.line, f"{exc}: not analysed by pyflakes")]
    except RecursionError:  # a recursion no bound above foresaw: reported, not raised (a 500)
        return [hit("deep-expression", 1, "too deep for pyflakes: not analysed")]
    found = []
    exported = _explicit_re_exports(src.tree)
    for m in reported:
        rule = _RULE_OF.get(type(m))
        if rule == "unused-import" and m.lineno in exported:
            continue
        if rule is not None:
            found.append(hit(rule, m.lineno, m.message % m.message_args))
    return sorted(found, key=lambda f: (f.line, f.rule))


class _TooDeep(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class _TooCostly(_TooDeep):
    pass


class _Bounded(checker.Checker):
    """pyflakes with its costly paths bounded, each by a count of the tree (never by a clock):

    - a string annotation (which pyflakes parses into a tree of its own, below the depth the
      walk measured) nested deeper than PYFLAKES_MAX_DEPTH;
    - more than PYFLAKES_MAX_COMPARISONS statements compared with bindings (``descendantOf``);
    - no duplicate-key check of dict literals: it compares every key with every duplicated one
      (quadratic) and reports messages this module does not use.
    """

    _compared = 0

    def descendantOf(self, node, ancestors, stop):  # noqa: N802 (pyflakes' name)
        self._compared += len(ancestors)
        if self._compared > PYFLAKES_MAX_COMPARISONS:
            raise _TooCostly("names bound too often in one scope", getattr(node, "lineno", 0))
        return super().descendantOf(node, ancestors, stop)

    def handleStringAnnotation(self, s, node, ref_lineno, ref_col_offset):  # noqa: N802
        if len(s) > PYFLAKES_MAX_DEPTH:  # a shorter one cannot nest deeper
            too_deep = _TooDeep(f"string annotation nested over {PYFLAKES_MAX_DEPTH} deep", ref_lineno)
            try:
                parsed = ast.parse(s)
            except (SyntaxError, ValueError):
                parsed = None  # pyflakes reports what it cannot parse, and goes no deeper
            except (RecursionError, MemoryError) as exc:
                raise too_deep from exc
            if parsed is not None and not depth_within(parsed, PYFLAKES_MAX_DEPTH):
                raise too_deep
        super().handleStringAnnotation(s, node, ref_lineno, ref_col_offset)

    def DICT(self, node):  # noqa: N802
        for key, value in checker.iter_dict_children(node):
            self.handleNode(key, node)
            self.handleNode(value, node)


def _explicit_re_exports(tree) -> set[int]:
    """Lines of top-level imports that re-export a name explicitly, ``from .exc import A as A``
    (PEP 484's idiom, honoured by mypy and ruff's F401): such a name is meant for importers."""
    return {
        s.lineno
        for s in tree.body
        if isinstance(s, (ast.Import, ast.ImportFrom)) and all(a.asname == a.name for a in s.names)
    }
