"""Suppression comments: the finding is still reported, marked, and counts for nothing."""
import subprocess

from flask import request


def run():
    cmd = request.args["c"]
    # ruleid: shell-injection
    subprocess.run(cmd, shell=True)  # nosec B602 -- kept as a finding, suppressed
    return "ok"
