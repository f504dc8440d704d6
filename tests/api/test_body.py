"""body.decode_json (json_object's reading) reads a body as json.loads(raw, parse_constant=...)
does, with one decoder for every request instead of one made per call (docs/performance.md)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cynic_app.api import body

DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def read(raw: bytes):
    """(value, None) or (None, the exception's type) for one reading."""
    try:
        return body.decode_json(raw), None
    except ValueError as exc:
        return None, type(exc)


def stdlib(raw: bytes):
    try:
        return json.loads(raw, parse_constant=body._not_json), None
    except ValueError as exc:
        return None, type(exc)


def same(a, b) -> bool:
    """Equal, NaN included (NaN is never read: parse_constant refuses it)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS, st.sampled_from(ENCODINGS))
def test_documents_in_every_encoding_json_detects_read_the_same(document, encoding):
    raw = json.dumps(document, ensure_ascii=False).encode(encoding, "surrogatepass")
    (ours, our_error), (theirs, their_error) = read(raw), stdlib(raw)
    assert our_error == their_error and same(ours, theirs)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_read_the_same_or_fail_alike(raw):
    (ours, our_error), (theirs, their_error) = read(raw), stdlib(raw)
    assert our_error == their_error and same(ours, theirs)


def test_nan_and_infinity_are_refused_as_before():
    for raw in (b'{"a": NaN}', b"[Infinity]", b"-Infinity"):
        assert read(raw)[1] is ValueError and stdlib(raw)[1] is ValueError
