"""Failures of the judge found by an adversarial review (issue 19's invariants and targets).

Each test reproduces one behaviour that breaks a stated invariant or target: a crash or a hang,
a false BARK or GROWL on clean code, a missed hole, or a wrong detail in a finding. They fail on
the judge as reviewed (commit abb86e3); each docstring says what is wrong and why it matters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc

from cynic_app.judgment import Cell, judge
from cynic_app.judgment.engine import JUDGED_CHARS
from tests.support.growth import ratio, work


def _judge(content: str, name: str = "x.py", level: str | None = "MICRO"):
    return judge(Cell.create(content=content, context=f"file: {name}"), level=level)


def _active(j, rule: str) -> list[dict]:
    """The findings of a rule that count (not suppressed)."""
    return [f for f in j.findings if f["rule"] == rule and not f["suppressed"]]


def _peak_bytes(fn) -> int:
    """The most memory Python allocated during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- crash or hang ---------------------------------------------------------------------------------


def test_folding_a_string_method_with_a_huge_width_does_not_crash():
    """`"a".zfill(10**20)` written as a literal makes the taint engine's constant folding call
    str.zfill with a width that does not fit a C ssize_t: OverflowError escapes judge() (only
    TypeError and ValueError are caught in pyexprs.Evaluator._modelled), which is a 500 in the
    service for a three-line cell. "No input may crash judge()"."""
    content = 'import os\nwidth = "a".zfill(100000000000000000000)\nos.system(width)\n'
    j = _judge(content)
    assert j.verdict in ("HOWL", "WAG", "GROWL", "BARK")


def test_folding_chained_string_replaces_does_not_exhaust_memory():
    """str methods are folded without the FOLD_LIMIT that `+`, `*` and f-strings respect: two
    `replace` calls square a 10,000-character literal twice, and the second asks for 10**16
    characters. MemoryError escapes judge() (a 500); a smaller chain takes seconds and gigabytes
    instead. "No input may crash judge()"."""
    content = 'import os\na = "a" * 10000\nb = a.replace("a", a)\nc = b.replace("a", b)\nos.system(c)\n'
    j = _judge(content)
    assert j.verdict in ("HOWL", "WAG", "GROWL", "BARK")


def test_folding_int_times_str_respects_the_fold_limit():
    """`_fold` bounds `"ab" * n` before computing it but not `n * "ab"` (the int on the left): a
    40-character cell makes the judge build a 40 MB string (and 10**9 makes it allocate 2 GB and
    take seconds) only to throw it away because it is over FOLD_LIMIT."""
    content = 'import os\nbanner = 20000000 * "ab"\nos.system(banner)\n'
    peak = _peak_bytes(lambda: _judge(content))
    assert peak < 10_000_000, f"{peak / 1e6:.0f} MB allocated to judge a 3-line cell"


def test_folding_a_percent_format_with_a_huge_precision_respects_the_fold_limit():
    """`"%.9999999f" % 1.0` is folded by calling the real `%` operator: 10 MB are formatted (and
    `%.999999999f` took 3.5 s of CPU and 1 GB) before the result is found to exceed FOLD_LIMIT.
    A 30-character cell must not cost more than a 100,000-character one (≤ 0.5 s at MACRO)."""
    content = 'import os\nx = "%.9999999f" % 1.0\nos.system(x)\n'
    peak = _peak_bytes(lambda: _judge(content))
    assert peak < 10_000_000, f"{peak / 1e6:.0f} MB allocated to judge a 3-line cell"


def test_a_match_with_many_cases_binding_one_name_costs_linear_time():
    """pyflakes (CARTOGRAPHER, MACRO) is quadratic in the number of bindings of one name across
    the alternatives of one fork (Checker.differentForks walks every case for every binding): a
    71,000-character function whose match has 1,600 cases that each set `name` took ~2.5 s of
    CPU, 3,200 cases (under 100,000 characters) ~12 s; a node's worker is blocked meanwhile.
    Eight times the cases must cost about eight times the time (quadratic is 64x); the bound, 24x,
    leaves a busy CI machine three times linear's share. The two sizes are measured in turns, so
    that a busy moment hits both (a 3x bound on 1,500 against 3,000 cases failed once on CI at
    3.3x, 36 ms against 120 ms), and the judgment says pyflakes did not read that unit."""

    def content(n: int) -> str:
        cases = "".join(f"        case {i}: name = 'k{i}'\n" for i in range(n))
        return "def kind(code):\n    match code:\n" + cases + "    return name\n"

    small, large = content(375), content(3000)
    assert len(large) < JUDGED_CHARS
    cells = [Cell.create(content=c, context="file: codes.py") for c in (small, large)]
    judging = [work(lambda c=cell: judge(c, level="MACRO")) for cell in cells]
    measured = ratio(judging[1], judging[0], limit=24)
    assert measured.value < 24, f"3,000 cases against 375: {measured}"
    rules = {f["rule"] for f in judge(cells[1], level="MACRO").findings}
    assert "many-bindings" in rules


# -- not repeatable ---------------------------------------------------------------------------------

_JUDGE_IN_A_PROCESS = """
import json, sys
from cynic_app.judgment import Cell, judge
j = judge(Cell.create(content=sys.stdin.read(), context=sys.argv[1]), level="MICRO")
print(json.dumps([j.verdict, j.q_score, j.confidence,
                  [(f["rule"], f["line"], f["confidence"], f.get("source_line")) for f in j.findings]]))
"""


def _judged_by_processes(content: str, seeds=range(8), context: str = "file: x.py") -> set[str]:
    """The distinct judgments of content by processes that differ only in their string-hash seed
    (as gunicorn's workers and the nodes of a cluster do)."""
    seen = set()
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", _JUDGE_IN_A_PROCESS, context],
            input=content,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        seen.add(done.stdout.strip())
    return seen


def test_the_verdict_does_not_depend_on_the_processs_hash_seed():
    """A value holding two predictable numbers, one drawn directly (0.8) and one through two calls
    of unknown code (0.45), becomes a token: `_random_into` reports the first RANDOM taint of a
    frozenset, whose order follows the string-hash seed. The same cell is BARK (0.8, security) in
    some processes and GROWL (0.45, defect) in others: two gunicorn workers, or two nodes, give
    different verdicts. "Same cell + level -> same verdict, q_score, confidence on any node"."""
    content = (
        "import random\nimport struct\nimport zlib\n\n\n"
        "def make_token():\n"
        '    """A short token for the download link."""\n'
        '    token = "%04d-%08x" % (\n'
        '        random.randint(0, 9999), zlib.crc32(struct.pack(">d", random.random()))\n'
        "    )\n"
        "    return token\n"
    )
    assert len(_judged_by_processes(content)) == 1


def test_a_javascript_finding_does_not_depend_on_the_processs_hash_seed():
    """The JavaScript reader kept the first hit it met at equal confidence (and the first
    predictable number of a set): two request fields reaching one exec named either, by the
    string-hash seed. It now keeps hits as the Python reader does."""
    content = (
        'const { exec } = require("child_process");\n'
        'app.post("/convert", (req, res) => {\n'
        "  const src = req.body.src;\n"
        "  const dst = req.query.dst;\n"
        '  exec("convert " + src + " " + dst);\n'
        "});\n"
    )
    assert len(_judged_by_processes(content, context="file: convert.js")) == 1


def test_the_source_line_of_a_finding_does_not_depend_on_the_processs_hash_seed():
    """Two request fields reach one os.system: which one the finding names ("request.form from line
    10" or "request.args from line 11", and its source_line) is the first of a frozenset of taints
    at equal confidence, so it changes with the string-hash seed. The judgment stored by one
    gunicorn worker differs from another's for the same cell (docs/judgment.md: the same
    "findings on any node")."""
    content = (
        "import os\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/convert", methods=["POST"])\n'
        "def convert():\n"
        '    src = request.form["src"]\n'
        '    dst = request.args["dst"]\n'
        '    os.system("convert " + src + " " + dst)\n'
        '    return "ok"\n'
    )
    assert len(_judged_by_processes(content)) == 1


# -- false BARK or GROWL on clean code -------------------------------------------------------------


def _decorated_module(functions: int) -> str:
    """A clean module of registered handlers, longer than the engine reads."""
    head = (
        '"""Registry of handlers."""\n#\n\n\n'
        'def registered(fn):\n    """Mark fn as a handler."""\n    return fn\n\n'
    )
    body = "".join(
        f'@registered\ndef handler_{i}(value):\n    """Handle case {i}."""\n'
        f"    total = value + {i}\n    total *= 2\n    return total\n\n\n"
        for i in range(functions)
    )
    return head + body


def test_a_long_clean_module_is_cut_where_it_still_parses():
    """A module over 100,000 characters is cut before a top-level statement "so that the part still
    parses", trying up to CUT_TRIES places; but `_top_level_line_before(content, at)` returns `at`
    itself when `at` starts a line, so after the first failure every try is the same place. When
    the last top-level line before the limit is a `def` under a decorator (or a line at column 0
    inside a docstring), the part does not parse: the clean module gets a `syntax-error` defect
    that is not in the file (GROWL), and is read by the generic text patterns, which BARKed
    pydantic/types.py (passwords in its docstring examples) and GROWLed numpy's
    _function_base_impl.py."""
    content = _decorated_module(1800)
    assert len(content) > JUDGED_CHARS
    j = _judge(content, "handlers.py")
    assert not _active(j, "syntax-error")
    assert j.verdict in ("HOWL", "WAG")


def test_a_random_number_named_token_that_is_no_secret_does_not_bark():
    """The standard library's email/generator.py BARKs: `token = random.randrange(sys.maxsize)`
    makes a MIME boundary, and any name containing "token" (or "session", "auth", "reset"...) is
    taken for a secret. A lexer's token, a boundary's token, a paginator's reset are not secrets;
    the target is no BARK on the standard library."""
    content = (
        "import random\nimport sys\n\n\n"
        "def make_boundary(text=None):\n"
        '    """A MIME boundary that does not occur in text."""\n'
        "    token = random.randrange(sys.maxsize)\n"
        '    boundary = "=" * 15 + "%019d" % token + "=="\n'
        "    return boundary\n"
    )
    j = _judge(content, "generator.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_comparing_a_checksum_of_a_download_is_not_a_timing_leak():
    """`digest != expected_sha256` BARKs as timing-unsafe-compare at 0.9: every name holding
    "digest" or "signature" is taken for a MAC. A file's checksum or a format's magic bytes are
    public: distlib (index.py, wheel.py), filelock (two modules), execnet's rsync, psycopg's COPY
    signature and pydantic's function signatures all BARK for it (8 of the 13 BARKs in 1,083
    package modules reviewed)."""
    content = (
        "import hashlib\n\n\n"
        "def verify_download(path, expected_sha256):\n"
        '    """Raise when the file at path is not the one published."""\n'
        "    h = hashlib.sha256()\n"
        '    with open(path, "rb") as f:\n'
        "        h.update(f.read())\n"
        "    digest = h.hexdigest()\n"
        "    if digest != expected_sha256:\n"
        '        raise ValueError(f"{path}: checksum mismatch")\n'
    )
    j = _judge(content, "download.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_a_binary_format_signature_compared_with_eq_is_not_a_timing_leak():
    """psycopg's _copy_base.py BARKs on `data[: len(_binary_signature)] != _binary_signature`: the
    PGCOPY header, a constant every client sends. A module-level constant named in lower case
    (`_binary_signature`) is not recognised as a constant, and "signature" is read as a MAC."""
    content = (
        '_binary_signature = b"PGCOPY\\n\\xff\\r\\n\\x00"\n\n\n'
        "def starts_binary_copy(data: bytes) -> bool:\n"
        '    """True when data opens a binary COPY stream."""\n'
        "    return data[: len(_binary_signature)] == _binary_signature\n"
    )
    j = _judge(content, "copy.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_a_verify_keyword_of_a_call_that_is_not_tls_does_not_bark():
    """Any call given `verify=False` is read as TLS turned off: numpy's
    `@array_function_dispatch(_dispatcher, verify=False, module='numpy')` makes
    numpy/lib/_ufunclike_impl.py BARK three times, and schemathesis's `Response(..., verify=False)`
    (a record of how a request was made) BARKs two modules. Only HTTP clients (requests, httpx,
    aiohttp, urllib3...) take verify as a certificate check."""
    content = (
        "def array_function_dispatch(dispatcher, verify=True, module=None):\n"
        '    """Register dispatcher for the decorated function."""\n'
        "    def decorator(fn):\n"
        "        return fn\n\n"
        "    return decorator\n\n\n"
        "def _dispatcher(x, out=None):\n"
        "    return (x, out)\n\n\n"
        '@array_function_dispatch(_dispatcher, verify=False, module="mylib")\n'
        "def fix(x, out=None):\n"
        '    """Round to the nearest integer towards zero."""\n'
        "    return x // 1\n"
    )
    j = _judge(content, "ufunclike.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_cert_none_as_a_servers_default_for_client_certificates_does_not_bark():
    """gunicorn/config.py BARKs on `default = ssl.CERT_NONE` in its CertReqs setting: a server
    not asking clients for a certificate is the normal default (mutual TLS is opt-in), not a
    client skipping the server's certificate check. The name CERT_NONE alone is read as a hole,
    wherever it stands."""
    content = (
        "import ssl\n\n\n"
        "class Setting:\n"
        '    """A configuration setting."""\n\n'
        "    name = None\n"
        "    default = None\n\n\n"
        "class CertReqs(Setting):\n"
        '    """Whether the server requires a client certificate (ssl.CERT_*)."""\n\n'
        '    name = "cert_reqs"\n'
        "    default = ssl.CERT_NONE\n"
    )
    j = _judge(content, "config.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_ruamel_yaml_load_on_a_safe_yaml_object_does_not_bark():
    """`yaml = YAML(typ="safe"); yaml.load(f)` is ruamel.yaml's documented idiom (and its own
    util.py BARKs for it): the local variable `yaml` is an object, not the PyYAML module, which
    the module never imports. pysecurity reads the call's dotted name as `yaml.load` and reports
    "yaml.load() without a Loader" at 0.9."""
    content = (
        "from ruamel.yaml import YAML\n\n\n"
        "def load_config(path):\n"
        '    """The configuration at path."""\n'
        '    yaml = YAML(typ="safe")\n'
        "    with open(path) as f:\n"
        "        return yaml.load(f)\n"
    )
    j = _judge(content, "config.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_a_proxy_bypass_list_is_not_a_password():
    """`"bypass": "localhost,127.0.0.1,.internal"` BARKs as a hard-coded secret: a name ending in
    "pass" counts as a password (bypass, compass, surpass), and under a password-ish name any
    value of 4+ characters looks secret. playwright's _impl/_protocol.py BARKs for its proxy
    "bypass" field."""
    content = (
        "PROXY = {\n"
        '    "server": "http://proxy.internal:3128",\n'
        '    "bypass": "localhost,127.0.0.1,.internal",\n'
        "}\n"
    )
    j = _judge(content, "proxy.py")
    assert not _active(j, "hardcoded-secret"), j.findings


def test_a_schema_placeholder_under_password_is_not_a_secret():
    """`{"username": "alice", "password": "string"}` in a model's JSON-schema example (FastAPI and
    pydantic document models this way; playwright's protocol table maps "password": "string")
    BARKs as a hard-coded secret: under a password-ish name any word of 4+ characters counts,
    "string" included."""
    content = (
        "from pydantic import BaseModel\n\n\n"
        "class Login(BaseModel):\n"
        '    """Credentials posted to /login."""\n\n'
        "    username: str\n"
        "    password: str\n\n"
        "    model_config = {\n"
        '        "json_schema_extra": {"examples": [{"username": "alice", "password": "string"}]}\n'
        "    }\n"
    )
    j = _judge(content, "schemas.py")
    assert not _active(j, "hardcoded-secret"), j.findings


def test_base64_data_that_happens_to_hold_akia_is_not_an_aws_key():
    """PIL/ImageFont.py BARKs: its embedded font (base64) contains "AKIAAQAAAAAABAAHAM0A", which
    `AKIA[0-9A-Z]{16}` matches in the middle of a longer run. An AWS key id stands alone (secret
    scanners such as gitleaks bound it by word boundaries); a blob of base64 is data."""
    content = (
        "import base64\n\n"
        "FONT = base64.b64decode(\n"
        '    "QAHAEwAAQAAAAAAAgAHAGQAAQAAAAAAAwAaAKIAAQAAAAAABAAHAM0AAQAAAAAABQA8AU8AAQAAAA"\n'
        ")\n"
    )
    j = _judge(content, "font.py")
    assert not _active(j, "embedded-key"), j.findings


def test_an_answer_declared_text_plain_is_not_html():
    """`HttpResponse(request.GET["q"], content_type="text/plain")` BARKs as XSS at 0.9: a browser
    does not render text/plain as HTML, so the value cannot script the page. (prometheus_client's
    Django exposition view BARKs this way: its metrics answer carries the Accept header's choice
    of format, at 0.68 through the helper that builds it.)"""
    content = (
        "from django.http import HttpResponse\n\n\n"
        "def echo(request):\n"
        '    """Echo the query, as plain text."""\n'
        '    return HttpResponse(request.GET.get("q", ""), content_type="text/plain")\n'
    )
    j = _judge(content, "views.py")
    assert not _active(j, "xss"), j.findings


def test_a_package_init_of_explicit_re_exports_does_not_growl_at_macro():
    """`from .exc import BadData as BadData` is the explicit re-export idiom (PEP 484; ruff's F401
    and mypy's implicit_reexport honour it). At MACRO, CARTOGRAPHER reports every line as an
    unused import, a relative import and, for a second name from the same module, a duplicate
    import: its q falls to 4.7, CYNIC's to 31, and itsdangerous/__init__.py's 17 re-exports are
    GROWL (57.8) with smells only (MICRO: HOWL). asyncio/__init__.py (`from .base_events import
    *`, the package's own re-exports) is GROWL 49.8 the same way."""
    content = (
        "from .encoding import base64_decode as base64_decode\n"
        "from .encoding import base64_encode as base64_encode\n"
        "from .encoding import want_bytes as want_bytes\n"
        "from .exc import BadData as BadData\n"
        "from .exc import BadHeader as BadHeader\n"
        "from .exc import BadPayload as BadPayload\n"
        "from .exc import BadSignature as BadSignature\n"
        "from .exc import BadTimeSignature as BadTimeSignature\n"
        "from .exc import SignatureExpired as SignatureExpired\n"
        "from .serializer import Serializer as Serializer\n"
        "from .signer import HMACAlgorithm as HMACAlgorithm\n"
        "from .signer import NoneAlgorithm as NoneAlgorithm\n"
        "from .signer import Signer as Signer\n"
        "from .timed import TimedSerializer as TimedSerializer\n"
        "from .timed import TimestampSigner as TimestampSigner\n"
        "from .url_safe import URLSafeSerializer as URLSafeSerializer\n"
        "from .url_safe import URLSafeTimedSerializer as URLSafeTimedSerializer\n"
    )
    j = _judge(content, "__init__.py", level="MACRO")
    assert j.verdict in ("HOWL", "WAG"), (j.q_score, j.dog_votes)


# -- false BARK on a safe look-alike ---------------------------------------------------------------


def test_a_fastapi_path_parameter_typed_int_is_not_an_injection():
    """`def read_item(item_id: int)` in FastAPI: the framework converts and validates the path
    part (a non-number is a 422 before the view runs), so `f"... WHERE id = {item_id}"` can hold
    only digits. The judge BARKs (sql-injection 0.9): a view's parameters are INPUT whatever their
    annotation (`_numeric` is only consulted for a public function's PARAM taint)."""
    content = (
        "import sqlite3\n\n"
        "from fastapi import FastAPI\n\n"
        "app = FastAPI()\n\n\n"
        '@app.get("/items/{item_id}")\n'
        "def read_item(item_id: int):\n"
        '    con = sqlite3.connect("app.db")\n'
        "    try:\n"
        '        row = con.execute(f"SELECT name FROM items WHERE id = {item_id}").fetchone()\n'
        "    finally:\n"
        "        con.close()\n"
        '    return {"name": row[0] if row else None}\n'
    )
    j = _judge(content, "items.py")
    assert not _active(j, "sql-injection"), j.findings


def test_a_flask_int_converter_is_not_an_injection():
    """`@app.route("/items/<int:item_id>")`: werkzeug's converter matches digits only and passes an
    int, so the f-string SQL cannot be injected. The judge BARKs (sql-injection 0.9): route
    converters (int, float, uuid) are not read."""
    content = (
        "import sqlite3\n\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/items/<int:item_id>")\n'
        "def read_item(item_id):\n"
        '    con = sqlite3.connect("app.db")\n'
        "    try:\n"
        '        row = con.execute(f"SELECT name FROM items WHERE id = {item_id}").fetchone()\n'
        "    finally:\n"
        "        con.close()\n"
        '    return {"name": row[0] if row else None}\n'
    )
    j = _judge(content, "items.py")
    assert not _active(j, "sql-injection"), j.findings


def test_a_preference_cookie_without_secure_does_not_bark():
    """`resp.set_cookie("theme", "dark" or "light")` BARKs (insecure-cookie at 0.6, counted as a
    security hole): a cookie that holds a fixed display preference, no session or secret, leaks
    nothing over plain HTTP. bandit and ruff do not flag it at all; a BARK blocks the change."""
    content = (
        "from flask import Flask, make_response\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/theme/<name>")\n'
        "def set_theme(name):\n"
        '    resp = make_response("ok")\n'
        '    resp.set_cookie("theme", "dark" if name == "dark" else "light", max_age=31536000)\n'
        "    return resp\n"
    )
    j = _judge(content, "prefs.py")
    assert j.verdict in ("HOWL", "WAG"), j.findings


def test_tls_turned_off_only_on_a_callers_option_is_not_a_veto():
    """docs/judgment.md: TLS verification "turned off only on one branch of an `if` it is a
    caller's option: 0.45". That holds for CERT_NONE and check_hostname, not for `verify=False`
    nor `ssl._create_unverified_context()`, which stay at 0.9 and BARK: a library honouring its
    caller's `insecure=True` (virtualenv's periodic_update.py, opt-in by an environment variable)
    is vetoed like a client that always skips the check."""
    content = (
        "import requests\n\n\n"
        "def fetch(url, insecure=False):\n"
        '    """GET url; insecure=True skips the certificate check (a test server)."""\n'
        "    if insecure:\n"
        "        return requests.get(url, timeout=10, verify=False)\n"
        "    return requests.get(url, timeout=10)\n"
    )
    j = _judge(content, "client.py")
    (found,) = _active(j, "tls-unverified")
    assert found["confidence"] < 0.5 and j.verdict != "BARK"


# -- missed hole -----------------------------------------------------------------------------------


def _hole(j, rule: str, line: int) -> dict:
    """The finding of rule on line, which must count as a security hole (BARK)."""
    found = [f for f in _active(j, rule) if f["line"] == line]
    assert found, f"no {rule} on line {line}: {j.verdict} {j.findings}"
    assert found[0]["kind"] == "security" and j.verdict == "BARK", (j.verdict, found)
    return found[0]


def test_an_uploaded_tar_extracted_without_a_filter_barks():
    """Tar slip (CWE-22): `tarfile.open(fileobj=request.files[...].stream).extractall(dest)` writes
    wherever the archive's member names say (`../../etc/cron.d/x`, absolute paths, symlinks). The
    judge says HOWL with no finding: the extractall sink reads only its `path` argument, which is
    a constant here, not the tainted archive. bandit reports B202 on it."""
    content = (
        "import tarfile\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/upload", methods=["POST"])\n'
        "def upload():\n"
        '    f = request.files["archive"]\n'
        "    with tarfile.open(fileobj=f.stream) as tar:\n"
        '        tar.extractall("/srv/data")\n'
        '    return "ok"\n'
    )
    _hole(_judge(content, "upload.py"), "path-traversal", 12)


def test_a_request_field_kept_on_an_object_and_run_by_its_method_barks():
    """`Job(request.form["command"]).run()` where `run` does `os.system(self.command)`: the value
    crosses `__init__` into an attribute and comes back in another method. The judge says HOWL,
    with only a "possible" smell (0.3, no source line) on os.system: summaries carry parameters
    to sinks and returns, not to attributes of self."""
    content = (
        "import os\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        "class Job:\n"
        "    def __init__(self, command):\n"
        "        self.command = command\n\n"
        "    def run(self):\n"
        "        return os.system(self.command)\n\n\n"
        '@app.route("/job", methods=["POST"])\n'
        "def job():\n"
        '    Job(request.form["command"]).run()\n'
        '    return "started"\n'
    )
    found = _hole(_judge(content, "jobs.py"), "shell-injection", 13)
    assert found["source_line"] == 18


def test_request_path_reflected_by_an_error_handler_barks():
    """`@app.errorhandler(404)` returning `f"<p>{request.path} does not exist</p>"` is reflected
    XSS (request.path is percent-decoded by werkzeug). Flask answers a returned string as
    text/html from error handlers as from views; the judge says HOWL because only functions whose
    decorator is a route are read as views whose answers are HTML."""
    content = (
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        "@app.errorhandler(404)\n"
        "def not_found(error):\n"
        '    return f"<h1>Not found</h1><p>{request.path} does not exist</p>", 404\n'
    )
    _hole(_judge(content, "errors.py"), "xss", 8)


def test_torch_load_of_an_uploaded_model_barks():
    """`torch.load(...)` unpickles (CWE-502; before torch 2.6 `weights_only` defaulted to False)
    and is the classic hole of ML-serving endpoints; `numpy.load(..., allow_pickle=True)` is the
    same. Neither is in the deserialisation sinks, so an uploaded model file run through
    torch.load is judged HOWL with no finding."""
    content = (
        "import io\n\n"
        "import torch\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/predict", methods=["POST"])\n'
        "def predict():\n"
        '    model = torch.load(io.BytesIO(request.files["model"].read()))\n'
        '    return {"params": sum(p.numel() for p in model.parameters())}\n'
    )
    _hole(_judge(content, "serve.py"), "unsafe-deserialisation", 11)


def test_a_jwt_algorithm_taken_from_the_tokens_own_header_barks():
    """`alg = jwt.get_unverified_header(token)["alg"]; jwt.decode(token, KEYS[alg],
    algorithms=[alg])` lets the attacker choose the algorithm (CWE-347: RS256/HS256 confusion, or
    any key the table holds). The judge only knows `verify=False`, `verify_signature: False` and a
    literal "none" in algorithms: GROWL, for an unclosed file only."""
    content = (
        "import os\n\n"
        "import jwt\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n"
        'KEYS = {"HS256": os.environ["JWT_SECRET"], "RS256": os.environ["JWT_PUBLIC_KEY"]}\n\n\n'
        '@app.route("/me")\n'
        "def me():\n"
        '    token = request.headers["Authorization"].removeprefix("Bearer ")\n'
        '    alg = jwt.get_unverified_header(token)["alg"]\n'
        "    claims = jwt.decode(token, KEYS[alg], algorithms=[alg])\n"
        '    return {"user": claims["sub"]}\n'
    )
    _hole(_judge(content, "auth.py"), "jwt-unverified", 14)


def test_a_password_stored_as_an_unsalted_sha256_barks():
    """`hashlib.sha256(password.encode()).hexdigest()` stored as the password hash: fast and
    unsalted, cracked at billions of guesses a second (CWE-916; CodeQL's
    py/weak-sensitive-data-hashing flags any non-KDF hash of a password). weak-password-hash only
    looks at MD5 and SHA-1, so this registration view is HOWL."""
    content = (
        "import hashlib\n"
        "import sqlite3\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/register", methods=["POST"])\n'
        "def register():\n"
        '    password = request.form["password"]\n'
        "    hashed = hashlib.sha256(password.encode()).hexdigest()\n"
        '    with sqlite3.connect("app.db") as db:\n'
        '        db.execute("INSERT INTO users (name, pw) VALUES (?, ?)", (request.form["user"], hashed))\n'
        '    return "ok"\n'
    )
    _hole(_judge(content, "accounts.py"), "weak-password-hash", 12)


# -- wrong detail ----------------------------------------------------------------------------------


def test_a_flow_through_star_args_names_the_request_not_another_parameter():
    """`run_tool("grep", request.args["pattern"], ...)` into `def run_tool(name, *args)` that
    builds `" ".join([name, *args])` for os.popen: the finding says "parameter name of run_tool()
    reaches os.popen(): callers can pass anything" (name is the constant "grep") with no source
    line, at 0.6 only because the file is under 100 lines. The request field on line 14 is what
    reaches the shell; in a longer module this hole falls to 0.45, a defect (GROWL)."""
    content = (
        "import os\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        "def run_tool(name, *args):\n"
        '    line = " ".join([name, *args])\n'
        "    return os.popen(line).read()\n\n\n"
        '@app.route("/tool")\n'
        "def tool():\n"
        '    return {"out": run_tool("grep", request.args["pattern"], "/var/log/syslog")}\n'
    )
    j = _judge(content, "tools.py")
    (found,) = _active(j, "shell-injection")
    assert found["line"] == 10 and found["source_line"] == 15 and found["confidence"] >= 0.8, found


def test_nosec_on_the_query_line_that_bandit_and_ruff_report_is_honoured():
    """bandit (B608) and ruff (S608) report a built query on the line of the string, so projects
    put `# nosec B608` / `# noqa: S608` there when black splits the call over lines; bandit 1.9.4
    skips this very file's issue. The judge reports the flow on the call's first line and reads
    suppressions on that line only: the reviewed, suppressed query still BARKs. (bandit reports
    B602 on the `shell=True` keyword's line, likewise.)"""
    content = (
        "import sqlite3\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/report")\n'
        "def report():\n"
        '    table = request.args["table"]\n'
        '    db = sqlite3.connect("app.db")\n'
        "    try:\n"
        "        rows = db.execute(\n"
        '            f"SELECT count(*) FROM {table}"  # nosec B608 -- the proxy allows three tables\n'
        "        ).fetchall()\n"
        "    finally:\n"
        "        db.close()\n"
        '    return {"n": rows[0][0]}\n'
    )
    j = _judge(content, "report.py")
    (found,) = [f for f in j.findings if f["rule"] == "sql-injection"]
    assert found["suppressed"] == "nosec" and j.verdict != "BARK", (j.verdict, found)
