"""Every rule the pack applies, stated once: its id, kind, severity, CWE, title, and the ids other
tools give the same check (so their suppression comments are honoured).

A finding names its rule; the rule decides what the finding costs (severity, the share of its
dog's score lost), what it means for the verdict (kind: SECURITY vetoes, DEFECT caps at GROWL,
SMELL only lowers a score; see engine.py for how confidence and the share of a file a finding
concerns temper that), and which weakness it is (cwe, an integer from MITRE's list). ``taste``
marks matters of taste (length, complexity, nesting, arguments): in a whole file they cost in
proportion to the share of the file they concern. Checks live in the modules named by what they
read; none of them restates a severity or a CWE.
"""

# ruff: noqa: E501 -- one rule per line reads as a table
from __future__ import annotations

from typing import NamedTuple

from .vote import DEFECT, SECURITY, SMELL, Finding


class Rule(NamedTuple):
    kind: str
    severity: float
    cwe: int
    title: str
    codes: tuple[str, ...] = ()  # bandit test ids and ruff codes of the same check
    taste: bool = False


_BANDIT_SHELL = ("B602", "B604", "B605", "B609", "B601", "S602", "S604", "S605", "S609", "S601")

#: id -> Rule. Grouped by kind; ids are stable: clients may filter on them.
RULES: dict[str, Rule] = {
    # Security holes: GUARDIAN vetoes on any of them (when confident enough: engine.py).
    "hardcoded-secret": Rule(SECURITY, 0.6, 798, "Hard-coded credential", ("B105", "B106", "B107", "S105", "S106", "S107")),
    "secret-in-url": Rule(SECURITY, 0.6, 798, "Credential inside a URL"),
    "embedded-key": Rule(SECURITY, 0.65, 798, "Private or cloud key in the code"),
    "sql-injection": Rule(SECURITY, 0.7, 89, "SQL built from untrusted input", ("B608", "S608", "B610", "B611", "S610", "S611")),
    "shell-injection": Rule(SECURITY, 0.65, 78, "OS command built from untrusted input", _BANDIT_SHELL),
    "code-injection": Rule(SECURITY, 0.7, 94, "Untrusted input run as code", ("B307", "B102", "S307", "S102")),
    "path-traversal": Rule(SECURITY, 0.6, 22, "File path from untrusted input", ("B202", "S202")),
    "xpath-injection": Rule(SECURITY, 0.6, 643, "XPath query built from untrusted input"),
    "ldap-injection": Rule(SECURITY, 0.6, 90, "LDAP filter built from untrusted input"),
    "open-redirect": Rule(SECURITY, 0.5, 601, "Redirect to a URL from untrusted input"),
    "trust-boundary": Rule(SECURITY, 0.45, 501, "Untrusted input stored in the session"),
    "ssrf": Rule(SECURITY, 0.55, 918, "Request to a URL from untrusted input", ("B310", "S310")),
    "nosql-injection": Rule(SECURITY, 0.6, 943, "NoSQL query operators from untrusted input"),
    "regex-injection": Rule(SECURITY, 0.45, 1333, "Regular expression from untrusted input"),
    "unsafe-reflection": Rule(SECURITY, 0.55, 470, "Module or class chosen by untrusted input"),
    "unsafe-deserialisation": Rule(SECURITY, 0.6, 502, "Deserialising data that can run code", ("B301", "B302", "B506", "B614", "S301", "S302", "S506", "S614")),
    "xxe": Rule(SECURITY, 0.6, 611, "XML parser resolving external entities on untrusted input", tuple(f"{p}{n}" for p in "BS" for n in range(313, 321))),
    "tls-unverified": Rule(SECURITY, 0.6, 295, "TLS certificate checks turned off", ("B501", "B323", "B507", "S501", "S323", "S507")),
    "weak-password-hash": Rule(SECURITY, 0.55, 916, "Password hashed with a fast hash", ("B303", "B324", "S303", "S324")),
    "insecure-random": Rule(SECURITY, 0.55, 330, "Predictable random value used as a secret", ("B311", "S311")),
    "timing-unsafe-compare": Rule(SECURITY, 0.5, 208, "Secret compared in variable time"),
    "insecure-cookie": Rule(SECURITY, 0.4, 614, "Cookie without the Secure flag"),
    "weak-hash": Rule(SECURITY, 0.3, 328, "Broken hash (MD5, SHA-1) where its use is not known", ("B303", "B324", "S303", "S324")),
    "jwt-unverified": Rule(SECURITY, 0.6, 347, "JSON Web Token accepted without verifying its signature"),
    "weak-cipher": Rule(SECURITY, 0.5, 327, "Broken cipher, mode or protocol", ("B304", "B305", "B502", "B503", "B504", "S304", "S305", "S502", "S503", "S504")),
    "xss": Rule(SECURITY, 0.6, 79, "Untrusted input written into HTML", ("B308", "B703", "B704", "S308", "S704")),
    "template-injection": Rule(SECURITY, 0.65, 1336, "Template built from untrusted input", ("B701", "B702", "S701", "S702")),
    "remote-script": Rule(SECURITY, 0.65, 494, "Downloaded code run without a check"),
    "destructive-delete": Rule(SECURITY, 0.6, 20, "Recursive delete of an unchecked path"),
    "world-writable": Rule(SECURITY, 0.5, 732, "File made writable by everyone", ("B103", "S103")),
    "debug-server": Rule(SECURITY, 0.5, 489, "Interactive debugger served to the network", ("B201", "S201")),
    "prototype-pollution": Rule(SECURITY, 0.55, 1321, "Object prototype reachable through keys from untrusted input"),
    "unsafe-regex": Rule(SECURITY, 0.4, 1333, "Regular expression that can backtrack catastrophically"),
    # Defects a reviewer sends back: the judgment is capped at GROWL.
    "syntax-error": Rule(DEFECT, 0.8, 1006, "Code that does not parse"),
    "swallowed-error": Rule(DEFECT, 0.4, 390, "Error caught and dropped", ("B110", "B112", "S110", "S112", "BLE001")),
    "fire-and-forget": Rule(DEFECT, 0.35, 252, "Task started and its result dropped"),
    "breakpoint": Rule(DEFECT, 0.45, 489, "Debugger breakpoint left in", ("T100",)),
    "debug-print": Rule(DEFECT, 0.3, 489, "Debug print left in library code", ("T201", "T203")),
    "debug-mode": Rule(DEFECT, 0.3, 489, "Debug mode left on"),
    "stub": Rule(DEFECT, 0.35, 1071, "Function that does nothing"),
    "always-true-check": Rule(DEFECT, 0.4, 571, "Check that always passes"),
    "unreachable-code": Rule(DEFECT, 0.35, 561, "Code that never runs"),
    "constant-condition": Rule(DEFECT, 0.35, 570, "Condition that is always false"),
    "commented-out-code": Rule(DEFECT, 0.3, 1164, "Commented-out code", ("ERA001",)),
    "redefined-function": Rule(DEFECT, 0.35, 561, "Function defined twice, hiding the first", ("F811",)),
    "unused-private-function": Rule(SMELL, 0.3, 561, "Private function never called"),
    "undefined-name": Rule(DEFECT, 0.35, 457, "Name used but never defined", ("F821",)),
    "resource-leak": Rule(DEFECT, 0.35, 772, "Resource opened and never closed", ("SIM115",)),
    "complex-function": Rule(DEFECT, 0.35, 1121, "Function too complex to review", ("C901",), taste=True),
    "deep-nesting": Rule(DEFECT, 0.3, 1124, "Blocks nested too deep", taste=True),
    "insecure-tempfile": Rule(DEFECT, 0.35, 377, "Temporary file created unsafely", ("B306", "B108", "S306", "S108")),
    "contradiction": Rule(DEFECT, 0.4, 1006, "Assertions that contradict each other"),
    "broken-annotation": Rule(DEFECT, 0.35, 1006, "Return annotation the code breaks"),
    # Smells: they lower a score, never a verdict band on their own.
    "todo": Rule(SMELL, 0.1, 546, "TODO marker", ("FIX002", "TD002")),
    "fixme": Rule(SMELL, 0.2, 546, "FIXME/XXX/HACK marker", ("FIX001", "FIX003", "FIX004")),
    "console-log": Rule(SMELL, 0.12, 489, "console.log left in"),
    "bare-except": Rule(SMELL, 0.15, 396, "Bare except catches KeyboardInterrupt", ("E722",)),
    "shell-constant": Rule(SMELL, 0.1, 1006, "Shell used for a fixed command", ("B602", "S602")),
    "no-timeout": Rule(SMELL, 0.1, 1088, "Network call without a timeout", ("B113", "S113")),
    "moderate-complexity": Rule(SMELL, 0.15, 1121, "Function getting complex", ("C901",), taste=True),
    "many-arguments": Rule(SMELL, 0.15, 1064, "Function with many arguments", ("PLR0913",), taste=True),
    "long-function": Rule(SMELL, 0.15, 1080, "Long function", ("PLR0915",), taste=True),
    "bool-compare": Rule(SMELL, 0.08, 1006, "Comparison with True, False or None using ==", ("E711", "E712")),
    "unused-import": Rule(SMELL, 0.05, 1164, "Import never used", ("F401",)),
    "unused-variable": Rule(SMELL, 0.1, 563, "Variable assigned and never used", ("F841",)),
    "no-errexit": Rule(SMELL, 0.1, 754, "Shell script carries on after a failure"),
    "duplicate-literal": Rule(SMELL, 0.08, 1106, "Literal repeated instead of named"),
    "assert-constant": Rule(SMELL, 0.3, 1006, "Assertion of a constant"),
    "self-compare": Rule(SMELL, 0.3, 1006, "Value compared with itself", ("PLR0124",)),
    "many-imports": Rule(SMELL, 0.15, 1120, "Many imports in one unit", taste=True),
    "wildcard-import": Rule(SMELL, 0.3, 1006, "Wildcard import", ("F403",)),
    "fan-out": Rule(SMELL, 0.2, 1048, "Depends on many modules", taste=True),
    "duplicate-import": Rule(SMELL, 0.1, 1164, "Name imported twice"),
    "nesting": Rule(SMELL, 0.2, 1124, "Control flow nested deep", taste=True),
    "large-class": Rule(SMELL, 0.2, 1093, "Class with many methods", taste=True),
    "many-classes": Rule(SMELL, 0.15, 1080, "Many classes in one unit", taste=True),
    "import-time-work": Rule(SMELL, 0.1, 1006, "Work done at import time"),
    "plain-http": Rule(SMELL, 0.05, 319, "Plain-HTTP link"),
    "malformed-link": Rule(SMELL, 0.25, 1006, "Malformed link"),
    "long-lines": Rule(SMELL, 0.1, 1006, "Long lines", taste=True),
    "doubled-word": Rule(SMELL, 0.05, 1006, "Word written twice"),
    "shouting": Rule(SMELL, 0.2, 1006, "Mostly upper case"),
    "prose-contradiction": Rule(SMELL, 0.1, 1006, "Says both a thing and its opposite"),
    "deep-indentation": Rule(SMELL, 0.2, 1124, "Deep indentation", taste=True),
    "deep-expression": Rule(SMELL, 0.2, 1006, "Expression nested too deep to analyse"),
    "many-bindings": Rule(SMELL, 0.2, 1006, "One name bound too often in one scope to analyse"),
    "truncated": Rule(SMELL, 0.05, 1006, "Only the first part was judged"),
}  # fmt: skip

#: How a code-scanning service should rank each security rule's alerts, from 0.1 to 10 (SARIF's
#: ``security-severity``; GitHub: 9.0 and over critical, 7.0 high, 4.0 medium): the rating
#: GitHub's CodeQL queries give the same weakness (command injection 9.8, SQL injection 8.8, XSS
#: 6.1, insecure cookie 5.0...), so that an alert of ours ranks as theirs does. Lower for the rule
#: that says its use is not known (weak-hash: 5.0, where CodeQL's hashing of a password is 7.5).
SECURITY_SEVERITY: dict[str, float] = {
    "hardcoded-secret": 9.8, "secret-in-url": 9.8, "embedded-key": 9.8,
    "sql-injection": 8.8, "shell-injection": 9.8, "code-injection": 9.3, "path-traversal": 7.5,
    "xpath-injection": 9.8, "ldap-injection": 9.8, "open-redirect": 6.1, "trust-boundary": 8.8,
    "ssrf": 9.1, "nosql-injection": 8.8, "regex-injection": 7.5, "unsafe-reflection": 7.5,
    "unsafe-deserialisation": 9.8, "xxe": 9.1, "tls-unverified": 7.5, "weak-password-hash": 7.5,
    "insecure-random": 7.8, "timing-unsafe-compare": 5.9, "insecure-cookie": 5.0, "weak-hash": 5.0,
    "jwt-unverified": 7.0, "weak-cipher": 7.5, "xss": 6.1, "template-injection": 9.3,
    "remote-script": 8.1, "destructive-delete": 7.5, "world-writable": 7.8, "debug-server": 7.5,
    "prototype-pollution": 6.1, "unsafe-regex": 7.5,
}  # fmt: skip


class UnknownRule(KeyError):
    """A check named a rule that is not in RULES."""


def hit(
    rule: str,
    line: int,
    message: str,
    *,
    severity: float | None = None,
    confidence: float = 0.9,
    column: int = 0,
    end_line: int = 0,
    source_line: int = 0,
) -> Finding:
    """A finding of rule at line; severity overrides the rule's only where a check grades it.
    confidence in (0, 1] says how sure the check is that this is what the rule describes."""
    try:
        r = RULES[rule]
    except KeyError:
        raise UnknownRule(rule) from None
    return Finding(
        r.severity if severity is None else severity,
        message,
        rule,
        line,
        r.kind,
        cwe=r.cwe,
        confidence=confidence,
        column=column,
        end_line=end_line,
        source_line=source_line,
    )
