# ruff: noqa: E501 -- the cases read as a table
"""Precision on well-kept code (the fourth adversarial review, 2026-12-07): a setting read, asked
about or asserted is not a setting made; a mask or a schema's type name is not a credential; a
test client's cookie jar sends nothing to a browser. Each was a BARK at 0.6-0.9 on code from
the standard library's tests, pip and schemathesis; the holes beside each are still found."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge


def rules(content: str) -> set[str]:
    return {f["rule"] for f in judge(Cell.create(content=content, context="file: x.py")).findings}


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("import ssl\nimport unittest\n\n\nclass T(unittest.TestCase):\n    def test_verified(self):\n"
         "        ctx = ssl.create_default_context()\n        self.assertNotEqual(ctx.verify_mode, ssl.CERT_NONE)\n",
         "tls-unverified"),
        ("import ssl\n\n\ndef offered(protocols: set) -> bool:\n"
         "    return ssl.PROTOCOL_TLSv1 in protocols or is_enabled(ssl.PROTOCOL_TLSv1)\n", "weak-cipher"),
        ("def redact(user: str, password: str | None) -> str:\n    if password is None:\n        return user\n"
         "    password = \":****\"\n    return f\"{user}{password}\"\n", "hardcoded-secret"),
        ("PROTOCOL = {\"client\": {\"cert\": \"binary?\", \"passphrase\": \"string?\"}}\n", "hardcoded-secret"),
        ("from werkzeug.test import Client\n\n\ndef with_cookies(client: Client, cookies: dict) -> None:\n"
         "    for key, value in cookies.items():\n        client.set_cookie(key=key, value=value)\n",
         "insecure-cookie"),
    ],
    ids=["CERT_NONE asserted", "TLSv1 asked about", "a password mask", "a schema's type name", "a test client's jar"],
)  # fmt: skip
def test_what_configures_nothing_is_no_finding(source, rule):
    assert rule not in rules(source)


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_NONE\n", "tls-unverified"),
        ("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n", "weak-cipher"),
        ("DB_PASSWORD = \"s3cr3t-Pa55w0rd\"\n", "hardcoded-secret"),
        ("from flask import Flask, make_response, request\napp = Flask(__name__)\n\n\n@app.get('/')\ndef index():\n"
         "    response = make_response('hi')\n    response.set_cookie('session', request.args['s'])\n"
         "    return response\n", "insecure-cookie"),
    ],
    ids=["CERT_NONE set", "TLSv1 chosen", "a password", "a response's cookie"],
)  # fmt: skip
def test_what_configures_is_still_found(source, rule):
    assert rule in rules(source)
