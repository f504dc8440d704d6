"""What each rule means, as data: why it matters, code it fires on and the same code fixed.

rules.py states a rule's kind, severity, CWE and title; this module explains it to the person who
reads a finding. review/rulesdoc.py renders both into docs/rules.md (and SARIF's rule help), and a
test fails when a rule in RULES has no entry here. Examples are whole and realistic: the bad one
is what the rule fires on, the fixed one what a reviewer would accept.

A few examples hold what the judge flags in any text (a cloud key, a password inside a URL, a
to-do marker, comment lines that read as code); they are assembled from pieces below, so that
this module does not show the very thing it documents.
"""

# ruff: noqa: E501 -- prose reads better unbroken
from __future__ import annotations

from typing import NamedTuple


class RuleDoc(NamedTuple):
    what: str  # what the rule finds, in a sentence or three
    why: str  # what goes wrong if it stays
    bad: str  # code the rule fires on
    good: str  # the same code fixed
    language: str = "python"  # of the examples: python, javascript, typescript, shell, text


_AWS = "AKIA" + "ZQ3DEXAMPLEKEY7Q"
_URL_WITH_PASSWORD = "postgresql://billing:" + "Wint3r-Sun-42" + "@db.internal/billing"
_TODO, _FIXME = "TO" + "DO", "FIX" + "ME"
_PLAIN_HTTP = "http" + "://docs.example.com/api"
_BAD_HOST = "https://api.example." + "c/v1/orders"
_COMMENT = "    " + "# "
_COMMENTED_OUT = "\n".join(
    [
        "def total(items):",
        _COMMENT + "subtotal = sum(i.price for i in items)",
        _COMMENT + "if subtotal > 100:",
        _COMMENT + "    subtotal = subtotal * 0.9",
        "    return sum(i.price * i.quantity for i in items)",
    ]
)
SHELL, TEXT = "shell", "text"

RULE_DOCS: dict[str, RuleDoc] = {
    # -- security holes ------------------------------------------------------------------------
    "hardcoded-secret": RuleDoc(
        what="A password, token or API key written into the code as a literal: assigned to a name that says it is a secret, passed as such an argument (`password=`, `token=`), used as the default of such a parameter or as the fallback of an environment variable, or compared with one.",
        why="Everyone who can read the repository, its history, a wheel or a container image can read the secret, and it cannot be rotated without a release. Leaked credentials are among the first things attackers search public code for.",
        bad="""
import psycopg


def connect_billing():
    return psycopg.connect(host="db.internal", user="billing", password="Wint3r-Sun-42")
""",
        good="""
import os

import psycopg


def connect_billing():
    return psycopg.connect(host="db.internal", user="billing", password=os.environ["BILLING_DB_PASSWORD"])
""",
    ),
    "secret-in-url": RuleDoc(
        what="A URL that carries a password in its user-info part (`scheme://user:password@host`), where the password is a literal rather than a placeholder or a variable.",
        why="URLs are logged, printed in error messages, shown in process lists and copied into tickets: the password travels with every copy. It is also a hard-coded credential, with the same rotation problem.",
        bad=f"""
from sqlalchemy import create_engine

engine = create_engine("{_URL_WITH_PASSWORD}")
""",
        good="""
import os

from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"])  # set by the deployment, never committed
""",
    ),
    "embedded-key": RuleDoc(
        what="A private key block or a cloud provider's key written into the code: an AWS access key id, a GitHub, Slack, Stripe or Google API key, a webhook signing secret, or a PEM private key.",
        why="These keys have recognisable shapes and are harvested from public repositories within minutes of a push. A leaked cloud key is routinely turned into bills, data theft or a foothold in the account.",
        bad=f"""
import boto3

s3 = boto3.client("s3", aws_access_key_id="{_AWS}", aws_secret_access_key=SECRET)
""",
        good="""
import boto3

s3 = boto3.client("s3")  # credentials from the environment, the instance role or ~/.aws
""",
    ),
    "sql-injection": RuleDoc(
        what="An SQL statement built from untrusted input — a web request's fields, the command line, the console — by formatting or concatenation, and passed to `execute()` or a similar call.",
        why="Whoever controls the input controls the query: `' OR '1'='1` reads every row, `'; DROP TABLE users; --` destroys them. Query parameters keep data out of the SQL text whatever it holds.",
        bad="""
from flask import Flask, request

app = Flask(__name__)


@app.get("/users")
def find_user():
    name = request.args["name"]
    rows = db.execute(f"SELECT id, email FROM users WHERE name = '{name}'").fetchall()
    return {"users": rows}
""",
        good="""
from flask import Flask, request

app = Flask(__name__)


@app.get("/users")
def find_user():
    name = request.args["name"]
    rows = db.execute("SELECT id, email FROM users WHERE name = %s", (name,)).fetchall()
    return {"users": rows}
""",
    ),
    "shell-injection": RuleDoc(
        what="An operating-system command built from untrusted input and run through a shell (`os.system`, `subprocess` with `shell=True`, `os.popen`, `eval` in a shell script, `exec` in Node), or untrusted input chosen as the program to run.",
        why="The shell reads `;`, `|`, `$(…)` and backticks in the input as commands of their own: `8.8.8.8; rm -rf ~` runs both. Passing the program and its arguments as a list never involves a shell.",
        bad="""
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.get("/ping")
def ping():
    host = request.args["host"]
    done = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)
    return {"output": done.stdout}
""",
        good="""
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.get("/ping")
def ping():
    host = request.args["host"]
    done = subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, text=True, timeout=10)
    return {"output": done.stdout}
""",
    ),
    "code-injection": RuleDoc(
        what="Untrusted input run as code: `eval`, `exec`, `compile` and their cousins (`pandas.eval`, `numexpr.evaluate`; `new Function`, `vm.runInContext` and `setTimeout` of a string in JavaScript).",
        why="Anyone who can send the input can run anything the process can: read its secrets, open a shell, move through the network. There is no safe subset of `eval`.",
        bad="""
from flask import Flask, request

app = Flask(__name__)


@app.get("/calc")
def calc():
    return {"result": eval(request.args["expr"])}
""",
        good="""
import ast

from flask import Flask, request

app = Flask(__name__)


@app.get("/calc")
def calc():
    # literal_eval reads numbers, strings and containers, and nothing that runs
    return {"result": ast.literal_eval(request.args["expr"])}
""",
    ),
    "path-traversal": RuleDoc(
        what="A file path taken from untrusted input and opened, listed, deleted, copied or extracted to, without reducing it to a plain file name or checking that it stays inside the intended directory.",
        why="`../../etc/passwd` walks out of the upload directory; an absolute path ignores it altogether. Attackers read configuration and keys, or overwrite files the service later runs.",
        bad="""
from flask import Flask, request

app = Flask(__name__)


@app.get("/download")
def download():
    name = request.args["name"]
    with open(f"/srv/uploads/{name}", "rb") as f:
        return f.read()
""",
        good="""
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)


@app.get("/download")
def download():
    name = secure_filename(request.args["name"])  # "../../etc/passwd" becomes "etc_passwd"
    with open(f"/srv/uploads/{name}", "rb") as f:
        return f.read()
""",
    ),
    "xpath-injection": RuleDoc(
        what="An XPath expression built from untrusted input and evaluated (`lxml`'s `xpath()`, `XPath()`, `find()`, `elementpath`).",
        why="Quotes in the input change the query: `' or '1'='1` matches every node, which turns a login check against an XML user store into a bypass. XPath variables keep the value out of the expression.",
        bad="""
from flask import request
from lxml import etree

users = etree.parse("users.xml")


def find_user():
    name = request.args["name"]
    return users.xpath(f"//user[@name='{name}']")
""",
        good="""
from flask import request
from lxml import etree

users = etree.parse("users.xml")


def find_user():
    return users.xpath("//user[@name=$name]", name=request.args["name"])
""",
    ),
    "ldap-injection": RuleDoc(
        what="An LDAP search filter built from untrusted input without escaping its special characters (`*`, `(`, `)`, `\\`, NUL).",
        why="`*)(uid=*` rewrites the filter: a lookup of one user returns the whole directory, and a bind check can be made to match any account.",
        bad="""
from flask import request
from ldap3 import Connection

conn = Connection("ldap://ldap.internal", auto_bind=True)


def lookup():
    uid = request.args["uid"]
    conn.search("dc=example,dc=com", f"(uid={uid})", attributes=["mail"])
    return conn.entries
""",
        good="""
from flask import request
from ldap3 import Connection
from ldap3.utils.conv import escape_filter_chars

conn = Connection("ldap://ldap.internal", auto_bind=True)


def lookup():
    uid = escape_filter_chars(request.args["uid"])
    conn.search("dc=example,dc=com", f"(uid={uid})", attributes=["mail"])
    return conn.entries
""",
    ),
    "open-redirect": RuleDoc(
        what="A redirect to a URL taken from untrusted input (`redirect(request.args['next'])`), so the site sends its users wherever the link says.",
        why="Phishing links borrow the site's good name: `https://bank.example/login?next=https://bank-example.evil/` looks trustworthy and lands on the attacker's copy after login. Redirect only to your own paths or to an allow-list.",
        bad="""
from flask import Flask, redirect, request

app = Flask(__name__)


@app.post("/login")
def login():
    authenticate(request.form)
    return redirect(request.args["next"])
""",
        good="""
from flask import Flask, redirect, request, url_for

app = Flask(__name__)
NEXT_PAGES = {"dashboard", "settings", "billing"}


@app.post("/login")
def login():
    authenticate(request.form)
    page = request.args.get("next", "dashboard")
    return redirect(url_for(page if page in NEXT_PAGES else "dashboard"))
""",
    ),
    "trust-boundary": RuleDoc(
        what="Untrusted input stored in the server-side session as it arrived, where later code will treat it as established fact (who the user is, what they may do).",
        why="Session values are usually trusted without a second look. Copying request data into them lets a client state its own identity or role, and mixes checked and unchecked data under one name.",
        bad="""
from flask import Flask, request, session

app = Flask(__name__)


@app.post("/login")
def login():
    session["user"] = request.form["user"]
    return {"ok": True}
""",
        good="""
from flask import Flask, abort, request
from flask_login import login_user

app = Flask(__name__)


@app.post("/login")
def login():
    user = authenticate(request.form["user"], request.form["password"])
    if user is None:
        abort(401)
    login_user(user)  # the session holds the id the server looked up, not what the client said
    return {"ok": True}
""",
    ),
    "ssrf": RuleDoc(
        what="A server-side HTTP request to a URL taken from untrusted input (`requests.get(request.args['url'])`, `urlopen`, `httpx`).",
        why="The server becomes the attacker's proxy inside your network: it reaches admin consoles, databases with HTTP interfaces and the cloud metadata service (`169.254.169.254`), which hands out credentials.",
        bad="""
import requests
from flask import Flask, request

app = Flask(__name__)


@app.get("/preview")
def preview():
    return requests.get(request.args["url"], timeout=5).text
""",
        good="""
import requests
from flask import Flask, abort, request

app = Flask(__name__)
PREVIEWS = {"docs": "https://docs.example.com/", "blog": "https://blog.example.com/"}


@app.get("/preview")
def preview():
    url = PREVIEWS.get(request.args["site"])  # only a URL of ours can come out
    if url is None:
        abort(404)
    return requests.get(url, timeout=5).text
""",
    ),
    "nosql-injection": RuleDoc(
        what="A MongoDB query (`find`, `find_one`, `update_one`, `aggregate`…) whose filter takes values straight from a JSON request body, where a value may be an object instead of a string.",
        why='A client that sends `{"password": {"$ne": null}}` turns an equality test into "anything but null": the login matches every account. Make sure each value is the type you expect.',
        bad="""
from flask import Flask, request
from pymongo import MongoClient

app = Flask(__name__)
users = MongoClient().shop.users


@app.post("/login")
def login():
    body = request.get_json()
    user = users.find_one({"name": body["name"], "password_hash": hash_password(body["password"])})
    return {"ok": user is not None}
""",
        good="""
from flask import Flask, abort, request
from pymongo import MongoClient

app = Flask(__name__)
users = MongoClient().shop.users


@app.post("/login")
def login():
    body = request.get_json()
    name, password = body.get("name"), body.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        abort(400)
    user = users.find_one({"name": name})  # a string now: it can only be equal
    return {"ok": user is not None and verify_password(user["password_hash"], password)}
""",
    ),
    "regex-injection": RuleDoc(
        what="A regular expression compiled from untrusted input (`re.compile`, `re.search`, `re.sub`… with the pattern from a request).",
        why="The input can be a pattern that backtracks for minutes (`(a+)+$`), tying up a worker per request, or one that matches far more than intended. Escape it to search for the text itself.",
        bad="""
import re

from flask import Flask, request

app = Flask(__name__)


@app.get("/search")
def search():
    pattern = re.compile(request.args["q"], re.IGNORECASE)
    return {"titles": [t for t in TITLES if pattern.search(t)]}
""",
        good="""
import re

from flask import Flask, request

app = Flask(__name__)


@app.get("/search")
def search():
    pattern = re.compile(re.escape(request.args["q"]), re.IGNORECASE)
    return {"titles": [t for t in TITLES if pattern.search(t)]}
""",
    ),
    "unsafe-reflection": RuleDoc(
        what="A module or class chosen by untrusted input: `importlib.import_module(name)` or `__import__(name)` with a name from a request.",
        why="Importing runs the module's top-level code. The caller picks which code runs, including modules never meant to be reachable (`os`, test helpers, debugging tools).",
        bad="""
import importlib

from flask import Flask, request

app = Flask(__name__)


@app.post("/export")
def export():
    exporter = importlib.import_module(f"exporters.{request.args['format']}")
    return exporter.render(load_report())
""",
        good="""
from flask import Flask, abort, request

from exporters import csv_export, pdf_export

app = Flask(__name__)
EXPORTERS = {"csv": csv_export, "pdf": pdf_export}


@app.post("/export")
def export():
    exporter = EXPORTERS.get(request.args["format"])
    if exporter is None:
        abort(400)
    return exporter.render(load_report())
""",
    ),
    "unsafe-deserialisation": RuleDoc(
        what="Data deserialised with a format that can run code or build arbitrary objects: `pickle`, `marshal`, `dill`, `shelve`, `jsonpickle`, `yaml.load` without a safe loader (`unserialize` in JavaScript).",
        why="A pickle is a program: loading one from a request, a cache or an uploaded file runs whatever its author wrote. YAML's full loader can construct any Python object. Use JSON, or `yaml.safe_load`, for data that crosses a trust boundary.",
        bad="""
import pickle

from flask import Flask, request

app = Flask(__name__)


@app.post("/cart")
def restore_cart():
    cart = pickle.loads(request.get_data())
    return {"items": len(cart)}
""",
        good="""
import json

from flask import Flask, request

app = Flask(__name__)


@app.post("/cart")
def restore_cart():
    cart = json.loads(request.get_data())
    return {"items": len(cart)}
""",
    ),
    "xxe": RuleDoc(
        what="An XML parser that resolves external entities (lxml with `resolve_entities=True`, a SAX parser with external general entities on) given untrusted XML.",
        why='An entity like `<!ENTITY x SYSTEM "file:///etc/passwd">` makes the parser read local files or fetch internal URLs and put them in the document; nested entities can also exhaust memory. `defusedxml` refuses all of it.',
        bad="""
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.post("/import")
def import_feed():
    parser = etree.XMLParser(resolve_entities=True)
    root = etree.fromstring(request.get_data(), parser)
    return {"items": len(root)}
""",
        good="""
from defusedxml.ElementTree import fromstring
from flask import Flask, request

app = Flask(__name__)


@app.post("/import")
def import_feed():
    root = fromstring(request.get_data())  # entities and DTDs refused
    return {"items": len(root)}
""",
    ),
    "tls-unverified": RuleDoc(
        what="TLS certificate or host-name checks turned off: `verify=False`, `ssl._create_unverified_context()`, `CERT_NONE`, `check_hostname = False`, paramiko's `AutoAddPolicy`, `curl -k`, `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`. Turned off only on one branch (a caller's option), it is reported as unsure.",
        why="Without the check, anyone on the path (a café's Wi-Fi, a compromised router, a proxy) can present their own certificate and read or change the traffic, credentials included. Trust the right CA instead of trusting everyone.",
        bad="""
import requests

response = requests.get("https://billing.internal/api/invoices", verify=False, timeout=10)
""",
        good="""
import requests

# The internal CA's certificate, shipped with the deployment:
response = requests.get(
    "https://billing.internal/api/invoices", verify="/etc/ssl/internal-ca.pem", timeout=10
)
""",
    ),
    "weak-password-hash": RuleDoc(
        what="A password hashed with a fast, general-purpose hash: MD5 or SHA-1 in Python (`hashlib.md5(password…)`), and also SHA-256 or SHA-512 through `createHash` in JavaScript, without the deliberate cost of a password-hashing function.",
        why="Fast hashes are built to be computed billions of times a second: a stolen table of SHA-256 password hashes is cracked in bulk on one GPU. scrypt, bcrypt and argon2 are slow and salted on purpose.",
        bad="""
import hashlib


def store_password(user, password):
    user.password_hash = hashlib.md5(password.encode()).hexdigest()
""",
        good="""
import hashlib
import os


def store_password(user, password):
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    user.password_hash = salt.hex() + ":" + digest.hex()
""",
    ),
    "insecure-random": RuleDoc(
        what="A value from a predictable random generator (`random`, `numpy.random`, `Math.random()`) used where it must be unguessable: a token, a password, a session id, a nonce, a reset code.",
        why="`random` is a Mersenne Twister: after 624 outputs its whole future is known, and its seed is often guessable. An attacker predicts the next reset token or session id. `secrets` reads the operating system's generator.",
        bad="""
import random
import string


def reset_token():
    token = "".join(random.choice(string.ascii_letters) for _ in range(32))
    return token
""",
        good="""
import secrets


def reset_token():
    return secrets.token_urlsafe(32)
""",
    ),
    "timing-unsafe-compare": RuleDoc(
        what="A secret — a signature, a MAC, a digest, an API key, a token that authenticates — compared with `==` or `!=`.",
        why="`==` stops at the first differing byte, so the answer takes longer the more of the secret the guess gets right. Measured over many requests, that leaks the secret a byte at a time. `hmac.compare_digest` takes the same time whatever the input.",
        bad="""
import hashlib
import hmac


def verify_webhook(body: bytes, signature: str, key: bytes) -> bool:
    expected_signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    return signature == expected_signature
""",
        good="""
import hashlib
import hmac


def verify_webhook(body: bytes, signature: str, key: bytes) -> bool:
    expected_signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected_signature)
""",
    ),
    "insecure-cookie": RuleDoc(
        what="A cookie set by a web application with `secure=False`, so the browser also sends it over plain HTTP.",
        why="Anyone who sees one plain-HTTP request (an old link, a downgrade on a hostile network) reads the cookie, and a session cookie is the session. Mark cookies `Secure`, and `HttpOnly` when scripts need not read them.",
        bad="""
from flask import Flask, make_response

app = Flask(__name__)


@app.post("/login")
def login():
    response = make_response({"ok": True})
    response.set_cookie("session", new_session_id(), secure=False)
    return response
""",
        good="""
from flask import Flask, make_response

app = Flask(__name__)


@app.post("/login")
def login():
    response = make_response({"ok": True})
    response.set_cookie("session", new_session_id(), secure=True, httponly=True, samesite="Lax")
    return response
""",
    ),
    "jwt-unverified": RuleDoc(
        what='A JSON Web Token decoded without verifying its signature (`options={"verify_signature": False}`, `verify=False`) or with the `none` algorithm allowed.',
        why='An unverified token is a claim anyone can write: change `"sub": "42"` to `"sub": "1"` or `"role": "admin"` and the service believes it. Always pass the key and the algorithms you accept.',
        bad="""
import jwt


def current_user(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]
""",
        good="""
import jwt


def current_user(token: str) -> str:
    claims = jwt.decode(token, SIGNING_KEY, algorithms=["HS256"])
    return claims["sub"]
""",
    ),
    "weak-cipher": RuleDoc(
        what="A broken cipher, mode or protocol: DES, 3DES, RC2, RC4, Blowfish, IDEA, ECB mode, SSL 2/3 and TLS 1.0/1.1.",
        why="These are broken in practice: RC4 and DES fall to known attacks, and ECB encrypts equal blocks to equal blocks, so the shape of the data shows through. Use AES-GCM or ChaCha20-Poly1305, and TLS 1.2 or later.",
        bad="""
from Crypto.Cipher import DES


def encrypt(key: bytes, data: bytes) -> bytes:
    return DES.new(key, DES.MODE_ECB).encrypt(data)
""",
        good="""
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def encrypt(key: bytes, data: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, data, None)
""",
    ),
    "xss": RuleDoc(
        what="Untrusted input written into HTML without escaping: returned as a view's HTML answer, wrapped in `Markup`/`mark_safe`, or in JavaScript assigned to `innerHTML`, passed to `document.write` or `dangerouslySetInnerHTML`.",
        why="The input becomes part of the page: `<script>` in a name runs in every visitor's browser with the site's cookies and permissions. Escape on output, or let a template engine that escapes by default do it.",
        bad="""
from flask import Flask, request

app = Flask(__name__)


@app.get("/hello")
def hello():
    return f"<h1>Hello, {request.args['name']}!</h1>"
""",
        good="""
from html import escape

from flask import Flask, request

app = Flask(__name__)


@app.get("/hello")
def hello():
    return f"<h1>Hello, {escape(request.args['name'])}!</h1>"
""",
    ),
    "template-injection": RuleDoc(
        what='A server-side template built from untrusted input (`render_template_string(f"…{user_input}…")`, `jinja2.Template(user_input)`), so the input is read as template code.',
        why="Template languages reach Python objects: `{{ config }}` prints the app's secrets, and a few attribute hops from any object reach `os.popen`. Pass input as a template variable, never as template text.",
        bad="""
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.get("/greet")
def greet():
    return render_template_string(f"<p>Hello {request.args['name']}</p>")
""",
        good="""
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.get("/greet")
def greet():
    return render_template_string("<p>Hello {{ name }}</p>", name=request.args["name"])
""",
    ),
    "prototype-pollution": RuleDoc(
        what="Keys taken from a request written into an object one level down (`store[section][key] = value`), or a request body deep-merged into an object (`_.merge`, `$.extend(true, …)`, a hand-written recursive merge).",
        why="A key named `__proto__` (or `constructor.prototype`) writes onto `Object.prototype`: every object in the process gains the property. Attackers use it to turn on options (`isAdmin`, `shell`), crash the service, or reach code execution through a template engine or `child_process` option.",
        bad="""
const express = require("express");

const app = express();
app.use(express.json());
const store = {};

app.post("/set", (req, res) => {
  const { section, key, value } = req.body;
  store[section] = store[section] || {};
  store[section][key] = value;
  res.json(store);
});
""",
        good="""
const express = require("express");

const app = express();
app.use(express.json());
const store = new Map();

app.post("/set", (req, res) => {
  const { section, key, value } = req.body;
  if (!store.has(section)) store.set(section, new Map());
  store.get(section).set(String(key), value);
  res.sendStatus(204);
});
""",
        language="javascript",
    ),
    "unsafe-regex": RuleDoc(
        what="A regular expression with a repetition inside a repetition that can match the same text in many ways (`(a+)+`, `([a-z]+\\s?)*`): on text that almost matches, a backtracking engine (V8's, Python's `re`) tries them all.",
        why="Matching time grows exponentially with the input: a 30-character string can stall the event loop or a worker for seconds (ReDoS, CWE-1333). One request stops the service for everyone. Write each part so that it can match in one way only, or bound the input's length first.",
        bad="""
const EMAIL = /^([a-zA-Z0-9]+\\s?)*@example\\.com$/;

function isCompanyEmail(text) {
  return EMAIL.test(text);
}

module.exports = { isCompanyEmail };
""",
        good="""
const EMAIL = /^[a-zA-Z0-9]+(?: [a-zA-Z0-9]+)*@example\\.com$/;

function isCompanyEmail(text) {
  return text.length <= 254 && EMAIL.test(text);
}

module.exports = { isCompanyEmail };
""",
        language="javascript",
    ),
    "remote-script": RuleDoc(
        what="A download piped straight into a shell (`curl … | sh`, `wget -O- … | sudo bash`).",
        why="Whatever the server sends runs with your privileges, unread and unchecked: a compromised host, a hijacked DNS name or a truncated download (a half-sent `rm -rf /tmp/x` is `rm -rf /`) runs as is. Download, check a published checksum, then run.",
        bad="""
#!/bin/sh
set -eu
curl -fsSL https://get.example.com/install.sh | sh
""",
        good="""
#!/bin/sh
set -eu
curl -fsSLo install.sh https://get.example.com/install.sh
echo "3f5c8e...  install.sh" | sha256sum -c -
sh install.sh
""",
        language=SHELL,
    ),
    "destructive-delete": RuleDoc(
        what='A recursive delete of a path that is not checked: `rm -r "$DIR"` where the variable may be empty or unset, `rm -rf /`, or (in code with no parser) a forced recursive delete.',
        why='With the variable empty, `rm -rf "$BUILD_DIR/"` becomes `rm -rf /`. `${VAR:?}` stops the script instead when the variable is empty or unset.',
        bad="""
#!/bin/sh
set -eu
rm -rf "$BUILD_DIR/"
""",
        good="""
#!/bin/sh
set -eu
rm -rf -- "${BUILD_DIR:?}/"
""",
        language=SHELL,
    ),
    "world-writable": RuleDoc(
        what="A file or directory made writable by every user of the machine: `os.chmod(path, 0o777)`, `chmod 666`, `chmod a+w`.",
        why="Any local user, or any other compromised service on the host, can change the file: replace a script that root later runs, edit a configuration, or plant data the service trusts.",
        bad="""
import os


def publish(report_path):
    os.chmod(report_path, 0o777)
""",
        good="""
import os


def publish(report_path):
    os.chmod(report_path, 0o640)  # owner writes, the service's group reads
""",
    ),
    "debug-server": RuleDoc(
        what="A web framework's interactive debugger served to the network: `app.run(debug=True)` in Flask or Werkzeug.",
        why="The Werkzeug debugger lets whoever sees an error page run Python in the server process. Reachable from the network, it is remote code execution by design.",
        bad="""
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
""",
        good="""
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="127.0.0.1", debug=os.environ.get("FLASK_DEBUG") == "1")
""",
    ),
    # -- defects ---------------------------------------------------------------------------------
    "syntax-error": RuleDoc(
        what="Code that does not parse in the language it was read as. The finding names the line and the parser's complaint.",
        why="It cannot run, and nothing else about it can be checked: the other rules see no tree to read. Often it is a paste that lost a line, or a merge conflict left behind.",
        bad="""
def greet(name)
    return f"Hello, {name}"
""",
        good="""
def greet(name):
    return f"Hello, {name}"
""",
    ),
    "swallowed-error": RuleDoc(
        what="An error caught and dropped: `except Exception: pass` (or a bare `except:`) with nothing done, an empty `catch {}` or `.catch(() => {})` in JavaScript, `cmd 2>/dev/null || true` in shell. Clean-up code that says why in a comment is not reported.",
        why="The program carries on in a state nobody checked, and the only evidence of the failure is gone. Catch what you expect and can handle; let the rest reach someone who will see it.",
        bad="""
import json


def load_settings(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        pass
""",
        good="""
import json


def load_settings(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}  # no settings file: the defaults apply
""",
    ),
    "fire-and-forget": RuleDoc(
        what="A task started and its handle dropped: `asyncio.create_task(…)`, `loop.create_task`, `executor.submit(…)`, `run_in_executor(…)` called as a statement.",
        why="Nobody awaits the result, so its exception is never seen (asyncio only logs it when the task is garbage-collected, if ever), and a task with no reference can be collected before it finishes.",
        bad="""
import asyncio


async def register(user):
    await save(user)
    asyncio.create_task(send_welcome_email(user))
""",
        good="""
import asyncio

background_tasks = set()


async def register(user):
    await save(user)
    task = asyncio.create_task(send_welcome_email(user))
    background_tasks.add(task)
    task.add_done_callback(report_and_forget)  # logs the exception, then discards the task
""",
    ),
    "breakpoint": RuleDoc(
        what="A debugger breakpoint left in the code: `breakpoint()`, `pdb.set_trace()`, `ipdb.set_trace()`, a `debugger` statement in JavaScript.",
        why="In production the process stops and waits for a debugger that never comes: the request hangs, the worker is lost, and under a server it can even hand a debugging prompt to whoever holds the socket.",
        bad="""
def apply_discount(order, code):
    breakpoint()
    return order.total * DISCOUNTS[code]
""",
        good="""
def apply_discount(order, code):
    return order.total * DISCOUNTS[code]
""",
    ),
    "debug-print": RuleDoc(
        what='A `print()` left in library code to look at values: a dump of bare variables, a `"name ="` label, or a marker like `DEBUG`. Output of a command-line program (a module with `if __name__ == "__main__"`) is not reported.',
        why="It writes to a stream the caller owns, cannot be turned off or routed, and often prints data that should not reach logs. `logging.debug` can be switched on when needed.",
        bad="""
def charge(customer, amount):
    print("DEBUG customer =", customer)
    return gateway.charge(customer.card, amount)
""",
        good="""
import logging

log = logging.getLogger(__name__)


def charge(customer, amount):
    log.debug("charging customer %s", customer.id)
    return gateway.charge(customer.card, amount)
""",
    ),
    "debug-mode": RuleDoc(
        what="A debug switch assigned `True` in the code: `DEBUG = True`, `app.debug = True`.",
        why="Debug modes show stack traces, settings and sometimes an interactive console to whoever triggers an error, and turn off protections. A committed `True` ships to production the day someone forgets to override it.",
        bad="""
# settings.py
DEBUG = True
ALLOWED_HOSTS = ["shop.example.com"]
""",
        good="""
# settings.py
import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["shop.example.com"]
""",
    ),
    "stub": RuleDoc(
        what='A function that does nothing — its body is `pass`, `...` or a docstring, or it only raises `NotImplementedError` (in JavaScript, throws "not implemented") — and is called as though it did something. Hooks a subclass overrides, null objects, functions used as values and empty bodies whose comment says why are not reported.',
        why="Callers believe the work is done: the refund is never made, the audit record never written, and nothing fails to say so.",
        bad="""
def refund(order):
    pass


def cancel(order):
    refund(order)
    order.status = "cancelled"
""",
        good="""
def refund(order):
    payments.refund(order.payment_id, amount=order.total)
    order.refunded = True


def cancel(order):
    refund(order)
    order.status = "cancelled"
""",
    ),
    "always-true-check": RuleDoc(
        what="A function named as a check (`is_…`, `has_…`, `can_…`, `check…`, `verify…`, `validate…`, `authori…`, `allowed…`, `permit…`) that returns `True` on every path.",
        why="Its callers rely on it to say no. Left as a placeholder, it says yes to everyone: every user is an admin, every signature valid.",
        bad="""
def is_admin(user):
    return True
""",
        good="""
def is_admin(user):
    return user.is_authenticated and "admin" in user.roles
""",
    ),
    "unreachable-code": RuleDoc(
        what="Statements after a `return`, `raise`, `break` or `continue` in the same block: they can never run.",
        why="Whatever they were meant to do does not happen — often a clean-up or a log line someone believes is there. Either the code is dead and should go, or the jump is in the wrong place.",
        bad="""
def close_account(account):
    account.status = "closed"
    return account
    audit.record("account closed", account.id)
""",
        good="""
def close_account(account):
    account.status = "closed"
    audit.record("account closed", account.id)
    return account
""",
    ),
    "constant-condition": RuleDoc(
        what="An `if` or `while` whose condition is a false constant (`if False:`, `if 0:`, `while None:`): the block under it never runs.",
        why="It is dead code dressed as live code: readers take it into account, tools still check it, and it usually hides a switch someone forgot to turn back.",
        bad="""
def export(rows, path):
    if False:
        rows = [r for r in rows if r.visible]
    write_csv(path, rows)
""",
        good="""
def export(rows, path, *, visible_only=False):
    if visible_only:
        rows = [r for r in rows if r.visible]
    write_csv(path, rows)
""",
    ),
    "commented-out-code": RuleDoc(
        what="Three or more consecutive comment lines that read as code (assignments, calls, `if`, `for`, `return`…).",
        why="Nobody knows whether it still matters, so nobody deletes it; it rots as the live code around it changes, and version control already keeps the old code.",
        bad=_COMMENTED_OUT,
        good="""
def total(items):
    return sum(i.price * i.quantity for i in items)
""",
    ),
    "redefined-function": RuleDoc(
        what="A function or method defined twice in the same scope: the second definition silently replaces the first. Property setters, `typing.overload` and conditional definitions are not reported.",
        why="Code written against the first definition runs the second. Usually a copy-and-paste that should have been renamed, or a merge that kept both sides.",
        bad="""
def parse_date(text):
    return datetime.strptime(text, "%Y-%m-%d").date()


def parse_date(text):
    return datetime.strptime(text, "%d/%m/%Y").date()
""",
        good="""
def parse_iso_date(text):
    return datetime.strptime(text, "%Y-%m-%d").date()


def parse_european_date(text):
    return datetime.strptime(text, "%d/%m/%Y").date()
""",
    ),
    "unused-private-function": RuleDoc(
        what="A module-level function whose name starts with one underscore (private to the module) that nothing in the module calls or refers to.",
        why="Private functions exist for their module; one that is never used is dead code that still has to be read, kept compiling and kept correct.",
        bad="""
def _legacy_total(items):
    return sum(i.price for i in items)


def total(items):
    return sum(i.price * i.quantity for i in items)
""",
        good="""
def total(items):
    return sum(i.price * i.quantity for i in items)
""",
    ),
    "undefined-name": RuleDoc(
        what="A name used that is never defined, imported or built in (found by pyflakes, at the MACRO level).",
        why="The line raises `NameError` when it runs — often on an error path or a rare branch that tests did not reach, so it fails exactly when things are already going wrong.",
        bad="""
import logging

from shop.http import http_get


def fetch(url):
    try:
        return http_get(url)
    except TimeoutError:
        log.warning("timed out: %s", url)
        return None
""",
        good="""
import logging

from shop.http import http_get

log = logging.getLogger(__name__)


def fetch(url):
    try:
        return http_get(url)
    except TimeoutError:
        log.warning("timed out: %s", url)
        return None
""",
    ),
    "resource-leak": RuleDoc(
        what="A file, socket or similar resource opened (`open`, `socket.socket`, `tempfile.NamedTemporaryFile`…) and never closed, neither by `with`, nor by `close()`, nor by handing it on.",
        why="Each leak holds a file descriptor until the garbage collector happens to run; under load the process hits its limit and every `open` fails. Written data may also never be flushed.",
        bad="""
def read_config(path):
    f = open(path)
    return f.read()
""",
        good="""
def read_config(path):
    with open(path) as f:
        return f.read()
""",
    ),
    "complex-function": RuleDoc(
        what="A function whose cyclomatic complexity (the number of independent paths through it) is above 15. In a long file it costs by the share of the file it concerns.",
        why="Above 15 paths, nobody can hold the function in their head or test every branch; bugs hide in the combinations. Split it into functions that each make one decision.",
        bad="""
def shipping_cost(order):
    if order.country == "FR":
        if order.weight < 1:
            cost = 5
        elif order.weight < 5:
            cost = 9
        else:
            cost = 15
    elif order.country in ("DE", "BE", "NL"):
        if order.weight < 1:
            cost = 8
        elif order.weight < 5:
            cost = 12
        else:
            cost = 20
    elif order.country in ("US", "CA"):
        if order.weight < 1:
            cost = 15
        elif order.weight < 5:
            cost = 25
        else:
            cost = 40
    elif order.country == "GB":
        cost = 18 if order.weight < 5 else 30
    else:
        cost = 50
    if order.express and order.weight < 5:
        cost *= 2
    elif order.express:
        cost *= 1.5
    if order.total > 100 and order.country == "FR":
        cost = 0
    return cost
""",
        good="""
ZONES = {"FR": "home", "DE": "eu", "BE": "eu", "NL": "eu", "US": "na", "CA": "na", "GB": "uk"}
RATES = {"home": (5, 9, 15), "eu": (8, 12, 20), "na": (15, 25, 40), "uk": (18, 18, 30)}


def base_cost(country, weight):
    zone = ZONES.get(country)
    if zone is None:
        return 50
    light, medium, heavy = RATES[zone]
    return light if weight < 1 else medium if weight < 5 else heavy


def shipping_cost(order):
    if order.total > 100 and order.country == "FR":
        return 0
    cost = base_cost(order.country, order.weight)
    if order.express:
        cost *= 2 if order.weight < 5 else 1.5
    return cost
""",
    ),
    "deep-nesting": RuleDoc(
        what="A function whose blocks (`if`, `for`, `while`, `with`, `try`) nest more than four levels deep.",
        why="Each level is one more condition the reader must keep in mind to know when a line runs. Early returns, `continue` and helper functions flatten the logic.",
        bad="""
def notify(users):
    for user in users:
        if user.active:
            if user.email:
                for order in user.orders:
                    if order.late:
                        if not order.notified:
                            send_late_notice(user.email, order)
""",
        good="""
def notify(users):
    for user in users:
        if not (user.active and user.email):
            continue
        for order in user.orders:
            if order.late and not order.notified:
                send_late_notice(user.email, order)
""",
    ),
    "insecure-tempfile": RuleDoc(
        what="A temporary file created unsafely: `tempfile.mktemp()` returns a name, and the file is created later by someone else's `open`.",
        why="Between choosing the name and creating the file, another local user can create it first, often as a symbolic link to a file of yours, which you then overwrite. `mkstemp` and `NamedTemporaryFile` create and open the file in one step.",
        bad="""
import tempfile


def spool(data: bytes) -> str:
    path = tempfile.mktemp(suffix=".csv")
    with open(path, "wb") as f:
        f.write(data)
    return path
""",
        good="""
import os
import tempfile


def spool(data: bytes) -> str:
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
""",
    ),
    "contradiction": RuleDoc(
        what="Assertions that contradict each other or cannot fail: an `assert` of a non-empty tuple (always true), or a unit that asserts both a condition and its negation.",
        why='`assert (x > 0, "x must be positive")` checks nothing — the tuple is always truthy — so the guard everyone relies on is absent. Two opposite assertions mean one of them documents a belief that is false.',
        bad="""
def withdraw(account, amount):
    assert (amount > 0, "amount must be positive")
    account.balance -= amount
""",
        good="""
def withdraw(account, amount):
    if amount <= 0:
        raise ValueError("amount must be positive")
    account.balance -= amount
""",
    ),
    "broken-annotation": RuleDoc(
        what="A function annotated to return one simple type (`-> int`, `-> str`, `-> bool`, `-> None`…) that returns a value of another type on some path.",
        why="Callers and type checkers trust the annotation: the caller that does arithmetic on the `int` gets a `str`, far from where it was produced.",
        bad="""
def count_unread(inbox) -> int:
    if inbox.empty:
        return "0"
    return sum(1 for m in inbox if not m.read)
""",
        good="""
def count_unread(inbox) -> int:
    if inbox.empty:
        return 0
    return sum(1 for m in inbox if not m.read)
""",
    ),
    # -- smells -------------------------------------------------------------------------------
    "todo": RuleDoc(
        what=f"A `{_TODO}` marker in a comment or a string: work known to be unfinished.",
        why="It records a debt without an owner or a date; in review it is a question: should this ship as it is? An issue in the tracker is where the work gets scheduled.",
        bad=f"""
def export_invoices(invoices):
    # {_TODO}: paginate, this loads every invoice at once
    return [invoice.to_dict() for invoice in invoices]
""",
        good="""
def export_invoices(invoices, *, page_size=500):
    for start in range(0, len(invoices), page_size):
        yield [invoice.to_dict() for invoice in invoices[start : start + page_size]]
""",
    ),
    "fixme": RuleDoc(
        what=f"A `{_FIXME}`, `{'X' * 3}` or `{'HA' + 'CK'}` marker: code its author knew to be broken or wrong.",
        why=f"Unlike a `{_TODO}`, it says the code that runs today is incorrect. A reviewer should ask for the fix, or for an issue that tracks it.",
        bad=f"""
def parse_amount(text):
    # {_FIXME}: breaks on "1,000.50"
    return float(text)
""",
        good="""
from decimal import Decimal


def parse_amount(text):
    return Decimal(text.replace(",", ""))
""",
    ),
    "console-log": RuleDoc(
        what="A `console.log`, `console.debug` or `console.trace` call left in JavaScript or TypeScript.",
        why="It clutters the browser console or the server's output, leaks internal data to anyone who opens developer tools, and is rarely what production logging should look like.",
        bad="""
export async function checkout(cart) {
  console.log("cart", cart);
  return api.post("/checkout", cart);
}
""",
        good="""
export async function checkout(cart) {
  return api.post("/checkout", cart);
}
""",
        language="javascript",
    ),
    "bare-except": RuleDoc(
        what="A bare `except:` clause that does something with the error (one that drops it is a swallowed error instead).",
        why="A bare `except` also catches `KeyboardInterrupt` and `SystemExit`: Ctrl-C and `sys.exit()` stop working inside it. `except Exception:` is what is almost always meant.",
        bad="""
def fetch_quote(symbol):
    try:
        return client.quote(symbol)
    except:
        log.exception("quote failed for %s", symbol)
        raise
""",
        good="""
def fetch_quote(symbol):
    try:
        return client.quote(symbol)
    except Exception:
        log.exception("quote failed for %s", symbol)
        raise
""",
    ),
    "shell-constant": RuleDoc(
        what="`shell=True` for a command that is a fixed string: no input reaches it, but a shell is started for nothing.",
        why="It is not a hole today, but it is one edit away: the day someone formats a variable into the string, it becomes a shell injection. A list of arguments needs no shell and cannot be injected.",
        bad="""
import subprocess

subprocess.run("git fetch --prune origin", shell=True, check=True)
""",
        good="""
import subprocess

subprocess.run(["git", "fetch", "--prune", "origin"], check=True)
""",
    ),
    "weak-hash": RuleDoc(
        what="MD5 or SHA-1 (or MD4, MD2, RIPEMD-160) used where it is not a password hash.",
        why="They are broken for security: collisions can be made on purpose, so a signature or integrity check built on them can be forged. For checksums and cache keys it is harmless — say so with `usedforsecurity=False`.",
        bad="""
import hashlib


def cache_key(url: str) -> str:
    return hashlib.md5(url.encode()).hexdigest()
""",
        good="""
import hashlib


def cache_key(url: str) -> str:
    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
""",
    ),
    "no-timeout": RuleDoc(
        what="A `requests` call (`get`, `post`, `put`, `delete`, `request`) without a `timeout`.",
        why="requests waits forever by default. One slow or silent server holds the thread, and then every thread, until the service stops answering.",
        bad="""
import requests


def exchange_rate(currency):
    return requests.get(f"https://rates.example.com/{currency}").json()["rate"]
""",
        good="""
import requests


def exchange_rate(currency):
    return requests.get(f"https://rates.example.com/{currency}", timeout=(3.05, 10)).json()["rate"]
""",
    ),
    "moderate-complexity": RuleDoc(
        what="A function whose cyclomatic complexity is above 10 (and at most 15, beyond which it is `complex-function`).",
        why="It is becoming hard to test every path. Worth splitting before the next feature pushes it over the edge.",
        bad="""
def classify(event):
    if event.kind == "login":
        if event.failed:
            return "auth-failure"
        return "auth"
    if event.kind == "payment":
        if event.amount > 10_000:
            return "large-payment"
        if event.refund:
            return "refund"
        return "payment"
    if event.kind == "export":
        if event.rows > 1_000_000:
            return "bulk-export"
        return "export"
    if event.kind in ("delete", "purge"):
        return "deletion"
    if event.kind == "share" and event.public:
        return "public-share"
    return "other"
""",
        good="""
HANDLERS = {
    "login": lambda e: "auth-failure" if e.failed else "auth",
    "payment": lambda e: "large-payment" if e.amount > 10_000 else "refund" if e.refund else "payment",
    "export": lambda e: "bulk-export" if e.rows > 1_000_000 else "export",
    "delete": lambda e: "deletion",
    "purge": lambda e: "deletion",
    "share": lambda e: "public-share" if e.public else "other",
}


def classify(event):
    handler = HANDLERS.get(event.kind)
    return handler(event) if handler else "other"
""",
    ),
    "many-arguments": RuleDoc(
        what="A function that takes more than five arguments.",
        why="Callers mix up positional arguments of the same type, and every new option widens the signature further. Group related values in an object, or make the options keyword-only.",
        bad="""
def send_invoice(customer, amount, currency, due_date, reminder_days, language, cc):
    body = render_invoice(customer, amount, currency, due_date, language)
    mailer.send(customer.email, body, cc=cc, remind_after_days=reminder_days)
""",
        good="""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Invoice:
    customer: Customer
    amount: int
    currency: str
    due_date: date


def send_invoice(invoice: Invoice, *, reminder_days=7, language="en", cc=()):
    body = render_invoice(invoice, language)
    mailer.send(invoice.customer.email, body, cc=cc, remind_after_days=reminder_days)
""",
    ),
    "long-function": RuleDoc(
        what="A function longer than 50 lines (over 100, it costs more). In a long file it costs by the share of the file it concerns.",
        why="Long functions do several things, so their names describe none of them well, and they are hard to test in parts. Each step of a long procedure deserves a name.",
        bad="""
def import_orders(path):
    # ...60 lines that read the file, validate each row, convert currencies,
    # match customers, write to the database and send a summary e-mail...
    ...
""",
        good="""
def import_orders(path):
    rows = read_rows(path)
    orders = [to_order(row) for row in rows if is_valid(row)]
    save(orders)
    send_summary(orders)
""",
    ),
    "bool-compare": RuleDoc(
        what="A comparison with `True`, `False` or `None` using `==` or `!=`.",
        why="`x == None` calls `x.__eq__`, which some types (NumPy arrays, ORMs' columns) override to mean something else; `== True` fails for truthy values that are not `True`. Use `is None`, or the value itself.",
        bad="""
def describe(user):
    if user.email == None:
        return "no e-mail"
    if user.verified == True:
        return "verified"
    return "unverified"
""",
        good="""
def describe(user):
    if user.email is None:
        return "no e-mail"
    if user.verified:
        return "verified"
    return "unverified"
""",
    ),
    "unused-import": RuleDoc(
        what="A module imported and never used (found by pyflakes, at the MACRO level). Imports re-exported through `__all__` or as themselves (`from .exc import A as A`) are used.",
        why="It slows start-up, creates dependencies that do not exist in the code's logic, and misleads readers about what the module relies on.",
        bad="""
import json
import os


def config_path():
    return os.path.expanduser("~/.config/app.toml")
""",
        good="""
import os


def config_path():
    return os.path.expanduser("~/.config/app.toml")
""",
    ),
    "unused-variable": RuleDoc(
        what="A local variable assigned and never read (found by pyflakes, at the MACRO level).",
        why="Either the value is not needed and the line is noise, or it was needed and a later line uses the wrong name — a bug the variable's existence points at.",
        bad="""
def net_price(price, vat_rate):
    vat = price * vat_rate
    return price * (1 + vat_rate)
""",
        good="""
def net_price(price, vat_rate):
    return price * (1 + vat_rate)
""",
    ),
    "no-errexit": RuleDoc(
        what="A shell script of more than five commands without `set -e` (or `set -o errexit`).",
        why="Without it, the script carries on after a failed command: a failed `cd` followed by `rm -rf *` deletes the wrong directory, a failed build is deployed anyway. `set -eu` stops at the first failure and at the first unset variable.",
        bad="""
#!/bin/sh
cd /srv/app
git pull
pip install -r requirements.txt
python manage.py migrate
systemctl restart app
echo "deployed"
""",
        good="""
#!/bin/sh
set -eu
cd /srv/app
git pull
pip install -r requirements.txt
python manage.py migrate
systemctl restart app
echo "deployed"
""",
        language=SHELL,
    ),
    "duplicate-literal": RuleDoc(
        what="The same string literal written three or more times in one unit.",
        why="The copies must change together and will not: one gets a typo fix, the others do not. A named constant says what the value means, once.",
        bad="""
def headers(token):
    return {"Content-Type": "application/vnd.shop.v2+json", "Authorization": f"Bearer {token}"}


def accepts(request):
    return request.headers.get("Accept") == "application/vnd.shop.v2+json"


def respond(body):
    return Response(body, content_type="application/vnd.shop.v2+json")
""",
        good="""
MEDIA_TYPE = "application/vnd.shop.v2+json"


def headers(token):
    return {"Content-Type": MEDIA_TYPE, "Authorization": f"Bearer {token}"}


def accepts(request):
    return request.headers.get("Accept") == MEDIA_TYPE


def respond(body):
    return Response(body, content_type=MEDIA_TYPE)
""",
    ),
    "assert-constant": RuleDoc(
        what="An `assert` of a false constant: `assert False`, `assert 0`, `assert None`.",
        why="Under `python -O` asserts vanish, so the line that was meant to stop the program does nothing. To mark code that must not be reached, raise an exception.",
        bad="""
def tax_rate(region):
    if region in RATES:
        return RATES[region]
    assert False, f"unknown region {region}"
""",
        good="""
def tax_rate(region):
    if region in RATES:
        return RATES[region]
    raise ValueError(f"unknown region {region}")
""",
    ),
    "self-compare": RuleDoc(
        what="A value compared with itself in an assertion (`assert x == x`).",
        why="It is always true (except for NaN), so it tests nothing; almost always one side was meant to be another value.",
        bad="""
def test_roundtrip():
    data = {"a": 1}
    restored = json.loads(json.dumps(data))
    assert data == data
""",
        good="""
def test_roundtrip():
    data = {"a": 1}
    restored = json.loads(json.dumps(data))
    assert restored == data
""",
    ),
    "many-imports": RuleDoc(
        what="A unit importing many modules: more than 15 in Python (several names from one module count once) (the bound grows with the file's length), or more than 12 declared dependencies in other text.",
        why="A module that needs that many others usually does several jobs; it is hard to test in isolation and breaks whenever any of them changes.",
        bad="""
import csv
import datetime
import decimal
import email
import ftplib
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import smtplib
import sqlite3
import tempfile
import zipfile
# …one module that parses, stores, archives and e-mails reports
""",
        good="""
# reports/parse.py, reports/store.py, reports/archive.py, reports/mail.py:
# each imports the few modules its one job needs.
from reports import archive, mail, parse, store
""",
    ),
    "wildcard-import": RuleDoc(
        what="`from module import *`.",
        why="Nobody can tell where a name comes from, a new name in the imported module silently shadows one of yours, and tools cannot tell a typo from an imported name.",
        bad="""
from shop.models import *


def total(order_id):
    return Order.get(order_id).total
""",
        good="""
from shop.models import Order


def total(order_id):
    return Order.get(order_id).total
""",
    ),
    "fan-out": RuleDoc(
        what="A unit that imports from many different top-level packages: more than 10 (the bound grows with the file's length).",
        why="Each dependency is a reason for the module to change and to break. High fan-out marks a module that coordinates too much itself.",
        bad="""
import boto3
import celery
import django
import jinja2
import pandas
import redis
import requests
import sentry_sdk
import sqlalchemy
import stripe
import yaml
# …all used by one module
""",
        good="""
# Each integration in a module of its own, behind a small interface:
from shop.integrations import payments, storage, tasks
""",
    ),
    "duplicate-import": RuleDoc(
        what="The same name imported twice from the same place at a module's top level. Several names from one module on separate lines (`from .exc import A`, `from .exc import B`) is a style, not a duplicate.",
        why="Harmless at run time but a sign of careless merging; the second import can also rebind a name the first had bound differently.",
        bad="""
import os
import json
import os
""",
        good="""
import json
import os
""",
    ),
    "nesting": RuleDoc(
        what="Control flow nested more than four levels deep anywhere in the unit (more than six costs more).",
        why="Deeply nested code is hard to follow: the conditions under which a line runs pile up. See `deep-nesting` for the same measure inside one function.",
        bad="""
for user in users:
    if user.active:
        for order in user.orders:
            if order.late:
                for item in order.items:
                    if item.backordered:
                        notify(user, item)
""",
        good="""
late_backorders = (
    (user, item)
    for user in users
    if user.active
    for order in user.orders
    if order.late
    for item in order.items
    if item.backordered
)
for user, item in late_backorders:
    notify(user, item)
""",
    ),
    "large-class": RuleDoc(
        what="A class with more than 15 methods (more than 25 costs more). In a long file it costs by the share of the file it concerns.",
        why="A class that large usually has several responsibilities, whose state and methods interleave. Smaller classes, each with one reason to change, are easier to test.",
        bad="""
class Shop:
    def add_product(self, product): ...
    def remove_product(self, product_id): ...
    def price(self, product_id): ...
    def discount(self, code): ...
    def add_to_cart(self, user, product_id): ...
    def checkout(self, user): ...
    def charge(self, user, amount): ...
    def refund(self, order_id): ...
    def ship(self, order_id): ...
    def track(self, order_id): ...
    def invoice(self, order_id): ...
    def send_email(self, user, template): ...
    def monthly_report(self): ...
    def export_csv(self): ...
    def import_csv(self, path): ...
    def audit(self, event): ...
""",
        good="""
class Catalogue: ...  # products and prices


class Cart: ...  # what a user is about to buy


class Payments: ...  # charges and refunds


class Shipping: ...  # shipments and tracking


class Reports: ...  # reports, exports and imports
""",
    ),
    "many-classes": RuleDoc(
        what="A unit defining more than five classes (the bound grows with the file's length).",
        why="Many classes in one file often means several modules' worth of concepts; finding one means searching the file.",
        bad="""
class Product: ...


class Price: ...


class Cart: ...


class Order: ...


class Payment: ...


class Shipment: ...


class Invoice: ...
""",
        good="""
# catalogue.py: Product, Price — orders.py: Cart, Order — billing.py: Payment, Invoice
from shop.catalogue import Price, Product
""",
    ),
    "import-time-work": RuleDoc(
        what="A module where most statements (of more than 40) run at import time, at the top level, beside function definitions.",
        why="Importing the module does the work: it connects, reads files or computes before anyone asked, slows every test that imports it, and cannot be configured or retried.",
        bad="""
import json

config = json.load(open("/etc/shop/config.json"))
db = connect(config["database_url"])
rates = db.fetch_all("SELECT * FROM rates")
# …and forty more top-level statements
""",
        good="""
import json
from functools import cache


@cache
def config():
    with open("/etc/shop/config.json") as f:
        return json.load(f)


def rates(db):
    return db.fetch_all("SELECT * FROM rates")
""",
    ),
    "plain-http": RuleDoc(
        what="A link that uses plain `http://` to a host other than `localhost`.",
        why="Traffic over plain HTTP can be read and changed on the way; a download link can be swapped for something else. Most hosts serve HTTPS.",
        bad=f"""
DOCS_URL = "{_PLAIN_HTTP}"
""",
        good="""
DOCS_URL = "https://docs.example.com/api"
""",
    ),
    "malformed-link": RuleDoc(
        what="A link that cannot be right: no host, a host that is not a valid domain name, port 0, or a URL the parser rejects (checked offline; links are never fetched).",
        why="A broken link in code is a request that will fail at run time; in documentation it is a dead end for the reader.",
        bad=f"""
API = "{_BAD_HOST}"
""",
        good="""
API = "https://api.example.com/v1/orders"
""",
    ),
    "long-lines": RuleDoc(
        what="Lines longer than 120 characters in prose or in code the judge has no parser for.",
        why="Long lines are hard to read side by side, in a review or on a small screen. A matter of taste: it costs by the share of the text it concerns.",
        bad="""
The export runs every night at two and writes one file per customer, compressed, into the archive bucket, which is kept for ninety days.
""",
        good="""
The export runs every night at two and writes one file per customer,
compressed, into the archive bucket, which is kept for ninety days.
""",
        language=TEXT,
    ),
    "doubled-word": RuleDoc(
        what="The same word written twice in a row (`the the`), in prose or code the judge has no parser for.",
        why="Almost always a typo, and one that readers' eyes skip over.",
        bad="""
Restart the the service after changing its configuration.
""",
        good="""
Restart the service after changing its configuration.
""",
        language=TEXT,
    ),
    "shouting": RuleDoc(
        what="Text written mostly in upper case.",
        why="Upper case is harder to read and reads as shouting; emphasis is better carried by words or formatting.",
        bad="""
DO NOT RESTART THE DATABASE DURING THE NIGHTLY EXPORT.
""",
        good="""
Do not restart the database during the nightly export (it runs from 02:00 to 03:00).
""",
        language=TEXT,
    ),
    "prose-contradiction": RuleDoc(
        what="Prose that says both a thing and its opposite: `always` and `never`, `all` and `none`, `must` and `must not`.",
        why="Often fine, sometimes a contradiction the reader cannot resolve: which of the two statements holds? Worth a second read.",
        bad="""
The job always retries a failed upload. Uploads over 1 GB are never retried.
""",
        good="""
The job retries a failed upload, except uploads over 1 GB.
""",
        language=TEXT,
    ),
    "deep-indentation": RuleDoc(
        what="Indentation more than five levels deep (counted in steps of four spaces) in code the judge has no parser for (JavaScript, TypeScript, shell).",
        why="Deep indentation is deep nesting: every level adds a condition the reader must track. Early returns and smaller functions flatten it.",
        bad="""
function notify(users) {
    for (const user of users) {
        if (user.active) {
            for (const order of user.orders) {
                if (order.late) {
                    for (const item of order.items) {
                        if (item.backordered && !item.notified) {
                            sendNotice(user, item);
                        }
                    }
                }
            }
        }
    }
}
""",
        good="""
function lateBackorders(user) {
    return user.orders
        .filter((order) => order.late)
        .flatMap((order) => order.items)
        .filter((item) => item.backordered && !item.notified);
}

function notify(users) {
    for (const user of users.filter((u) => u.active)) {
        lateBackorders(user).forEach((item) => sendNotice(user, item));
    }
}
""",
        language="javascript",
    ),
    "deep-expression": RuleDoc(
        what="An expression nested so deep (hundreds of levels, typically generated code), in the code or in a string annotation, that the judge's analysers would exhaust their stack on it: the rest of the unit is judged, that expression is not analysed.",
        why="Nobody can review such an expression, and other tools choke on it too. If it is generated, judge the generator; if it is data, load it from a data file.",
        bad="""
# generated_weights.py
WEIGHTS = ((((((((((((((((1, 2), 3), 4), 5), 6), 7), 8), 9), 10), 11), 12), 13), 14), 15), 16), 17)
# …and so on: the generator nests the tuple hundreds of levels deep
""",
        good="""
import json

with open("weights.json") as f:
    WEIGHTS = json.load(f)
""",
    ),
    "many-bindings": RuleDoc(
        what="One name bound hundreds of times in one function or module (typically a generated `match` or `if` ladder), or bound so often through long branches that comparing its bindings would cost pyflakes more than a fixed count of steps: pyflakes, whose cost grows with the square of such bindings, is not run on the unit; the rest of the judgment is.",
        why="Undefined names and unused imports go unchecked in that unit, and nobody reviews a ladder of hundreds of assignments well either. A lookup table states the same mapping once.",
        bad="""
def kind(code):
    match code:
        case 0:
            name = "k0"
        case 1:
            name = "k1"
        # …and so on for hundreds of cases
    return name
""",
        good="""
KINDS = {0: "k0", 1: "k1"}  # …one entry per code


def kind(code):
    return KINDS[code]
""",
    ),
    "truncated": RuleDoc(
        what="The unit was longer than the judge reads at once: only its first part was judged, and the finding says where judging stopped.",
        why="Findings and the verdict cover only what was read: what follows was not checked. Split very large files, or judge generated files at their source.",
        bad="""
# generated_tables.py: 3 MB of generated lookup tables in one module
TABLE = [...]
""",
        good="""
# The tables as data, loaded at run time (and the generator judged instead):
import json

with open("tables.json") as f:
    TABLE = json.load(f)
""",
    ),
}
