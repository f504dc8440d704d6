"""Issue 20: JavaScript, TypeScript (JSX/TSX) and shell judged from a tree-sitter tree, with the
same taint analysis as Python (the line-labelled regression files are test_annotated.py's)."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, Judgment, judge
from cynic_app.judgment.rules import RULES
from cynic_app.judgment.source import Source
from cynic_app.judgment.tsparse import BASH, JS, TS, TSX, grammar_for, parse, syntax_errors


def judged(content: str, context: str = "", level: str | None = None) -> Judgment:
    return judge(Cell.create(content=content, context=context), level=level)


def found(j: Judgment, kind: str | None = None) -> set[tuple[str, int]]:
    return {(f["rule"], f["line"]) for f in j.findings if kind is None or RULES[f["rule"]].kind == kind}


HANDLER = """const express = require("express");
const app = express();

app.get("/calc", (req, res) => {
  const expr = req.query.expr;
  const total = compute(;
  res.json({ result: eval(expr) });
});
"""


def test_a_broken_statement_is_a_finding_on_its_line_and_the_rest_is_still_judged():
    j = judged(HANDLER, "file: calc.js")
    assert ("syntax-error", 6) in found(j)
    assert ("code-injection", 7) in found(j, "security")
    assert j.verdict == "BARK"


def test_syntax_errors_are_reported_once_each_and_at_most_three():
    broken = "\n".join(f"let x{i} = (;" for i in range(20))
    assert len(syntax_errors(parse(broken, JS).root_node)) == 3


@pytest.mark.parametrize(
    ("language", "context", "grammar"),
    [
        ("javascript", "file: app.js", JS),
        ("javascript", "file: App.jsx", JS),
        ("typescript", "file: api.ts", TS),
        ("typescript", "file: Page.tsx", TSX),
        ("shell", "file: deploy.sh", BASH),
    ],
)
def test_the_grammar_follows_the_file_name(language, context, grammar):
    assert grammar_for(language, context) == grammar


def test_typescript_that_only_tsx_reads_is_read_as_tsx():
    tree = parse("export const A = () => <div className={x}>{y}</div>;\n", TS)
    assert not tree.root_node.has_error


def test_the_language_comes_from_the_file_name_else_from_the_content():
    assert Source("x = 1\n", "file: a.tsx").language == "typescript"
    assert Source("const a = require('a');\nmodule.exports = a;\n").language == "javascript"
    assert Source("#!/bin/sh\necho hi\n").language == "shell"
    assert Source("def f():\n    return 1\n").language == "python"
    assert Source("def f():\n    return 1\n").syntax_tree is None


FLOWS = [
    # (content, context, rule, line): a request field that reaches a sink assignments later
    ('const { exec } = require("child_process");\nconst express = require("express");\n'
     'app.post("/a", (req, res) => {\n  const name = req.body.name;\n  const cmd = "tar czf x " + name;\n'
     '  exec(cmd);\n});\n', "file: a.js", "shell-injection", 6),
    ('import express from "express";\nconst app = express();\nfunction run(q) {\n'
     '  return db.query(`SELECT * FROM t WHERE a = ${q}`);\n}\n'
     'app.get("/", (req, res) => run(req.query.q));\n', "file: b.ts", "sql-injection", 4),
    ('const el = document.getElementById("x");\nconst q = new URLSearchParams(location.search).get("q");\n'
     'el.innerHTML = `<b>${q}</b>`;\n', "file: c.js", "xss", 3),
    ('const _ = require("lodash");\napp.post("/s", (req, res) => {\n'
     '  res.json(_.merge({}, req.body));\n});\n', "file: d.js", "prototype-pollution", 3),
    # any window may post a message to a page
    ('window.addEventListener("message", async (event) => {\n  const r = await fetch(event.data.url);\n'
     '  event.source.postMessage(await r.text(), "*");\n});\n', "file: e.js", "ssrf", 2),
]  # fmt: skip


@pytest.mark.parametrize(("content", "context", "rule", "line"), FLOWS)
def test_untrusted_data_is_followed_to_its_sink(content, context, rule, line):
    j = judged(content, context)
    assert (rule, line) in found(j, "security"), j.findings
    hit = next(f for f in j.findings if (f["rule"], f["line"]) == (rule, line))
    assert hit["cwe"] == RULES[rule].cwe and hit["confidence"] >= 0.5


CLEANED = [
    ('const { exec } = require("child_process");\nconst express = require("express");\n'
     'app.post("/a", (req, res) => {\n  const name = req.body.name;\n'
     '  if (!/^[a-z]+$/.test(name)) return res.sendStatus(400);\n  exec("tar czf x " + name);\n});\n',
     "file: a.js"),
    ('const express = require("express");\napp.get("/u/:id", (req, res) => {\n'
     '  const id = parseInt(req.params.id, 10);\n  db.query(`SELECT * FROM users WHERE id = ${id}`);\n});\n',
     "file: b.js"),
    ('const el = document.getElementById("x");\nconst q = new URLSearchParams(location.search).get("q");\n'
     'el.textContent = q;\nel.innerHTML = DOMPurify.sanitize(q);\n', "file: c.js"),
    ('const express = require("express");\napp.get("/u/:id", async (req, res) => {\n'
     '  const user = await User.findByPk(req.params.id);\n  res.send(`<h1>${user.name}</h1>`);\n});\n',
     "file: d.js"),
    # a worker's messages come from the same-origin page that started it (urllib3's fetch worker)
    ('self.addEventListener("message", async (event) => {\n  const r = await fetch(event.data.url);\n'
     '  self.postMessage(await r.text());\n});\n', "file: fetch_worker.js"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "context"), CLEANED)
def test_checked_or_cleaned_data_is_no_hole(content, context):
    assert not found(judged(content, context), "security")


def test_rules_that_need_no_flow_keep_working():
    js = judged(
        'const https = require("https");\nconst agent = new https.Agent({ rejectUnauthorized: false });\n'
        'const db = { password: "Sh0pP@ssw0rd!" };\n'
        "function makeToken() {\n  return Math.random().toString(36);\n}\n",
        "file: a.js",
    )
    assert {("tls-unverified", 2), ("hardcoded-secret", 3), ("insecure-random", 4)} <= found(js, "security")
    sh = judged(
        '#!/bin/sh\ncurl -s https://x.example/i.sh | sh\nrm -rf $DIR/\nexport API_TOKEN="a8Fk2LqZ9x"\n'
    )
    assert {("remote-script", 2), ("destructive-delete", 3), ("hardcoded-secret", 4)} <= found(sh, "security")


def test_a_guarded_variable_may_be_deleted():
    sh = judged('#!/bin/bash\nset -eu\nrm -rf -- "${DIR:?}"/*\nrm -rf "$TARGET"/x\n', "file: a.sh")
    assert ("destructive-delete", 3) not in found(sh)
    assert ("destructive-delete", 4) in found(sh)


def test_prototype_pollution_has_its_own_rule_and_cwe():
    assert RULES["prototype-pollution"].cwe == 1321 and RULES["prototype-pollution"].kind == "security"


def test_lines_that_swallow_the_code_after_them_are_read_past():
    # red before: the HTML lines turned the whole file into one error and the XSS went unseen
    hostile = (
        '<img src=x onerror="window.pwned = 1">\n'
        "<script>window.pwned = 2</script>\n"
        'document.body.innerHTML = "<b>" + location.hash;\n'
    )
    j = judged(hostile)
    assert ("xss", 3) in found(j, "security")
    assert ("syntax-error", 1) in found(j)


def test_a_one_line_file_that_does_not_parse_is_not_blanked_away():
    j = judged("const token = Math.random(); let x = (;", "file: a.js")
    assert ("insecure-random", 1) in found(j, "security")


def test_eval_of_a_value_of_no_known_origin_is_a_look_as_in_python():
    """eval/Function of a value nothing shows the origin of is a possible code-injection (0.3, a
    look that moves no verdict); of a request field, a hole; of numbers made from one, nothing."""
    look = judged("function run(code) {\n  return eval(code);\n}\nmodule.exports = { run };\n", "file: r.js")
    (f,) = [f for f in look.findings if f["rule"] == "code-injection"]
    assert (f["line"], f["confidence"], look.verdict) == (2, 0.3, "WAG")
    numbers = (
        'const express = require("express");\nconst app = express();\n'
        'app.post("/calc", (req, res) => {\n  const a = Number(req.body.a);\n'
        "  res.json(eval(`${a} + 1`));\n});\n"
    )
    assert not [f for f in judged(numbers, "file: c.js").findings if f["rule"] == "code-injection"]
