"""A record — what one write stores — as a typed value and as the bytes of its journal data.

The one module that knows a record's shape: the write path encodes here (``service/writes.py``),
settling decodes here (``node/apply.py``), ``store/rows.py`` turns the typed value into rows.
The journal frames the bytes without looking inside them (``durability/journal``).

A journal line's ``data``, by kind, as ``encode`` writes it (``<J>`` is the judgment's JSON,
serialised once and stored byte for byte in PostgreSQL's jsonb column; ``[…]`` is there only
for a request that sent an Idempotency-Key)::

    judgment    {"judgment":<J>,"created_at":"<ISO time>"[,"idempotency":{"key":…,"fingerprint":…}]}
    perception  {"perception_id":…,"source":…,"reality":…,"content":…,"context":…,"time_dim":…,
                 "judgment":<J or null>,"created_at":"<ISO time>"[,"idempotency":{…}]}
    abort       {"ref_seq":<seq>}   (written by the journal itself: see its contract)

``decode`` gives back the value ``encode`` was given (``tests/test_record.py`` checks it, with
hypothesis). A judgment without a key is read by slicing ``<J>`` and the time out of the bytes
— the shape above, which ``encode`` writes and nothing else restates — and is ``bulk``: settling
COPYs it (no key to claim). Anything else is parsed whole; the result is the same.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import ClassVar

import orjson

_JUDGMENT_OPEN = b'{"judgment":'
_CREATED_AT = b',"created_at":'
_KEY = b',"idempotency":'
#: The end of a judgment's data without a key: its time, and nothing after it (a time never
#: holds a quote or a backslash, so its bytes are its text).
_PLAIN_TAIL = re.compile(rb',"created_at":"([^"\\]*)"\}\Z')
#: Where a perception's judgment begins when it has one (``"judgment":null`` otherwise).
_HAS_JUDGMENT = b'"judgment":{'
#: A plain judgment's tail is at most this long: the regex looks no further back.
_TAIL_BYTES = 80
#: The fields of a perception, in the order they are written (before its judgment).
PERCEPTION_FIELDS = ("perception_id", "source", "reality", "content", "context", "time_dim")


@dataclass(frozen=True)
class IdempotencyKey:
    """The Idempotency-Key a record claims, with the fingerprint of the request it came with (of
    what the request asks for once validated: "code" and "CODE", 2 and 2.0, null and absent are
    one request). ``earlier``: the fingerprint an older node made of the same request (of its
    body as sent), which a key it stored still holds; never written."""

    key: str
    fingerprint: str
    earlier: str = field(default="", compare=False)

    def matches(self, stored: str) -> bool:
        """Whether the fingerprint stored with this key is this request's."""
        return stored == self.fingerprint or (bool(self.earlier) and stored == self.earlier)


@dataclass(frozen=True)
class JudgmentRecord:
    judgment: dict
    created_at: str
    idempotency: IdempotencyKey | None
    judgment_json: bytes  # <J>: the judgment as serialised once

    kind: ClassVar[str] = "judgment"

    @property
    def record_id(self) -> str:
        return self.judgment["judgment_id"]

    def answer(self) -> dict:
        """The record as the API answers it."""
        return {"judgment": self.judgment, "created_at": self.created_at}


@dataclass(frozen=True)
class PerceptionRecord:
    fields: dict  # PERCEPTION_FIELDS
    judgment: dict | None
    created_at: str
    idempotency: IdempotencyKey | None
    judgment_json: bytes | None  # <J>, or None without a judgment

    kind: ClassVar[str] = "perception"

    @property
    def record_id(self) -> str:
        return self.fields["perception_id"]

    def answer(self) -> dict:
        return {**self.fields, "judgment": self.judgment, "created_at": self.created_at}


Record = JudgmentRecord | PerceptionRecord


def judgment_record(
    judgment: dict, created_at: str, idempotency: IdempotencyKey | None = None
) -> JudgmentRecord:
    """A judgment's record, its JSON serialised here, once."""
    return JudgmentRecord(judgment, created_at, idempotency, orjson.dumps(judgment))


def perception_record(
    fields: dict, judgment: dict | None, created_at: str, idempotency: IdempotencyKey | None = None
) -> PerceptionRecord:
    """A perception's record (fields: PERCEPTION_FIELDS), its judgment's JSON serialised once."""
    judgment_json = orjson.dumps(judgment) if judgment is not None else None
    return PerceptionRecord(dict(fields), judgment, created_at, idempotency, judgment_json)


def encode(record: Record) -> bytes:
    """The record's journal data: assembled around its judgment's bytes, never serialised twice."""
    if isinstance(record, JudgmentRecord):
        head = _JUDGMENT_OPEN + record.judgment_json
    else:
        judgment = record.judgment_json if record.judgment_json is not None else b"null"
        head = orjson.dumps(record.fields)[:-1] + b',"judgment":' + judgment
    tail = _CREATED_AT + orjson.dumps(record.created_at)
    if record.idempotency is not None:
        key = record.idempotency
        tail += _KEY + orjson.dumps({"key": key.key, "fingerprint": key.fingerprint})
    return head + tail + b"}"


def decode(kind: str, data: bytes) -> Record:
    """The record whose journal data is data (kind: the line's kind, judgment or perception)."""
    if kind == "judgment":
        plain = _plain(data)
        if plain is not None:
            judgment_json, created_at = plain
            return JudgmentRecord(orjson.loads(judgment_json), created_at, None, judgment_json)
    return from_data(kind, json.loads(data))


def from_data(kind: str, data: dict) -> Record:
    """The record of a journal data already parsed (what ``json.loads(encode(r))`` gives)."""
    key = data.get("idempotency")
    idempotency = IdempotencyKey(key["key"], key["fingerprint"]) if key else None
    judgment = data.get("judgment")
    judgment_json = orjson.dumps(judgment) if judgment is not None else None
    if kind == "judgment":
        return JudgmentRecord(judgment, data["created_at"], idempotency, judgment_json)
    if kind != "perception":
        raise ValueError(f"not a record's kind: {kind!r}")
    fields = {k: v for k, v in data.items() if k not in ("judgment", "created_at", "idempotency")}
    return PerceptionRecord(fields, judgment, data["created_at"], idempotency, judgment_json)


def bulk(kind: str, data: bytes) -> bool:
    """Whether the record is a judgment with no key to claim, as encode writes one: settling
    COPYs those. Reads no more than the data's first and last bytes."""
    return kind == "judgment" and _plain_tail(data) is not None


def carries_judgment(kind: str, data: bytes) -> bool:
    """Whether the record stores a judgment (every judgment does; a perception, if judged)."""
    return kind == "judgment" or _HAS_JUDGMENT in data


def _plain(data: bytes) -> tuple[bytes, str] | None:
    """(<J>, created_at) of a judgment's data without a key, sliced; None for any other shape."""
    tail = _plain_tail(data)
    if tail is None:
        return None
    return data[len(_JUDGMENT_OPEN) : tail.start()], tail.group(1).decode()


def _plain_tail(data: bytes) -> re.Match | None:
    if not data.startswith(_JUDGMENT_OPEN):
        return None
    return _PLAIN_TAIL.search(data, max(0, len(data) - _TAIL_BYTES))
