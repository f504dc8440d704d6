"""What is wrong in a piece of content: the findings several dogs and the axioms share.

Dogs decide what a finding means for their vote; this module only finds. Each function takes
a Source and is pure, so results are memoised on the Source (``src.memo``).
"""

from __future__ import annotations

import ast
import re

from .source import Source
from .vote import Finding

_UNTRUSTED = ("input", "request", "argv", "stdin", "environ", "params", "args", "form", "data")
_SECRET_NAME_RE = re.compile(
    r"(pass(word|wd)?|pwd|secret|token|api_?key|access_?key|private_?key|auth_?key|credential)",
    re.I,
)
_PLACEHOLDER_RE = re.compile(r"^(|x+|\*+|<[^>]*>|\$\{?\w+\}?|%\(\w+\)s|\{\w*\}|none|null|your[-_ ].*)$", re.I)
_KEY_PATTERNS = re.compile(
    r"(AKIA[0-9A-Z]{16}|-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----|ghp_[A-Za-z0-9]{36}"
    r"|sk_live_[A-Za-z0-9]{16,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})"
)
_TEXT_SECRET_RE = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key)\s*[:=]\s*[\"'][^\"'\s]{4,}[\"']", re.I
)
#: (kind, pattern, severity, reason) for content of any language; a kind is reported once.
_TEXT_RULES = (
    ("eval", r"(?<![.\w])(eval|exec)\s*\(", 0.55, "evaluates dynamic code (eval/exec)"),
    ("shell", r"shell\s*=\s*True", 0.6, "runs a shell with shell=True"),
    (
        "rm",
        r"(?i)\brm\s+-(?:[a-z]*r[a-z]*f|[a-z]*f[a-z]*r)\b",
        0.6,
        "contains a recursive forced delete (rm -rf)",
    ),
    (
        "tls",
        r"verify\s*=\s*False|CERT_NONE|_create_unverified_context|check_hostname\s*=\s*False"
        r"|rejectUnauthorized\s*:\s*false|InsecureSkipVerify\s*:\s*true",
        0.55,
        "disables TLS certificate verification",
    ),
    (
        "sql",
        r"(?i)(execute|query|raw)\s*\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\+|\.format))",
        0.65,
        "builds SQL by string formatting (injection)",
    ),
    (
        "deser",
        r"\b(pickle|cPickle|marshal|dill|jsonpickle)\.(loads?|decode)\s*\(",
        0.55,
        "deserialises untrusted data unsafely",
    ),
    ("deser", r"\byaml\.load\s*\((?![^)]*Safe)", 0.55, "yaml.load without a safe loader"),
    (
        "xss",
        r"\.innerHTML\s*=|document\.write\s*\(|dangerouslySetInnerHTML",
        0.5,
        "writes raw HTML into the page (XSS)",
    ),
    ("shell", r"child_process\.exec\s*\(|\bos\.system\s*\(|\bos\.popen\s*\(", 0.5, "runs a shell command"),
    ("chmod", r"chmod\s+(-R\s+)?0?777|0o777", 0.35, "makes files world-writable"),
    ("hash", r"(?i)\bhashlib\.(md5|sha1)\s*\(|\bMD5\s*\(", 0.2, "uses a broken hash (MD5/SHA-1)"),
    ("mktemp", r"\btempfile\.mktemp\s*\(", 0.3, "uses tempfile.mktemp (race)"),
    ("debug", r"\.run\s*\([^)]*debug\s*=\s*True", 0.4, "runs a server with the debugger on"),
)
_TEXT_RULES = tuple((kind, re.compile(pattern), sev, why) for kind, pattern, sev, why in _TEXT_RULES)
#: Kinds the AST decides precisely for Python; the text rules would only add false alarms.
_AST_KINDS = ("eval", "sql", "deser", "shell")


def _untrusted(call) -> bool:
    return any(part in _UNTRUSTED for name in call.arg_names for part in name.split("."))


def _python_findings(src: Source) -> dict[str, Finding]:
    found: dict[str, Finding] = {}
    for call in src.calls:
        base = call.name.rsplit(".", 1)[-1]
        constant_arg = isinstance(call.first_arg, ast.Constant)
        if call.name in ("eval", "exec", "compile", "__import__") and not constant_arg:
            sev = 0.8 if _untrusted(call) else 0.55
            found.setdefault("eval", Finding(sev, f"line {call.lineno}: {call.name}() of dynamic input"))
        if call.keywords.get("shell") is True:
            found["shell"] = Finding(0.6, f"line {call.lineno}: subprocess with shell=True")
        if call.name in ("os.system", "os.popen", "commands.getoutput") and not constant_arg:
            found["shell"] = Finding(0.6, f"line {call.lineno}: {call.name}() of a built string")
        if base in ("execute", "executemany", "executescript", "raw", "text") and _formatted(call.first_arg):
            found["sql"] = Finding(0.7, f"line {call.lineno}: SQL built by string formatting")
        if call.keywords.get("verify") is False:
            found["tls"] = Finding(0.55, f"line {call.lineno}: TLS verification disabled")
        if call.name.endswith(("pickle.loads", "pickle.load", "marshal.loads", "dill.loads")):
            found["deser"] = Finding(0.55, f"line {call.lineno}: {call.name}() of untrusted data")
        if call.name == "yaml.load" and "Safe" not in ast.dump(
            call.keywords.get("Loader", ast.Constant(None))
        ):
            found["deser"] = Finding(0.55, f"line {call.lineno}: yaml.load without SafeLoader")
    return found


def _formatted(node) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(node))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    return False


def secret_findings(src: Source) -> list[Finding]:
    """Hard-coded credentials: shared with DEPLOYER and SCOUT's view of the same flaw."""
    found = []
    for name, value, line in src.assigned_strings:
        if _SECRET_NAME_RE.search(name) and not _PLACEHOLDER_RE.match(value.strip()) and len(value) >= 4:
            found.append(Finding(0.6, f"line {line}: hard-coded credential in {name}"))
    if not src.is_python:
        found += [Finding(0.6, "hard-coded credential") for _ in _TEXT_SECRET_RE.finditer(src.text)][:1]
    found += [Finding(0.65, "embedded private key or cloud key") for _ in _KEY_PATTERNS.finditer(src.text)][
        :1
    ]
    return sorted(found, key=lambda f: -f.severity)[:2]  # the worst two; adding one never lowers it


def dangers(src: Source) -> list[Finding]:
    """Every security danger in the content, each kind once."""
    found = _python_findings(src) if src.is_python else {}
    for kind, pattern, severity, reason in _TEXT_RULES:
        if src.is_python and kind in _AST_KINDS:
            continue
        if kind not in found and pattern.search(src.text):
            found[kind] = Finding(severity, reason)
    return [*found.values(), *secret_findings(src)]


_TODO_RE = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_BREAK_RE = re.compile(r"\b(breakpoint\(\)|pdb\.set_trace\(\)|debugger;|import pdb)")
_CONSOLE_RE = re.compile(r"\bconsole\.(log|debug)\(")


def breakpoints(src: Source) -> bool:
    """True when a debugger breakpoint is left in."""
    return bool(_BREAK_RE.search(src.text))


def stubs(src: Source) -> int:
    """Count functions whose body does nothing (pass, ..., raise NotImplementedError)."""
    return sum(1 for f in src.functions if f.is_stub)


def debug_prints(src: Source) -> int:
    if src.is_python:
        return sum(1 for c in src.calls if c.name in ("print", "pprint", "pprint.pprint"))
    return len(_CONSOLE_RE.findall(src.text))


def todos(src: Source) -> int:
    return len(_TODO_RE.findall(src.text))


_ANNOTATION_TYPES = {
    "int": ("int",),
    "str": ("str",),
    "bool": ("bool",),
    "float": ("float", "int"),
    "bytes": ("bytes",),
    "None": ("NoneType",),
}


def contradictions(src: Source) -> list[Finding]:
    """Assertions that cannot hold and annotations the code itself breaks."""
    found: list[Finding] = []
    seen: set[str] = set()
    for node in src.asserts:
        test = node.test
        if isinstance(test, ast.Tuple) and test.elts:
            found.append(Finding(0.4, f"line {node.lineno}: assert on a tuple is always true"))
        elif isinstance(test, ast.Constant) and not test.value:
            found.append(Finding(0.3, f"line {node.lineno}: assert of a false constant"))
        text = ast.unparse(test)
        negated = text[4:] if text.startswith("not ") else f"not {text}"
        if negated in seen or f"not ({text})" in seen:
            found.append(Finding(0.5, f"line {node.lineno}: asserts both {text} and its negation"))
        seen.add(text)
        if isinstance(test, ast.Compare) and len(test.comparators) == 1:
            if ast.dump(test.left) == ast.dump(test.comparators[0]):
                found.append(Finding(0.3, f"line {node.lineno}: compares a value with itself"))
    for f in src.functions:
        expected = _ANNOTATION_TYPES.get(f.returns or "")
        if expected and any(kind not in expected for kind in f.return_kinds):
            found.append(Finding(0.35, f"{f.name}() is annotated -> {f.returns} but returns otherwise"))
    return found
