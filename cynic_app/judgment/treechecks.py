"""The checks of languages read from a tree-sitter tree (tsparse.py): JavaScript and TypeScript
(jschecks.py) and shell (shchecks.py), run once per Source; findings.py splits them into dangers
and hygiene like the Python checks'."""

from __future__ import annotations

from .jschecks import js_findings
from .shchecks import sh_findings
from .source import SHELL, Source
from .vote import Finding


def tree_findings(src: Source) -> list[Finding]:
    """Every finding of the content's tree; [] for content no tree-sitter grammar reads."""
    return src.memo("tree", _tree_findings)


def _tree_findings(src: Source) -> list[Finding]:
    tree = src.syntax_tree
    if tree is None:
        return []
    return sh_findings(tree.root_node) if src.language == SHELL else js_findings(tree.root_node)
