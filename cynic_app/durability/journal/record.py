"""Encode and decode one journal line (the framing is specified in the package docstring)."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass

PREFIX_BYTES = len(b'{"crc":"XXXXXXXX",')  # 18
_PREFIX_RE = re.compile(rb'\{"crc":"([0-9a-f]{8})",')
#: The fields after the checksum, in their fixed order; ``ts`` and ``sync`` are absent from
#: version-1 lines. Groups: seq, ts, sync, kind, id.
HEAD_RE = re.compile(rb'"seq":(\d+),(?:"ts":(\d+),"sync":(\d+),)?"kind":"(\w+)","id":"([^"]*)","data":')
KINDS = ("judgment", "perception", "abort")


class BadRecord(ValueError):
    """A line that is not a valid record (torn, garbled or not ours)."""


@dataclass(frozen=True)
class Record:
    seq: int
    ts: int
    sync: int  # the seq its writer knew durable when it wrote this line
    kind: str
    id: str
    data: dict


def payload(kind: str, record_id: str, data: bytes) -> bytes:
    """The part of a line that depends on neither seq nor ts (data: its JSON object, encoded):
    build it before any lock."""
    return b'"kind":' + _json(kind) + b',"id":' + _json(record_id) + b',"data":' + data


def encode_payload(kind: str, record_id: str, data: dict) -> bytes:
    """payload with data given as a dict (serialised here)."""
    return payload(kind, record_id, _json(data))


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def frame(seq: int, ts: int, sync: int, payload: bytes) -> bytes:
    """Return the complete line for seq, ts, sync and an encoded payload, newline included."""
    body = b'"seq":%d,"ts":%d,"sync":%d,' % (seq, ts, sync) + payload
    return b'{"crc":"%08x",' % zlib.crc32(body) + body + b"}\n"


def encode(seq: int, kind: str, record_id: str, data: dict, *, ts: int = 0, sync: int = 0) -> bytes:
    """Return the complete line for a record, newline included."""
    return frame(seq, ts, sync, encode_payload(kind, record_id, data))


def check(line: bytes) -> re.Match:
    """Return the line's head match unless it is incomplete, mis-framed or fails its checksum
    (then raise BadRecord). The JSON itself is not parsed."""
    if not line.endswith(b"}\n"):
        raise BadRecord("incomplete line")
    match = _PREFIX_RE.match(line)
    if match is None:
        raise BadRecord("bad prefix")
    if int(match.group(1), 16) != zlib.crc32(line[PREFIX_BYTES:-2]):
        raise BadRecord("checksum mismatch")
    head = HEAD_RE.match(line, PREFIX_BYTES)
    if head is None:
        raise BadRecord("fields out of order")
    return head


def decode(line: bytes) -> Record:
    """Return the record in line (which must end with a newline) or raise BadRecord."""
    check(line)
    try:
        obj = json.loads(b"{" + line[PREFIX_BYTES:-2] + b"}")
    except ValueError as exc:  # checksum matched but not JSON: written wrong, not torn
        raise BadRecord(f"not JSON: {exc}") from exc
    try:
        record = Record(
            int(obj["seq"]),
            int(obj.get("ts", 0)),
            int(obj.get("sync", 0)),
            str(obj["kind"]),
            str(obj["id"]),
            obj["data"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRecord(f"missing field: {exc}") from exc
    if record.kind not in KINDS or not isinstance(record.data, dict):
        raise BadRecord(f"unknown kind {record.kind!r}")
    return record
