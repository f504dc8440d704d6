"""eslint-plugin-security, the linter Node users reach for, run on JavaScript and TypeScript the
way its users run it: eslint with the plugin's ``recommended`` rules (TypeScript read by
``@typescript-eslint/parser``), ``--format json``.

eslint is not a Python package: it is installed with npm into a directory outside the project
(``npm install eslint@9 eslint-plugin-security @typescript-eslint/parser``) named by
``CYNIC_ESLINT_DIR``. Without it the tool is reported missing, never scored as zero. The rule ids
are mapped to CWEs below (the plugin reports none); every rule of the plugin is a security rule.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

ESLINT = "eslint-security"
ESLINT_DIR_VARIABLE = "CYNIC_ESLINT_DIR"
JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"})
#: eslint-plugin-security rule -> CWE (the weakness each rule looks for, as the judge files it).
ESLINT_CWE = {
    "security/detect-child-process": 78,
    "security/detect-eval-with-expression": 94,
    "security/detect-non-literal-require": 94,
    "security/detect-non-literal-fs-filename": 22,
    "security/detect-non-literal-regexp": 1333,
    "security/detect-unsafe-regex": 1333,
    "security/detect-object-injection": 1321,
    "security/detect-possible-timing-attacks": 208,
    "security/detect-pseudoRandomBytes": 330,
    "security/detect-no-csrf-before-method-override": 352,
    "security/detect-disable-mustache-escape": 79,
    "security/detect-buffer-noassert": 119,
    "security/detect-new-buffer": 119,
    "security/detect-bidi-characters": 451,
    "security/detect-invisible-characters": 451,
}
_CONFIG = """\
const found = (name) => require(require.resolve(name, {{ paths: [{base}] }}));
const security = found("eslint-plugin-security");
const tsParser = found("@typescript-eslint/parser");
module.exports = [
  {{ files: ["**/*.{{js,mjs,cjs,jsx}}"], languageOptions: {{ ecmaVersion: "latest", sourceType: "module",
     parserOptions: {{ ecmaFeatures: {{ jsx: true }} }} }}, ...security.configs.recommended }},
  {{ files: ["**/*.{{ts,tsx,mts,cts}}"], languageOptions: {{ parser: tsParser,
     parserOptions: {{ ecmaFeatures: {{ jsx: true }} }} }}, ...security.configs.recommended }},
];
"""


def eslint_dir() -> Path:
    """Where eslint and the plugin are installed; ToolMissing when they are not."""
    from .tools import ToolMissing

    given = os.environ.get(ESLINT_DIR_VARIABLE, "")
    where = Path(given) if given else None
    needed = (
        "node_modules/.bin/eslint",
        "node_modules/eslint-plugin-security",
        "node_modules/@typescript-eslint/parser",
    )
    if where is None or not all((where / n).exists() for n in needed):
        raise ToolMissing(
            "eslint-plugin-security is not installed: run `npm install eslint@9 eslint-plugin-security "
            "@typescript-eslint/parser` in a directory outside the project and set "
            f"{ESLINT_DIR_VARIABLE} to it"
        )
    return where


def run_eslint(paths: list[Path]) -> dict:
    """{path: FileResult} for every path; files eslint does not read have no findings."""
    from .tools import FileResult, ToolFinding, _in_batches, _spread_time

    where = eslint_dir()
    results = {p: FileResult() for p in paths}
    js = [p for p in paths if p.suffix in JS_SUFFIXES]
    modules = where / "node_modules"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cynic-eslint-") as tmp:
        config = Path(tmp) / "eslint.config.cjs"
        config.write_text(_CONFIG.format(base=json.dumps(str(where))))
        for batch in _in_batches(js, 200):
            done = subprocess.run(
                [str(modules / ".bin/eslint"), "-c", str(config), "--format", "json",
                 "--no-warn-ignored", "--no-error-on-unmatched-pattern", *map(str, batch)],
                capture_output=True, text=True, cwd="/", check=False,
            )  # fmt: skip
            if done.returncode not in (0, 1):  # 1: problems found; anything else: eslint failed
                raise RuntimeError(f"eslint failed ({done.returncode}): {done.stderr.strip()[:500]}")
            for report in json.loads(done.stdout or "[]"):
                found = results[Path(report["filePath"])].findings
                for m in report.get("messages", []):
                    rule = m.get("ruleId") or ""
                    if rule.startswith("security/"):
                        found.append(ToolFinding(m.get("line", 0), ESLINT_CWE.get(rule, 0), rule, True))
    _spread_time(results, js, started)
    return results
