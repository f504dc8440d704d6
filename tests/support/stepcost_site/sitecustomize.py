"""Loaded by every Python process started with this directory on its PYTHONPATH (scripts/bench's
breakdown puts it there for the service it traces): wraps the steps of tests/support/stepcost.py."""

import os

if os.environ.get("CYNIC_STEPCOST_DIR"):
    from tests.support.stepcost import install

    install()
