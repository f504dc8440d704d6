"""Flask handlers: request fields reaching sinks, and look-alikes that are safe."""
import html
import os
import pickle
import sqlite3
import subprocess

import flask
from flask import Flask, make_response, redirect, request, session

app = Flask(__name__)
ALLOWED = {"daily", "weekly"}


@app.route("/run")
def run():
    cmd = request.args.get("cmd", "")
    # ruleid: shell-injection
    subprocess.run(f"echo {cmd}", shell=True)
    # ok: shell-injection
    subprocess.run(["echo", cmd])
    # ok: shell-injection
    subprocess.run("echo fixed", shell=True)
    return "done"


@app.route("/user")
def user():
    name = request.args["name"]
    db = sqlite3.connect("app.db")
    # ruleid: sql-injection
    db.execute("SELECT * FROM users WHERE name = '" + name + "'")
    # ok: sql-injection
    db.execute("SELECT * FROM users WHERE name = ?", (name,))
    return "ok"


@app.route("/file")
def read_file():
    name = request.cookies.get("f", "")
    # ruleid: path-traversal
    with open(os.path.join("/srv/files", name)) as fh:
        body = fh.read()
    # ok: path-traversal
    with open(os.path.join("/srv/files", os.path.basename(name))) as fh:
        body += fh.read()
    return html.escape(body)


@app.route("/go")
def go():
    target = request.args.get("next", "/")
    if target not in ALLOWED:
        # ruleid: open-redirect
        return redirect(target)
    # ok: open-redirect
    return redirect(target)


@app.route("/hello")
def hello():
    who = request.args.get("who", "")
    # ruleid: xss
    return f"<h1>Hello {who}</h1>"


@app.route("/hello-escaped")
def hello_escaped():
    who = request.args.get("who", "")
    # ok: xss
    return f"<h1>Hello {html.escape(who)}</h1>"


@app.route("/json")
def as_json():
    # ok: xss
    return {"who": request.args.get("who")}


@app.route("/remember")
def remember():
    value = request.form["remember"]
    # ruleid: trust-boundary
    session["user"] = value
    # ok: trust-boundary
    session["seen"] = True
    resp = make_response("ok")
    # ruleid: insecure-cookie
    resp.set_cookie("pref", "x", secure=False)
    # ok: insecure-cookie
    resp.set_cookie("pref2", "x", secure=True, httponly=True)
    return resp


@app.route("/load")
def load():
    blob = request.get_data()
    # ruleid: unsafe-deserialisation
    return str(pickle.loads(blob))


@app.route("/calc")
def calc():
    expr = request.form["expr"]
    if not expr.isdigit():
        return "numbers only", 400
    # ok: code-injection
    return str(eval(expr))


@app.route("/calc-unchecked")
def calc_unchecked():
    expr = flask.request.form["expr"]
    # ruleid: code-injection
    return str(eval(expr))
