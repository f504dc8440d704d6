"""Constants folded and containers tracked by key: only the branch that runs, only the slot read."""
import configparser
import subprocess

from flask import request


def handler():
    param = request.args.get("p", "")
    num = 106
    bar = "safe" if 7 * 18 + num > 200 else param
    # ok: shell-injection
    subprocess.run("echo " + bar, shell=True)
    bar2 = "safe" if 7 * 42 - num > 200 else param
    # ruleid: shell-injection
    subprocess.run("echo " + bar2, shell=True)

    choices = {}
    choices["a"] = "constant"
    choices["b"] = param
    # ok: shell-injection
    subprocess.run("echo " + choices["a"], shell=True)
    # ruleid: shell-injection
    subprocess.run("echo " + choices["b"], shell=True)

    items = ["safe", param, "moresafe"]
    items.pop(0)
    # ruleid: shell-injection
    subprocess.run("echo " + items[0], shell=True)
    # ok: shell-injection
    subprocess.run("echo " + items[1], shell=True)

    conf = configparser.ConfigParser()
    conf.add_section("s")
    conf.set("s", "fixed", "value")
    conf.set("s", "user", param)
    # ok: shell-injection
    subprocess.run("echo " + conf.get("s", "fixed"), shell=True)
    # ruleid: shell-injection
    subprocess.run("echo " + conf.get("s", "user"), shell=True)

    guess = "ABC"[0]
    match guess:
        case "A":
            chosen = "literal"
        case _:
            chosen = param
    # ok: shell-injection
    subprocess.run("echo " + chosen, shell=True)
    return "ok"
