"""Flows across functions of one module, and the console, command line and sockets as sources."""
import os
import pickle
import socket
import sys

import yaml
from flask import request


def _decode(blob):
    # ruleid: unsafe-deserialisation
    return pickle.loads(blob)


def view():
    return _decode(request.cookies.get("cart"))


def parse_setting(raw):
    key, _, value = raw.partition("=")
    # ruleid: code-injection
    return key, eval(value)


def main(argv):
    return [parse_setting(a) for a in argv[1:]]


def compress(name):
    # ruleid: shell-injection
    os.system("gzip " + name)


def serve():
    sock = socket.socket()
    conn, _ = sock.accept()
    data = conn.recv(1024)
    # ruleid: unsafe-deserialisation
    return pickle.loads(data)


def settings(text):
    # ruleid: unsafe-deserialisation
    return yaml.load(text)


def safe_settings(text):
    # ok: unsafe-deserialisation
    return yaml.safe_load(text)


if __name__ == "__main__":
    main(sys.argv)
