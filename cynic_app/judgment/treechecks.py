"""The checks of languages read from a tree-sitter tree (tsparse.py): JavaScript and TypeScript
(jschecks.py) and shell (shchecks.py), run once per Source; findings.py splits them into dangers
and hygiene like the Python checks'."""

from __future__ import annotations

from .jschecks import js_findings
from .rules import hit
from .shchecks import sh_findings
from .source import SHELL, Source
from .tsparse import MAX_SYNTAX_FINDINGS
from .vote import Finding


def tree_findings(src: Source) -> list[Finding]:
    """Every finding of the content's tree; [] for content no tree-sitter grammar reads."""
    return src.memo("tree", _tree_findings)


def _tree_findings(src: Source) -> list[Finding]:
    parsed = src.syntax_tree
    if parsed is None:
        return []
    found = [
        hit("syntax-error", line, "cannot parse this line; what follows it is read without it")
        for line in parsed.skipped[:MAX_SYNTAX_FINDINGS]
    ]
    root = parsed.root_node
    return found + (sh_findings(root) if src.language == SHELL else js_findings(root))
