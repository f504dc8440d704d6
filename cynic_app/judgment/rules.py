"""Every rule the pack applies, stated once: its id, kind and severity.

A finding names its rule; the rule decides what the finding costs (severity, the share of its
dog's score lost) and what it means for the verdict (kind: SECURITY vetoes, DEFECT caps at
GROWL, SMELL only lowers a score). Checks live in the modules named by what they read
(pychecks.py, pysecurity.py, textchecks.py); none of them restates a severity.
"""

from __future__ import annotations

from .vote import DEFECT, SECURITY, SMELL, Finding

#: id -> (kind, severity). Grouped by kind; ids are stable: clients may filter on them.
RULES: dict[str, tuple[str, float]] = {
    # Security holes: GUARDIAN vetoes on any of them.
    "hardcoded-secret": (SECURITY, 0.6),
    "secret-in-url": (SECURITY, 0.6),
    "embedded-key": (SECURITY, 0.65),
    "sql-injection": (SECURITY, 0.7),
    "shell-injection": (SECURITY, 0.65),
    "code-injection": (SECURITY, 0.7),
    "unsafe-deserialisation": (SECURITY, 0.6),
    "tls-unverified": (SECURITY, 0.6),
    "weak-password-hash": (SECURITY, 0.55),
    "insecure-random": (SECURITY, 0.55),
    "timing-unsafe-compare": (SECURITY, 0.5),
    "xss": (SECURITY, 0.6),
    "template-injection": (SECURITY, 0.65),
    "remote-script": (SECURITY, 0.65),
    "destructive-delete": (SECURITY, 0.6),
    "world-writable": (SECURITY, 0.5),
    "debug-server": (SECURITY, 0.5),
    # Defects a reviewer sends back: the judgment is capped at GROWL.
    "syntax-error": (DEFECT, 0.8),
    "swallowed-error": (DEFECT, 0.4),
    "fire-and-forget": (DEFECT, 0.35),
    "breakpoint": (DEFECT, 0.45),
    "debug-print": (DEFECT, 0.3),
    "debug-mode": (DEFECT, 0.3),
    "stub": (DEFECT, 0.35),
    "always-true-check": (DEFECT, 0.4),
    "unreachable-code": (DEFECT, 0.35),
    "constant-condition": (DEFECT, 0.35),
    "commented-out-code": (DEFECT, 0.3),
    "redefined-function": (DEFECT, 0.35),
    "unused-private-function": (DEFECT, 0.3),
    "undefined-name": (DEFECT, 0.35),
    "resource-leak": (DEFECT, 0.35),
    "complex-function": (DEFECT, 0.35),
    "deep-nesting": (DEFECT, 0.3),
    "insecure-tempfile": (DEFECT, 0.35),
    "contradiction": (DEFECT, 0.4),
    "broken-annotation": (DEFECT, 0.35),
    # Smells: they lower a score, never a verdict band on their own.
    "todo": (SMELL, 0.1),
    "fixme": (SMELL, 0.2),
    "console-log": (SMELL, 0.12),
    "bare-except": (SMELL, 0.15),
    "shell-constant": (SMELL, 0.1),
    "weak-hash": (SMELL, 0.1),
    "no-timeout": (SMELL, 0.1),
    "moderate-complexity": (SMELL, 0.15),
    "many-arguments": (SMELL, 0.15),
    "long-function": (SMELL, 0.15),
    "bool-compare": (SMELL, 0.08),
    "unused-import": (SMELL, 0.05),
    "unused-variable": (SMELL, 0.1),
    "ignored-failure": (SMELL, 0.1),
    "no-errexit": (SMELL, 0.1),
    "duplicate-literal": (SMELL, 0.08),
    "assert-constant": (SMELL, 0.3),
    "self-compare": (SMELL, 0.3),
    "many-imports": (SMELL, 0.15),
    "wildcard-import": (SMELL, 0.3),
    "relative-import": (SMELL, 0.05),
    "fan-out": (SMELL, 0.2),
    "duplicate-import": (SMELL, 0.1),
    "nesting": (SMELL, 0.2),
    "large-class": (SMELL, 0.2),
    "many-classes": (SMELL, 0.15),
    "import-time-work": (SMELL, 0.1),
    "plain-http": (SMELL, 0.05),
    "malformed-link": (SMELL, 0.25),
    "long-lines": (SMELL, 0.1),
    "doubled-word": (SMELL, 0.05),
    "shouting": (SMELL, 0.2),
    "prose-contradiction": (SMELL, 0.1),
    "deep-indentation": (SMELL, 0.2),
    "deep-expression": (SMELL, 0.2),
}


class UnknownRule(KeyError):
    """A check named a rule that is not in RULES."""


def hit(rule: str, line: int, message: str, *, severity: float | None = None) -> Finding:
    """A finding of rule at line; severity overrides the rule's only where a check grades it."""
    try:
        kind, default = RULES[rule]
    except KeyError:
        raise UnknownRule(rule) from None
    return Finding(default if severity is None else severity, message, rule, line, kind)


def kind_of(rule: str) -> str:
    return RULES[rule][0]
