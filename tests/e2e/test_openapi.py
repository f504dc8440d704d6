"""The OpenAPI document is true: schemathesis against the live service under gunicorn."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.harness import Gunicorn, request

pytestmark = pytest.mark.slow
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "unsupported_method",
        "allow_header_conformance",
    ]
)


def test_openapi_document_is_served(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=1).start()
    try:
        status, doc = request(g.port, "GET", "/openapi.json")
    finally:
        g.stop()
    assert status == 200 and doc["openapi"] == "3.1.0"
    assert {"/judge", "/judge/{judgment_id}", "/perceive", "/state", "/health", "/ready"} <= set(doc["paths"])


def test_schemathesis_finds_no_5xx_and_no_nonconforming_response(tmp_path, database_url):
    g = Gunicorn(tmp_path / "home", database_url, workers=2).start()
    try:
        # The coverage phase is left out: with CPython 3.11 it crashes inside hypothesis's own
        # lambda introspection ("AST constructor recursion depth mismatch"), not in our API.
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"http://127.0.0.1:{g.port}/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                "50",
                "--phases",
                "examples,fuzzing,stateful",
                "--workers",
                "2",
                "--seed",
                "20261125",
                "--no-color",
            ],
            cwd=tmp_path,  # schemathesis writes its cache to the working directory
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        g.stop()
    summary = result.stdout[-1500:]
    print(summary)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    generated = int(re.search(r"(\d+) generated", result.stdout).group(1))
    assert generated >= 200, summary
