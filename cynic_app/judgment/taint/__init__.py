"""Taint analysis: untrusted data followed from where it enters to where it does harm.

Knowledge is data, the engine is generic (semgrep's taint mode and CodeQL's data-flow libraries
are the models): spec.py says what a source, sink, sanitiser, object kind or flag can say;
python.py lists them for Python and its frameworks, per CWE; pyflow.py and pyexprs.py walk a
module with them. A finding names its rule (and so its CWE), the sink's line and the line the
data came from; its confidence says how the data is known to be untrusted (a request or the
command line: high; a file or cache, for deserialisers: lower; a public function's parameter
built into a command or query: lower still).
"""

from __future__ import annotations

import ast

from ..rules import hit
from ..vote import Finding
from .pyflow import taint_hits
from .python import PYTHON


def python_taint_findings(tree: ast.Module, aliases: dict[str, str] | None = None) -> list[Finding]:
    """Every flow of untrusted data into a sink in a Python module, as findings, by line
    (aliases: the module's imports, {local name: qualified name}, when already read)."""
    return [
        hit(h.rule, h.line, h.message, confidence=h.confidence, column=h.column, source_line=h.source_line)
        for h in taint_hits(tree, PYTHON, aliases)
    ]
