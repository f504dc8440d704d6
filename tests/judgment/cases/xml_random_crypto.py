"""XML parsers told to resolve entities, predictable tokens, broken crypto, unverified tokens."""
import hashlib
import random
import secrets
import ssl
import xml.dom.minidom
import xml.sax
import xml.sax.handler

import jwt
import requests
from flask import request, session


def parse():
    data = request.get_data()
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    # ruleid: xxe
    doc = xml.dom.minidom.parseString(data, parser)
    quiet = xml.sax.make_parser()
    # ok: xxe
    doc2 = xml.dom.minidom.parseString(data, quiet)
    return doc, doc2


def login():
    # ruleid: insecure-random
    session["token"] = str(random.getrandbits(64))
    # ok: insecure-random
    session["nonce"] = secrets.token_hex(16)
    # ok: insecure-random
    delay = random.uniform(0.1, 0.5)
    return delay


def fingerprint(data: bytes) -> str:
    # ruleid: weak-hash
    return hashlib.md5(data).hexdigest()


def cache_key(data: bytes) -> str:
    # ok: weak-hash
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def store_password(password: str) -> str:
    # ruleid: weak-password-hash
    return hashlib.sha1(password.encode()).hexdigest()


def read_token(token: str):
    # ruleid: jwt-unverified
    return jwt.decode(token, options={"verify_signature": False})


def fetch(url):
    # ruleid: tls-unverified
    return requests.get(url, verify=False, timeout=5)


def context():
    ctx = ssl.create_default_context()
    # ruleid: tls-unverified
    ctx.check_hostname = False
    return ctx
