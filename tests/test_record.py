"""The record codec: decode gives back what encode was given, and a judgment without a key keeps
the COPY fast path (a field added after created_at would silently leave it: this says so)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cynic_app.durability.journal.record import decode as decode_line
from cynic_app.durability.journal.record import frame, payload
from cynic_app.record import (
    PERCEPTION_FIELDS,
    IdempotencyKey,
    JudgmentRecord,
    bulk,
    carries_judgment,
    decode,
    encode,
    from_data,
    judgment_record,
    perception_record,
)

text = st.text(max_size=30)  # any code point JSON can carry: quotes, backslashes, newlines, é, 𝄞
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10,
)
judgments = st.builds(
    lambda jid, rest: {"judgment_id": jid, **rest, "cell": {"content": rest.get("c", "")}},
    st.uuids().map(str),
    st.dictionaries(text.filter(lambda k: k not in ("judgment_id", "cell")), json_values, max_size=4),
)
times = st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
keys = st.none() | st.builds(IdempotencyKey, text, text)
judgment_records = st.builds(judgment_record, judgments, times | text, keys)
perception_records = st.builds(
    perception_record,
    st.fixed_dictionaries(
        {name: st.uuids().map(str) if name == "perception_id" else text for name in PERCEPTION_FIELDS}
    ),
    st.none() | judgments,
    times | text,
    keys,
)


@given(judgment_records | perception_records)
def test_decode_gives_back_what_encode_was_given(record):
    data = encode(record)
    assert decode(record.kind, data) == record
    assert from_data(record.kind, json.loads(data)) == record  # the parsed way agrees
    assert carries_judgment(record.kind, data) == (record.judgment is not None)


@given(judgments, times)
def test_a_judgment_without_a_key_is_read_by_slicing_and_goes_by_copy(judgment, created_at):
    record = judgment_record(judgment, created_at)
    data = encode(record)
    assert bulk("judgment", data)
    decoded = decode("judgment", data)
    assert decoded.judgment_json is not None and data.find(decoded.judgment_json) == len(b'{"judgment":')


@given(judgments, times, st.builds(IdempotencyKey, text, text))
def test_a_judgment_with_a_key_never_goes_by_copy(judgment, created_at, key):
    assert not bulk("judgment", encode(judgment_record(judgment, created_at, key)))  # its key is claimed


@given(judgment_records | perception_records)
def test_a_journal_line_carries_the_record_as_encoded(record):
    line = frame(7, 1, 0, payload(record.kind, record.record_id, encode(record)))
    parsed = decode_line(line)
    assert (parsed.kind, parsed.id) == (record.kind, record.record_id)
    assert from_data(parsed.kind, parsed.data) == record


def test_the_answer_is_the_record_as_the_api_shows_it():
    record = judgment_record({"judgment_id": "j", "cell": {}}, "2026-12-07T10:00:00+00:00")
    assert isinstance(decode("judgment", encode(record)), JudgmentRecord)
    assert record.answer() == {
        "judgment": {"judgment_id": "j", "cell": {}},
        "created_at": "2026-12-07T10:00:00+00:00",
    }
