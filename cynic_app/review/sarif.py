"""The report as SARIF 2.1.0, in the subset GitHub code scanning reads.

- One run; ``tool.driver.rules`` holds each rule a result names: id, name, short and full
  description, help (text and markdown, from docs/rules.md's entry) and ``helpUri`` to that entry,
  the default level of its kind, and tags: the kind (``security`` for security holes: GitHub files
  those as security alerts; ``defect``, ``smell``) and ``external/cwe/cwe-NNN``. A security rule's
  ``properties.security-severity`` is rules.SECURITY_SEVERITY's: how GitHub's CodeQL rates the
  same weakness (GitHub's bands: 9.0 and over critical, 7.0 high, 4.0 medium), so an alert of ours
  ranks as theirs would.
- A result's level is the kind the judge counted it as (security error, defect warning, smell
  note); its region has startLine (1 for a finding about the whole file), startColumn when known
  and endLine when the finding spans lines; where tainted input was read is a related location.
- A suppressed finding is a result with ``suppressions: [{"kind": "inSource", "justification":
  <the comment>}]``: GitHub shows it closed, not open.
- ``partialFingerprints["cynic/v1"]`` is a hash of the rule, the file's URI (relative to
  ``%SRCROOT%``, however the path was spelled on the command line), the line's text with its white
  space collapsed, and how many identical (rule, text) pairs came before in the file, counted over
  every finding of the file (with ``--diff`` too, which reports some): the same finding keeps it
  across runs, modes, and when lines above it move, so alerts do not churn.
  GitHub computes its own ``primaryLocationLineHash`` beside it.
- Paths are relative to the directory cynic ran in (``%SRCROOT%``): run it from the repository's
  top, as GitHub resolves them against the repository.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from ..judgment.ruledocs import RULE_DOCS
from ..judgment.rules import RULES, SECURITY_SEVERITY
from ..judgment.vote import DEFECT, SECURITY, SMELL
from .report import FileReport, finding_key, in_file_order
from .rulesdoc import rule_url, rules_url

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL_OF_KIND = {SECURITY: "error", DEFECT: "warning", SMELL: "note"}
FINGERPRINT = "cynic/v1"
SRCROOT = "%SRCROOT%"


def sarif(
    reports: list[FileReport], *, rules_base: str | None = None, cwd: str | None = None, run_error: str = ""
) -> dict:
    """The SARIF log of reports (paths relative to cwd, the current directory by default);
    run_error: why the run could judge nothing (a node that could not be reached)."""
    cwd = os.path.abspath(cwd or os.getcwd())
    used = sorted({f["rule"] for r in reports for f in r.findings})
    first = {}  # each rule's first finding: what a rule this client does not know is described by
    for f in (f for r in reports for f in r.findings):
        first.setdefault(f["rule"], f)
    index = {rule: i for i, rule in enumerate(used)}
    results = [result for r in reports for result in _results(r, index, cwd)]
    notifications = [
        {"level": "error", "message": {"text": f"{r.path}: {r.error}"}, "locations": [_location(r.path, cwd)]}
        for r in reports
        if r.error
    ]
    if run_error:
        notifications.insert(0, {"level": "error", "message": {"text": run_error}})
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cynic",
                        "version": _version(),
                        "informationUri": rules_url(rules_base),
                        "rules": [
                            _rule(rule, rules_base)
                            if rule in RULES and rule in RULE_DOCS
                            else _unknown_rule(rule, first[rule], rules_base)
                            for rule in used
                        ],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(cwd).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
                ],
                "results": results,
            }
        ],
    }


def _rule(rule_id: str, rules_base: str | None) -> dict:
    rule, doc = RULES[rule_id], RULE_DOCS[rule_id]
    properties: dict = {"tags": [rule.kind, f"external/cwe/cwe-{rule.cwe}"]}  # the kind: security, defect…
    if rule.kind == SECURITY:
        properties["security-severity"] = f"{SECURITY_SEVERITY[rule_id]:.1f}"
    fence = "" if doc.language == "text" else doc.language
    help_markdown = (
        f"{doc.what}\n\n**Why it matters.** {doc.why}\n\n**Bad:**\n\n```{fence}\n{doc.bad.strip()}\n```\n\n"
        f"**Fixed:**\n\n```{fence}\n{doc.good.strip()}\n```\n"
    )
    return {
        "id": rule_id,
        "name": "".join(word.capitalize() for word in rule_id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": doc.what},
        "help": {"text": f"{doc.what}\n\n{doc.why}", "markdown": help_markdown},
        "helpUri": rule_url(rule_id, rules_base),
        "defaultConfiguration": {"level": LEVEL_OF_KIND[rule.kind]},
        "properties": properties,
    }


def _unknown_rule(rule_id: str, finding: dict, rules_base: str | None) -> dict:
    """A rule a node knows and this client does not (a newer node): what its finding says of it."""
    kind = finding.get("kind")
    tags = [kind] if kind in LEVEL_OF_KIND else []
    if isinstance(finding.get("cwe"), int) and finding["cwe"] > 0:
        tags.append(f"external/cwe/cwe-{finding['cwe']}")
    return {
        "id": rule_id,
        "name": "".join(word.capitalize() for word in rule_id.split("-")),
        "shortDescription": {"text": rule_id},
        "helpUri": rule_url(rule_id, rules_base),
        "defaultConfiguration": {"level": LEVEL_OF_KIND.get(kind, "note")},
        "properties": {"tags": tags},
    }


def _results(report: FileReport, index: dict[str, int], cwd: str) -> list[dict]:
    out = []
    for i in in_file_order(report.findings):
        f = report.findings[i]
        text = report.line_texts.get(f.get("line") or 0, "")
        rule, normalised = finding_key(f, report.line_texts)
        location = _location(report.path, cwd, line=f.get("line") or 1)
        uri = location["physicalLocation"]["artifactLocation"]["uri"]  # however the path was spelled
        key = f"{rule}\0{uri}\0{normalised}\0{report.occurrences[i]}"
        region = location["physicalLocation"]["region"]
        if f.get("column"):
            region["startColumn"] = f["column"]
        if f.get("end_line") and f["end_line"] >= region["startLine"]:
            region["endLine"] = f["end_line"]
        result = {
            "ruleId": f["rule"],
            "ruleIndex": index[f["rule"]],
            "level": LEVEL_OF_KIND.get(f.get("kind"), "note"),
            "message": {"text": f["message"]},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT: _hash(key)},
            "properties": {k: f[k] for k in ("kind", "cwe", "confidence", "dog") if k in f},
        }
        if f.get("source_line") and f["source_line"] != f.get("line"):
            related = _location(report.path, cwd, line=f["source_line"])
            related["message"] = {"text": "untrusted input read here"}
            result["relatedLocations"] = [{"id": 1, **related}]
        if f.get("suppressed"):
            result["suppressions"] = [{"kind": "inSource", "justification": _justification(f, text)}]
        out.append(result)
    return out


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _location(path: str, cwd: str, *, line: int = 0) -> dict:
    absolute = os.path.abspath(path)
    relative = _relative(absolute, cwd)
    if relative is None:  # outside the directory cynic ran in: an absolute URI
        artifact = {"uri": Path(absolute).as_uri()}
    else:  # a name that is not UTF-8 keeps its bytes: %FF
        artifact = {"uri": quote(Path(relative).as_posix(), errors="surrogateescape"), "uriBaseId": SRCROOT}
    physical: dict = {"artifactLocation": artifact}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _relative(absolute: str, cwd: str) -> str | None:
    """absolute relative to cwd, else None when it is outside. Its directory is also tried resolved,
    as os.getcwd() is: a path spelled through a symbolic link to the directory cynic ran in
    ($PWD/app.py when $PWD is a link) is inside it."""
    resolved = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    for candidate, base in ((absolute, cwd), (resolved, os.path.realpath(cwd))):
        relative = os.path.relpath(candidate, base)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):  # "..x.py" is inside
            return relative
    return None


def _justification(finding: dict, line_text: str) -> str:
    """The suppressing comment as written on the line, else its kind."""
    word = finding["suppressed"].split(":")[0]  # "nosec", "noqa", "cynic", "nosemgrep"
    at = line_text.lower().find(word)
    opener = max(line_text.rfind("#", 0, at), line_text.rfind("//", 0, at)) if at >= 0 else -1
    return line_text[opener:].strip() if opener >= 0 else f"{finding['suppressed']} comment"


def _version() -> str:
    try:
        return version("cynic_app")
    except PackageNotFoundError:
        return "0"
