"""Security checks for Python: the taint engine's flows (taint/), and the checks that need no
flow — secrets written into the code, TLS checks turned off, broken hashes and ciphers, cookies
without Secure, tokens accepted unverified, debuggers served, files opened to everyone.

Names are read as the module imports them (``from hashlib import md5`` makes ``md5()`` a call
of ``hashlib.md5``). Each check names the line and says what is wrong in a reviewer's words.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .patterns import linear
from .pyexpr import SUBTREE_NODES, dotted_name, is_literal, walk_bounded
from .pyfacts import Call
from .pywalk import PyFacts
from .rules import hit
from .secrets import is_secret_name, looks_secret
from .taint import python_taint_findings
from .vote import Finding

_SUBPROCESS = frozenset(
    {
        "subprocess.call",
        "subprocess.run",
        "subprocess.Popen",
        "subprocess.check_call",
        "subprocess.check_output",
    }
)
_WEAK_HASHES = frozenset({"md5", "sha1", "md4", "md2", "sha", "ripemd160"})
#: Hashes made to be fast: fine for checksums, wrong for passwords (scrypt, pbkdf2_hmac are KDFs).
_FAST_HASHES = frozenset(
    {"sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b",
     "blake2s", "shake_128", "shake_256", "new"}
)  # fmt: skip
_PASSWORDISH = linear("password-name", r"(?i)pass(word|wd|phrase)?|pwd|\bpw\b")
#: Values compared in constant time: MACs, signatures, digests, and tokens that authenticate
#: (a bare "token" is too often a lexer's).
_MACISH = linear(
    "mac-name",
    r"(?i)hmac|\bmac\b|secret|api_?key|password_hash|pw_hash"
    r"|(?:access|auth|api|reset|session|csrf|refresh|bearer|otp|verification)_?token",
)
_DIGESTISH = linear("digest-name", r"(?i)signature|digest")
_WEAK_CIPHERS = (
    "Crypto.Cipher.DES.new", "Crypto.Cipher.DES3.new", "Crypto.Cipher.ARC2.new", "Crypto.Cipher.ARC4.new",
    "Crypto.Cipher.Blowfish.new", "Cryptodome.Cipher.DES.new", "Cryptodome.Cipher.ARC4.new",
    "Cryptodome.Cipher.Blowfish.new", "cryptography.hazmat.primitives.ciphers.algorithms.ARC4",
    "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES",
    "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish",
    "cryptography.hazmat.primitives.ciphers.algorithms.IDEA",
    "cryptography.hazmat.primitives.ciphers.modes.ECB",
)  # fmt: skip
_HTTP_CLIENTS = frozenset({"requests", "httpx", "aiohttp", "urllib3", "pip", "botocore", "boto3"})
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
#: A module that imports one of these answers HTTP requests: its cookies go to browsers.
_WEB_FRAMEWORKS = frozenset(
    {"flask", "django", "starlette", "fastapi", "bottle", "pyramid", "tornado", "aiohttp", "werkzeug",
     "quart", "falcon", "sanic"}
)  # fmt: skip
_WEAK_PROTOCOLS = frozenset(
    {"PROTOCOL_SSLv2", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1", "MODE_ECB"}
)


def security_findings(py: PyFacts, tree: ast.Module) -> list[Finding]:
    """Every security hole the module shows, in line order."""
    aliases = py.aliases
    found = python_taint_findings(tree, aliases, py.functions, py.calls)
    web = bool({v.split(".")[0] for v in aliases.values()} & _WEB_FRAMEWORKS)
    for call in py.calls:
        found += _call_findings(call, _qualified(call.name, aliases), aliases)
        if web:
            found += _cookie_findings(call, _qualified(call.name, aliases))
    found += _secret_findings(py)
    macs = "hmac" in {v.split(".")[0] for v in aliases.values()}
    for node in py.compares:
        found += _compare_findings(node, macs)
    for attr, line in py.attributes:
        if attr in _WEAK_PROTOCOLS:
            found.append(hit("weak-cipher", line, f"{attr} is broken: use TLS 1.2+ or an authenticated mode"))
        else:
            found.append(hit("tls-unverified", line, f"{attr} turns TLS certificate checks off"))
    for name, value, line in py.bool_assignments:
        if name.endswith("check_hostname") and value is False and name != "self.check_hostname":
            # (self.check_hostname is a class declaring its own setting, not a client turning it off)
            found.append(hit("tls-unverified", line, "check_hostname = False accepts any server name"))
    if any(f.rule in _OPTIONAL_RULES for f in found):
        conditional = _conditional_lines(tree)
        found = [
            replace(f, confidence=min(f.confidence, _UNSURE))
            if f.rule in _OPTIONAL_RULES and f.line in conditional
            else f
            for f in found
        ]
    return sorted(found, key=lambda f: f.line)


#: Confidence of a setting turned off only on one branch: a library honouring its caller's
#: verify=False, or a test mode; worth a look, not a veto. (Rules such a branch can turn on.)
_OPTIONAL_RULES = frozenset({"tls-unverified", "weak-cipher"})
_UNSURE = 0.45


def _conditional_lines(tree: ast.Module) -> frozenset[int]:
    """Lines inside a branch of an if: what runs there runs only when something asked for it."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            for block in (node.body, node.orelse):
                if block:
                    lines.update(range(block[0].lineno, (block[-1].end_lineno or block[-1].lineno) + 1))
    return frozenset(lines)


def _qualified(name: str, aliases: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    return f"{aliases[head]}.{rest}" if head in aliases and rest else aliases.get(name, name)


def _http_client_call(name: str, base: str, aliases: dict[str, str]) -> bool:
    """A call whose verify= is a TLS certificate check: an HTTP client's (requests, httpx,
    aiohttp, urllib3, a session's get/post...), not any function with a verify parameter."""
    if name.split(".")[0] in _HTTP_CLIENTS and name.split(".")[0] in {
        v.split(".")[0] for v in aliases.values()
    }:
        return True
    return base in _HTTP_VERBS or base in ("Client", "AsyncClient", "Session", "request", "send", "urlopen")


def _call_findings(call: Call, name: str, aliases: dict[str, str]) -> list[Finding]:
    node, line = call.node, call.lineno
    base = name.rsplit(".", 1)[-1]
    first = node.args[0] if node.args else None
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    found = []
    shell = kw.get("shell")
    if name in _SUBPROCESS and _is_true(shell) and (first is None or is_literal(first)):
        found.append(hit("shell-constant", line, f"{base}() uses shell=True for a fixed command"))
    if _is_false(kw.get("verify")) and _http_client_call(name, base, aliases):
        found.append(hit("tls-unverified", line, f"{base}() with verify=False accepts any certificate"))
    if name == "ssl._create_unverified_context":
        found.append(hit("tls-unverified", line, f"{name}() skips certificate checks"))
    if (
        base in ("set_missing_host_key_policy",)
        and first is not None
        and "AutoAddPolicy" in dotted_name(first)
    ):
        found.append(hit("tls-unverified", line, "paramiko AutoAddPolicy trusts any host key"))
    if (
        name in ("yaml.load", "yaml.load_all")
        and aliases.get(call.name.split(".")[0]) == "yaml"  # PyYAML itself, not ruamel's YAML().load
        and len(node.args) < 2
        and "Loader" not in kw
    ):
        found.append(hit("unsafe-deserialisation", line, f"{name}() without a Loader: use yaml.safe_load()"))
    found += _crypto_findings(call, name, base, kw)
    found += _jwt_findings(name, kw, line)
    if base == "run" and _is_true(kw.get("debug")) and "." in name:
        found.append(hit("debug-server", line, f"{call.name}(debug=True) serves the interactive debugger"))
    if (
        name in ("os.chmod", "os.fchmod", "os.lchmod")
        and len(node.args) > 1
        and _world_writable(node.args[1])
    ):
        found.append(hit("world-writable", line, "chmod makes the file writable by everyone"))
    if name == "tempfile.mktemp":
        found.append(hit("insecure-tempfile", line, "tempfile.mktemp() races: use mkstemp()"))
    return found


def _crypto_findings(call: Call, name: str, base: str, kw: dict) -> list[Finding]:
    node, line = call.node, call.lineno
    found = []
    weak = name.startswith("hashlib.") and base in _WEAK_HASHES
    if name == "hashlib.new" and node.args and isinstance(node.args[0], ast.Constant):
        weak = str(node.args[0].value).lower().replace("-", "") in _WEAK_HASHES
    fast = name.startswith("hashlib.") and (base in _FAST_HASHES or weak)
    if fast and not _is_false(kw.get("usedforsecurity")):
        argument_names = [
            n.id for a in node.args for n in walk_bounded(a, SUBTREE_NODES) if isinstance(n, ast.Name)
        ]
        target = _assigned_to(call)
        if any(_PASSWORDISH.search(n) for n in [*argument_names, target]):
            # any fast hash of a password (SHA-256 too): billions of guesses a second; a KDF is meant
            found.append(hit("weak-password-hash", line, f"{name}() of a password: fast and unsalted"))
        elif weak:
            # broken for security; whether this use needs security is not known: a look, not a veto
            found.append(hit("weak-hash", line, f"{name}() is broken for security uses", confidence=0.3))
    if any(name == c or name.startswith(c + ".") for c in _WEAK_CIPHERS):
        found.append(hit("weak-cipher", line, f"{name}() is a broken cipher or mode"))
    return found


def _cookie_findings(call: Call, name: str) -> list[Finding]:
    """A web response's cookie without Secure (not a cookie jar's, nor set_cookie's own body)."""
    node, line = call.node, call.lineno
    if name.rsplit(".", 1)[-1] != "set_cookie" or (call.owner and call.owner.name.endswith("_cookie")):
        return []
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    if receiver is not None and "client" in (dotted_name(receiver) or "").lower():
        return []  # a test client's cookie jar (werkzeug.test.Client, test_client()): sent to no browser
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    if len(node.args) < 2 and "value" not in kw:
        return []  # no value: a deletion
    secure = kw.get("secure")
    if _is_false(secure):
        return [hit("insecure-cookie", line, "set_cookie(secure=False) sends the cookie over plain HTTP")]
    if _fixed_choice(node.args[1] if len(node.args) > 1 else kw["value"]):
        return []  # one of the module's own literals (a theme): no session, no secret to leak
    if secure is None:
        return [
            hit(
                "insecure-cookie",
                line,
                "set_cookie() without secure=True sends it over plain HTTP",
                confidence=0.6,
            )
        ]
    return []


def _fixed_choice(node: ast.expr) -> bool:
    """A literal, or a choice between literals (``"dark" if x else "light"``, ``a or "light"``
    is not: ``a`` is not the module's)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.IfExp):
        return _fixed_choice(node.body) and _fixed_choice(node.orelse)
    return False


def _jwt_findings(name: str, kw: dict, line: int) -> list[Finding]:
    if name not in ("jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"):
        return []
    options = kw.get("options")
    if _is_false(kw.get("verify")) or (
        isinstance(options, ast.Dict)
        and any(
            isinstance(k, ast.Constant) and k.value == "verify_signature" and _is_false(v)
            for k, v in zip(options.keys, options.values, strict=True)
        )
    ):
        return [
            hit("jwt-unverified", line, f"{name}() without verifying the signature accepts forged tokens")
        ]
    algorithms = kw.get("algorithms")
    if isinstance(algorithms, (ast.List, ast.Tuple)) and any(
        isinstance(e, ast.Constant) and str(e.value).lower() == "none" for e in algorithms.elts
    ):
        return [hit("jwt-unverified", line, f"{name}() accepts the 'none' algorithm: unsigned tokens pass")]
    return []


def _assigned_to(call: Call) -> str:
    parent = call.parent
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return " ".join(dotted_name(t) for t in targets)
    if isinstance(parent, ast.keyword) and parent.arg:
        return parent.arg
    return ""


def _is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_false(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _world_writable(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and node.value & 0o002 != 0


def _secret_findings(py: PyFacts) -> list[Finding]:
    found = []
    for name, value, line in py.str_assignments:
        if is_secret_name(name) and looks_secret(value, name):
            found.append(hit("hardcoded-secret", line, f"hard-coded secret assigned to {name}"))
    for key, value, line in py.dict_items:
        if is_secret_name(key) and looks_secret(value, key):
            found.append(hit("hardcoded-secret", line, f'hard-coded secret under the key "{key}"'))
    for arg, value, line, function in py.defaults:
        if is_secret_name(arg) and looks_secret(value, arg):
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
                and looks_secret(value.value, k.arg)
            ):
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
                and looks_secret(fallback.value, env.value)
            ):
                found.append(hit("hardcoded-secret", call.lineno, f"hard-coded fallback for {env.value}"))
    return found


def _compare_findings(node: ast.Compare, macs: bool) -> list[Finding]:
    """A secret compared with ==. A digest or a signature is a MAC only in a module that makes
    MACs (imports hmac): elsewhere it is a checksum or a format's magic bytes, which are public."""
    left, right = node.left, node.comparators[0]
    names = [_side_name(left), _side_name(right)]
    constant = next((s for s in (left, right) if isinstance(s, ast.Constant)), None)
    if constant is not None:
        other = names[1] if constant is left else names[0]
        if isinstance(constant.value, str) and is_secret_name(other) and looks_secret(constant.value, other):
            return [hit("hardcoded-secret", node.lineno, f"{other} compared with a hard-coded value")]
        return []
    if any(_constant_like(s) for s in (left, right)):
        return []  # a value compared with a named constant is not a secret compared with a secret
    if names[0] and names[1] and names[0].split(".")[-1] == names[1].split(".")[-1] and "self." in names[0]:
        return []  # self.signature == other.signature: an object's equality, not a secret's
    if any(_MACISH.search(n) or (macs and _DIGESTISH.search(n)) for n in names if n):
        return [
            hit(
                "timing-unsafe-compare",
                node.lineno,
                f"{' == '.join(n or '…' for n in names)} leaks timing: use hmac.compare_digest",
            )
        ]
    return []


def _constant_like(node: ast.AST) -> bool:
    name = dotted_name(node).rsplit(".", 1)[-1]
    return bool(name) and name.isupper()


def _side_name(node: ast.AST) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    return dotted_name(node)
