"""The layers of cynic_app import only downwards: docs/architecture.md draws the map, this holds it.

From the bottom: judgment/ (pure) and record.py; durability/ (bytes and files, no SQL) and store/
(SQL, no files); service/ (the write path); node/ (a node's life); api/ (HTTP); and the entry
points that assemble them (create_app, cli, gunicorn_conf, wsgi, worker).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cynic_app"

#: What each part MUST NOT import (our modules by dotted prefix, or third-party packages).
FORBIDDEN = {
    "judgment": ("cynic_app.", "flask", "psycopg"),  # but cynic_app.judgment itself
    "record": ("cynic_app.", "flask", "psycopg"),
    "durability": (
        "cynic_app.store",
        "cynic_app.service",
        "cynic_app.node",
        "cynic_app.api",
        "cynic_app.config",
        "psycopg",
        "flask",
    ),
    "store": ("cynic_app.durability", "cynic_app.service", "cynic_app.node", "cynic_app.api", "flask"),
    "service": ("cynic_app.node", "cynic_app.api", "cynic_app.config", "flask"),
    "node": ("cynic_app.api", "cynic_app.cli", "cynic_app.gunicorn_conf", "cynic_app.wsgi", "flask"),
    "api": ("cynic_app.cli", "cynic_app.gunicorn_conf", "cynic_app.wsgi", "cynic_app.worker"),
}


def imports_of(path: Path) -> set[str]:
    """The absolute names a module imports (relative imports resolved)."""
    module = "cynic_app." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            name = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


def files_of(part: str) -> list[Path]:
    target = PACKAGE / part
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_each_part_imports_only_downwards(part):
    own = f"cynic_app.{part}"
    wrong = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in files_of(part)
        for name in sorted(imports_of(path))
        if not name.startswith(own)
        and any(name == bad.rstrip(".") or name.startswith(bad.rstrip(".") + ".") for bad in FORBIDDEN[part])
    ]
    assert wrong == []
