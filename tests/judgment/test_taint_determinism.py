"""The same cell gets the same findings in every process: the flow engine never reports whichever
taint a set happened to yield first, so two workers or a restart (each with its own hash seed,
PYTHONHASHSEED) agree. Each body joins several inputs into one value that reaches one sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(6)

CASES = {
    # pyflow: a view's HTML answer built from five inputs
    "x.py": """from flask import Flask, request
app = Flask(__name__)

@app.route('/')
def page():
    a = request.args.get('a')
    b = request.form['b']
    c = request.cookies.get('c')
    d = request.headers['d']
    e = request.values['e']
    return a + b + c + d + e
""",
    # pyflow: five inputs stored in the session, as its key and as its value
    "s.py": """from flask import Flask, request, session
app = Flask(__name__)

@app.route('/s')
def store():
    k = request.args['a'] + request.form['b'] + request.cookies['c']
    session[k] = request.headers['d'] + request.values['e']
    return 'ok'
""",
    # jsflow: a nested key built from five inputs
    "a.js": """const express = require('express');
const app = express();
app.post('/', (req, res) => {
  const k = req.query.a + req.body.b + req.params.c + req.headers.d + req.cookies.e;
  const o = {};
  o[k][k] = req.body.v;
  res.send('ok');
});
""",
}

CHILD = """
import json, sys
from cynic_app.judgment import Cell, judge
out = {}
for context, content in json.loads(sys.stdin.read()).items():
    judged = judge(Cell.create(content=content, context="file: " + context), level="MACRO")
    out[context] = sorted((f["rule"], f.get("line"), f["message"]) for f in judged.findings)
print(json.dumps(out, sort_keys=True))
"""


def test_findings_do_not_depend_on_the_hash_seed():
    payload = json.dumps(CASES)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in SEEDS
    ]
    results = {}
    for seed, run in zip(SEEDS, runs, strict=True):
        out, err = run.communicate(payload, timeout=120)
        assert run.returncode == 0, err
        results[seed] = json.loads(out)
    first = results[SEEDS[0]]
    # the bodies do reach their sinks: an empty answer would agree across seeds too
    rules = {context: {rule for rule, _, _ in findings} for context, findings in first.items()}
    assert "xss" in rules["x.py"] and "trust-boundary" in rules["s.py"]
    assert "prototype-pollution" in rules["a.js"]
    differing = {seed: found for seed, found in results.items() if found != first}
    assert not differing, f"PYTHONHASHSEED={SEEDS[0]}: {first}\nothers: {differing}"
