"""Every finding names its rule and line; the cases a reviewer saw judged wrongly now read right."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, Judgment, judge
from cynic_app.judgment.rules import RULES, UnknownRule, hit


def judged(content: str, *, context: str = "", level: str | None = None) -> Judgment:
    return judge(Cell.create(content=content, context=context), level=level)


def rules_at(j: Judgment) -> set[tuple[str, int]]:
    return {(f["rule"], f["line"]) for f in j.findings}


CONNECT = """import psycopg2


def connect():
    return psycopg2.connect(host="db.internal", user="admin", password="hunter2")
"""


@pytest.mark.parametrize("level", ["REFLEX", "MICRO", "MACRO"])
def test_password_passed_to_connect_barks_and_names_the_line(level):
    j = judged(CONNECT, level=level)
    assert j.verdict == "BARK"
    assert ("hardcoded-secret", 5) in rules_at(j)
    assert "line 5: hard-coded password passed to psycopg2.connect()" in j.dog_reasons["GUARDIAN"]


def test_except_pass_inside_a_loop_growls():
    j = judged(
        "def store_all(repo, rows):\n"
        "    for r in rows:\n"
        "        try:\n"
        "            repo.save(r)\n"
        "        except:\n"
        "            pass\n"
    )
    assert j.verdict == "GROWL"
    assert ("swallowed-error", 5) in rules_at(j)
    assert any(r.startswith("line 5: bare except swallows every error") for r in j.dog_reasons["JANITOR"])


def test_debug_leftovers_in_a_money_transfer_growl():
    j = judged(
        "def transfer(ledger, src, dst, amount):\n"
        "    # TODO: limits\n"
        '    print("transfer", src, dst, amount)\n'
        "    breakpoint()\n"
        "    ledger.move(src, dst, amount)  # FIXME: fees\n"
    )
    assert j.verdict == "GROWL"
    assert {("breakpoint", 4), ("debug-print", 3), ("todo", 2), ("fixme", 5)} <= rules_at(j)


def test_a_class_of_stubs_growls():
    j = judged(
        "class Repo:\n"
        "    def get(self, key):\n"
        "        raise NotImplementedError\n"
        "\n"
        "    def put(self, key, value):\n"
        "        pass\n"
    )
    assert j.verdict == "GROWL"
    assert {("stub", 2), ("stub", 5)} <= rules_at(j)


def test_abstract_methods_and_protocols_are_not_stubs():
    j = judged(
        "from abc import ABC, abstractmethod\n"
        "from typing import Protocol\n"
        "\n"
        "\n"
        "class Store(ABC):\n"
        "    @abstractmethod\n"
        "    def get(self, key): ...\n"
        "\n"
        "\n"
        "class Clock(Protocol):\n"
        "    def now(self) -> float: ...\n"
    )
    assert not any(f["rule"] == "stub" for f in j.findings)


def test_javascript_eval_of_a_query_parameter_barks():
    j = judged(
        'const express = require("express");\n'
        "const app = express();\n"
        'app.get("/calc", (req, res) => {\n'
        "  res.json({ result: eval(req.query.expr) });\n"
        "});\n"
    )
    assert j.language == "javascript"
    assert j.verdict == "BARK"
    assert ("code-injection", 4) in rules_at(j)


def test_shell_curl_into_sh_barks():
    j = judged("#!/bin/sh\nset -e\ncurl -fsSL https://get.example.com/install.sh | sh\n")
    assert j.language == "shell"
    assert ("remote-script", 3) in rules_at(j)
    assert j.verdict == "BARK"


def test_a_language_given_in_the_context_wins():
    text = "rm -rf $TARGET/*\n"
    assert judged(text, context="file: clean.sh").language == "shell"
    assert ("destructive-delete", 1) in rules_at(judged(text, context="language: bash"))


def test_python_that_does_not_parse_is_still_checked_for_dangers():
    j = judged("def handler(request):\n    return eval(request.args['q']\n")
    assert j.language == "python"
    assert {f["rule"] for f in j.findings} >= {"syntax-error", "code-injection"}
    assert j.verdict == "BARK"


@pytest.mark.parametrize(
    ("content", "rule", "line"),
    [
        ('import os\nKEY = os.environ.get("API_KEY", "k-93hf82hf")\n', "hardcoded-secret", 2),
        ('def login(user, password="hunter2"):\n    return user\n', "hardcoded-secret", 1),
        ('CONFIG = {"db": {"password": "hunter2!"}}\n', "hardcoded-secret", 1),
        ('URL = "postgres://app:s3cret@db:5432/app"\n', "secret-in-url", 1),
        ('import requests\nrequests.get("https://x", verify=False, timeout=5)\n', "tls-unverified", 2),
        ("import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n", "unsafe-deserialisation", 4),
        ('import os\n\ndef ping(host):\n    os.system("ping -c1 " + host)\n', "shell-injection", 4),
        ('def find(cur, n):\n    cur.execute(f"SELECT * FROM t WHERE n = {n}")\n', "sql-injection", 2),
        ("import hashlib\n\ndef h(password):\n    return hashlib.md5(password)\n", "weak-password-hash", 4),
    ],
)
def test_each_form_of_a_security_hole_barks_at_its_line(content, rule, line):
    j = judged(content)
    assert (rule, line) in rules_at(j)
    assert j.verdict == "BARK"


@pytest.mark.parametrize(
    "content",
    [
        'import os\nPASSWORD = os.environ["DB_PASSWORD"]\npassword_field = "password"\n',
        'def find(cur, name):\n    cur.execute("SELECT * FROM t WHERE n = %s", (name,))\n',
        "import yaml\n\ndef load(text):\n    return yaml.safe_load(text)\n",
        "import hmac\n\ndef ok(sig, expected):\n    return hmac.compare_digest(sig, expected)\n",
        "import secrets\n\ndef make_token():\n    return secrets.token_urlsafe(32)\n",
    ],
)
def test_the_clean_counterparts_raise_no_security_finding(content):
    j = judged(content)
    assert not [f for f in j.findings if RULES[f["rule"]][0] == "security"], j.findings
    assert j.verdict in ("HOWL", "WAG")


def test_findings_are_sorted_by_line_and_named_by_the_dog_that_voiced_them():
    swallowed = "\n\ndef f():\n    try:\n        g()\n    except Exception:\n        pass\n"
    j = judged(CONNECT + swallowed, level="MACRO")
    lines = [f["line"] for f in j.findings]
    assert lines == sorted(lines)
    assert {f["dog"] for f in j.findings} <= set(j.dog_votes)


def test_clean_code_has_no_findings_and_a_judgment_round_trips_with_them():
    clean = judged('def add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n', level="MACRO")
    assert clean.findings == [] and clean.language == "python"
    flawed = judged(CONNECT, level="MACRO")
    assert Judgment.from_dict(flawed.to_dict()) == flawed


def test_a_judgment_stored_before_findings_existed_reads_back_with_none():
    old = judged(CONNECT).to_dict()
    del old["findings"], old["language"]
    j = Judgment.from_dict(old)
    assert j.findings == [] and j.language == ""


def test_an_unknown_rule_is_an_error():
    with pytest.raises(UnknownRule):
        hit("no-such-rule", 1, "x")


def test_pyflakes_finds_undefined_names_at_macro_only():
    content = "import os\n\n\ndef total(items):\n    return sum(i.price for i in itemz)\n"
    macro = judged(content, level="MACRO")
    assert {("undefined-name", 5), ("unused-import", 1)} <= rules_at(macro)
    assert macro.verdict == "GROWL"
    micro = {f["rule"] for f in judged(content, level="MICRO").findings}
    assert not micro & {"undefined-name", "unused-import"}


DEEP = {
    "additions": "x = " + " + ".join(["a"] * 400) + "\n",
    "calls": "x = f" + "()" * 1500 + "\n",
    "powers": "x = " + " ** ".join(["a"] * 1500) + "\n",
    "conditionals": "x = " + " if c else ".join(["a"] * 1500) + "\n",
    "nots": "x = " + "not " * 2000 + "a\n",
    "assert": "assert " + " + ".join(["a"] * 400) + "\n",
    "annotation": "def f() -> " + " | ".join(["a"] * 600) + ":\n    return 1\n",
    "yaml loader": "import yaml\nyaml.load(x, Loader=" + " + ".join(["a"] * 600) + ")\n",
    "sql": 'cur.execute("SELECT * FROM t WHERE a = " + ' + " + ".join(["a"] * 600) + ")\n",
}


@pytest.mark.parametrize("level", ["MICRO", "MACRO"])
@pytest.mark.parametrize("name", sorted(DEEP))
def test_deeply_nested_expressions_are_judged_without_exhausting_the_stack(name, level):
    j = judged(DEEP[name], level=level)
    assert j.verdict in ("HOWL", "WAG", "GROWL", "BARK")
    if level == "MACRO" and j.language == "python":
        assert "deep-expression" in {f["rule"] for f in j.findings}
