"""A function named for undoing an encoding gives back the untrusted text it was given: ``unquote``
and ``unescape`` are not the sanitisers ``quote`` and ``escape`` (the fourth adversarial review,
2026-12-07, found all four holes below judged HOWL)."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge

FLASK = "from flask import Flask, request\nimport os\nimport html\nimport shlex\napp = Flask(__name__)\n"


def rules(content: str, name: str = "x.py") -> set[str]:
    return {f["rule"] for f in judge(Cell.create(content=content, context=f"file: {name}")).findings}


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ("from urllib.parse import unquote\n@app.route('/d')\ndef d():\n"
         "    os.system(unquote(request.args['c']))\n    return ''\n", "shell-injection"),
        ("from urllib.parse import unquote_plus\n@app.route('/d')\ndef d(db):\n"
         "    db.execute(\"SELECT * FROM t WHERE n = '\" + unquote_plus(request.args['n']) + \"'\")\n"
         "    return ''\n", "sql-injection"),
        ("@app.route('/d')\ndef d():\n    return '<p>' + html.unescape(request.args['m']) + '</p>'\n", "xss"),
    ],
    ids=["unquote to a shell", "unquote_plus to SQL", "unescape to HTML"],
)  # fmt: skip
def test_a_decoder_passes_python_taint_on(body, rule):
    assert rule in rules(FLASK + body)


def test_a_decoder_passes_javascript_taint_on():
    source = (
        "const express = require('express');\nconst cp = require('child_process');\n"
        "const app = express();\napp.get('/a', (req, res) => {\n"
        "  cp.exec('ls ' + unescape(req.query.d));\n"
        "  res.send('<p>' + unescape(req.query.m) + '</p>');\n});\n"
    )
    assert {"shell-injection", "xss"} <= rules(source, "x.js")


def test_the_encoders_still_clean():
    quoted = (
        "@app.route('/d')\ndef d():\n    os.system('ls ' + shlex.quote(request.args['c']))\n    return ''\n"
    )
    escaped = "@app.route('/d')\ndef d():\n    return '<p>' + html.escape(request.args['m']) + '</p>'\n"
    assert "shell-injection" not in rules(FLASK + quoted)
    assert "xss" not in rules(FLASK + escaped)


@pytest.mark.parametrize(
    "decoder", ["dequote", "strip_quotes", "un_escape", "escape_decode", "remove_escapes"]
)
def test_a_function_named_for_undoing_an_encoding_does_not_clean(decoder):
    body = (
        f"from helpers import {decoder}\n\n\n@app.route('/d')\ndef d():\n"
        f"    os.system('ls ' + {decoder}(request.args['c']))\n    return ''\n"
    )
    assert "shell-injection" in rules(FLASK + body)


@pytest.mark.parametrize("encoder", ["quote", "shell_quote", "escape_html", "html_escape", "sanitize_name"])
def test_a_function_named_for_an_encoding_still_cleans(encoder):
    body = (
        f"from helpers import {encoder}\n\n\n@app.route('/d')\ndef d():\n"
        f"    os.system('ls ' + {encoder}(request.args['c']))\n    return ''\n"
    )
    assert "shell-injection" not in rules(FLASK + body)
