"""judge() never raises on any string (the fourth adversarial review, 2026-12-07): a lone
surrogate, which the HTTP schema refuses and no file decodes to, reached the tokenizer through the
Python API (a suppression comment made the judge read the comments) and raised
UnicodeEncodeError."""

from __future__ import annotations

import pytest

from cynic_app.judgment import Cell, judge

CONTENT = "import os\nos.system(input())  # nosec\nx = '\udcff'  # \udc80 a note\n"


@pytest.mark.parametrize("context", ["file: x.py", "file: x.js", "file: x.sh", ""])
@pytest.mark.parametrize("level", ["MICRO", "MACRO"])
def test_a_lone_surrogate_is_judged_not_raised(context, level):
    judgment = judge(Cell.create(content=CONTENT, context=context), level=level)
    assert judgment.verdict in ("HOWL", "WAG", "GROWL", "BARK")
