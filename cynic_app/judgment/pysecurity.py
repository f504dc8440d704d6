"""Security checks for Python, read from the one walk's facts (pywalk.py).

Each check names the line and says what is wrong in a reviewer's words. Input counts as
dynamic when it is not a literal: the checks cannot follow data across functions, so a
variable is presumed to carry input unless it was looked up in a constant table (TABLE[key]).
"""

from __future__ import annotations

import ast
import re

from .pyexpr import dotted_name, is_built_string, is_dynamic, is_literal
from .pyfacts import Call
from .pywalk import PyFacts
from .rules import hit
from .secrets import is_secret_name, looks_secret
from .vote import Finding

_UNTRUSTED = frozenset(
    {"input", "request", "argv", "stdin", "environ", "params", "args", "form", "json", "query"}
)
_EVAL = frozenset({"eval", "exec", "compile", "execfile", "__import__"})
_SHELL_CALLS = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"}
)
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "raw", "text", "query", "exec_driver_sql"})
_SQL_RE = re.compile(
    r"\b(?:SELECT\b[\s\S]*?\bFROM|INSERT\s+INTO|UPDATE\b[\s\S]*?\bSET|DELETE\s+FROM|CREATE\s+TABLE|DROP\s+TABLE)\b"
    r"|\b(?:select\b[\s\S]*?\bfrom\b[\s\S]*?\b(?:where|order|limit|join)|insert\s+into\b[\s\S]*?\bvalues"
    r"|update\s+\w+\s+set\b|delete\s+from\s+\w+)\b"
)
_PICKLERS = ("pickle", "cPickle", "_pickle", "dill", "marshal", "shelve", "jsonpickle")
_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_256",
        "sha3_512",
        "blake2b",
        "blake2s",
        "new",
    }
)
_PASSWORDISH = re.compile(r"pass(word|wd|phrase)?|pwd|\bpw\b", re.I)
_TOKENISH = re.compile(r"token|password|passwd|secret|otp|salt|nonce|session|api_?key|csrf|reset|verif", re.I)
#: Values compared in constant time: MACs, signatures, digests, and tokens that authenticate
#: (a bare "token" is too often a lexer's).
_MACISH = re.compile(
    r"signature|\bsig\b|digest|hmac|\bmac\b|secret|api_?key|password_hash|pw_hash"
    r"|(?:access|auth|api|reset|session|csrf|refresh|bearer|otp|verification)_?token",
    re.I,
)
_RANDOM = frozenset(
    {"random", "choice", "choices", "randint", "randrange", "sample", "getrandbits", "uniform"}
)


def security_findings(py: PyFacts) -> list[Finding]:
    """Every security hole the facts show, in line order."""
    found: list[Finding] = []
    for call in py.calls:
        found += _call_findings(py, call)
    found += _secret_findings(py)
    for node in py.compares:
        found += _compare_findings(node)
    for attr, line in py.attributes:
        found.append(hit("tls-unverified", line, f"{attr} turns TLS certificate checks off"))
    for name, value, line in py.bool_assignments:
        if name.endswith("check_hostname") and value is False:
            found.append(hit("tls-unverified", line, "check_hostname = False accepts any server name"))
    return sorted(found, key=lambda f: f.line)


def _call_findings(py: PyFacts, call: Call) -> list[Finding]:
    node, name, line = call.node, call.name, call.lineno
    base = name.rsplit(".", 1)[-1]
    first = node.args[0] if node.args else None
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    found = []
    if name in _EVAL and first is not None and not is_literal(first):
        source = "user input" if _untrusted(node) else "a value built at run time"
        found.append(hit("code-injection", line, f"{name}() runs {source} as code"))
    shell = kw.get("shell")
    if isinstance(shell, ast.Constant) and shell.value is True:
        if first is not None and _dynamic(py, first):
            found.append(hit("shell-injection", line, f"{name}() runs a built command through a shell"))
        else:
            found.append(hit("shell-constant", line, f"{name}() uses shell=True for a fixed command"))
    if (name in _SHELL_CALLS or base == "exec_command") and first is not None and _dynamic(py, first):
        found.append(hit("shell-injection", line, f"{name}() runs a built command through a shell"))
    found += _sql_findings(py, call, base, first)
    found += _deserialisation(name, base, node, kw, line)
    verify = kw.get("verify")
    if isinstance(verify, ast.Constant) and verify.value is False:
        found.append(hit("tls-unverified", line, f"{name}() with verify=False accepts any certificate"))
    found += _crypto_findings(call, base, node, kw)
    if base == "Markup" and first is not None and _dynamic(py, first):
        found.append(hit("xss", line, "Markup() of a built string marks user input as safe HTML"))
    if base == "render_template_string" and first is not None and _dynamic(py, first):
        found.append(hit("template-injection", line, "render_template_string() of a built template"))
    debug = kw.get("debug")
    if base == "run" and isinstance(debug, ast.Constant) and debug.value is True:
        found.append(hit("debug-server", line, f"{name}(debug=True) serves the interactive debugger"))
    if name in ("os.chmod", "chmod") and len(node.args) > 1 and _world_writable(node.args[1]):
        found.append(hit("world-writable", line, "chmod makes the file writable by everyone"))
    if name in ("tempfile.mktemp", "mktemp"):
        found.append(hit("insecure-tempfile", line, "tempfile.mktemp() races: use mkstemp()"))
    return found


def _sql_findings(py: PyFacts, call: Call, base: str, first) -> list[Finding]:
    node = call.node
    text = ""
    if is_built_string(node) or (base == "format" and isinstance(node.func, ast.Attribute)):
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id in py.known_strings:
            text = py.known_strings[receiver.id]
        elif isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
            text = receiver.value
        if text and _SQL_RE.search(text) and (node.args or node.keywords):
            return [hit("sql-injection", call.lineno, "SQL built with str.format(): use query parameters")]
    if base in _SQL_CALLS and first is not None and _built_unsafely(py, first):
        return [hit("sql-injection", call.lineno, f"{base}() of SQL built from values: use query parameters")]
    return []


def _built_unsafely(py: PyFacts, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in py.dynamic_names
    return is_built_string(node) and is_dynamic(node, py.trusted_names)


def _dynamic(py: PyFacts, node: ast.AST) -> bool:
    return is_dynamic(node, py.trusted_names)


def _untrusted(node: ast.Call) -> bool:
    for arg in node.args:
        for sub in ast.walk(arg):
            if isinstance(sub, (ast.Name, ast.Attribute)):
                if any(part in _UNTRUSTED for part in dotted_name(sub).split(".")):
                    return True
    return False


def _deserialisation(name: str, base: str, node: ast.Call, kw: dict, line: int) -> list[Finding]:
    module = name.split(".")[0]
    if module in _PICKLERS and base in ("load", "loads", "decode", "Unpickler", "open"):
        return [hit("unsafe-deserialisation", line, f"{name}() can run code hidden in its input")]
    if name in ("yaml.unsafe_load", "yaml.full_load") or (
        name in ("yaml.load", "yaml.load_all")
        and "Safe" not in dotted_name(kw.get("Loader", node.args[1] if len(node.args) > 1 else None))
    ):
        return [hit("unsafe-deserialisation", line, f"{name}() without SafeLoader can build any object")]
    if name in ("pandas.read_pickle", "pd.read_pickle", "torch.load") and "weights_only" not in kw:
        return [hit("unsafe-deserialisation", line, f"{name}() unpickles its input")]
    return []


def _crypto_findings(call: Call, base: str, node: ast.Call, kw: dict) -> list[Finding]:
    name, line = call.name, call.lineno
    found = []
    if name.startswith("hashlib.") and base in _HASHES:
        argument_names = [dotted_name(n) for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)]
        if any(_PASSWORDISH.search(n) for n in argument_names):
            found.append(hit("weak-password-hash", line, f"{name}() of a password: fast and unsalted"))
        elif base in ("md5", "sha1") and "usedforsecurity" not in kw:
            found.append(hit("weak-hash", line, f"{name}() is broken for security uses"))
    if name.startswith("random.") and base in _RANDOM:
        target = ""
        if isinstance(call.parent, (ast.Assign, ast.AnnAssign)):
            targets = call.parent.targets if isinstance(call.parent, ast.Assign) else [call.parent.target]
            target = " ".join(dotted_name(t) for t in targets)
        owner = call.owner.name if call.owner else ""
        if _TOKENISH.search(target) or _TOKENISH.search(owner):
            found.append(
                hit("insecure-random", line, f"{name}() is predictable: use secrets for {owner or target}")
            )
    return found


def _world_writable(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and node.value & 0o002 != 0


def _secret_findings(py: PyFacts) -> list[Finding]:
    found = []
    for name, value, line in py.str_assignments:
        if is_secret_name(name) and looks_secret(value):
            found.append(hit("hardcoded-secret", line, f"hard-coded secret assigned to {name}"))
    for key, value, line in py.dict_items:
        if is_secret_name(key) and looks_secret(value):
            found.append(hit("hardcoded-secret", line, f'hard-coded secret under the key "{key}"'))
    for arg, value, line, function in py.defaults:
        if is_secret_name(arg) and looks_secret(value):
            found.append(
                hit("hardcoded-secret", line, f"hard-coded secret as the default of {function}({arg}=…)")
            )
    for call in py.calls:
        for k in call.node.keywords:
            value = k.value
            if (
                k.arg
                and is_secret_name(k.arg)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                if looks_secret(value.value):
                    found.append(
                        hit("hardcoded-secret", value.lineno, f"hard-coded {k.arg} passed to {call.name}()")
                    )
        if call.name.endswith(("environ.get", "getenv")) and len(call.node.args) > 1:
            env, fallback = call.node.args[0], call.node.args[1]
            if (
                isinstance(env, ast.Constant)
                and isinstance(fallback, ast.Constant)
                and isinstance(env.value, str)
                and isinstance(fallback.value, str)
                and is_secret_name(env.value)
                and looks_secret(fallback.value)
            ):
                found.append(hit("hardcoded-secret", call.lineno, f"hard-coded fallback for {env.value}"))
    return found


def _compare_findings(node: ast.Compare) -> list[Finding]:
    left, right = node.left, node.comparators[0]
    names = [_side_name(left), _side_name(right)]
    constant = next((s for s in (left, right) if isinstance(s, ast.Constant)), None)
    if constant is not None:
        other = names[1] if constant is left else names[0]
        if isinstance(constant.value, str) and is_secret_name(other) and looks_secret(constant.value):
            return [hit("hardcoded-secret", node.lineno, f"{other} compared with a hard-coded value")]
        return []
    if any(_MACISH.search(n) for n in names if n):
        return [
            hit(
                "timing-unsafe-compare",
                node.lineno,
                f"{' == '.join(n or '…' for n in names)} leaks timing: use hmac.compare_digest",
            )
        ]
    return []


def _side_name(node: ast.AST) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    return dotted_name(node)
