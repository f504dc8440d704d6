"""A record on its way through the write path: built, and serialised, once.

The judgment's JSON is produced once (orjson) and the very same bytes go into the journal line
and into PostgreSQL's jsonb column; the journal payload around it is assembled from bytes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import orjson

from ..durability.journal import Position
from ..store.rows import RecordRows, record_rows
from .outcomes import PersistenceError, failure


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request it was first used with


@dataclass(eq=False)
class Write:
    """One record and what became of it. ``done`` with ``error`` None means acknowledged."""

    kind: str  # "judgment" or "perception"
    record_id: str
    record: dict  # as journaled and as answered (without its idempotency claim)
    idempotency: IdempotencyKey | None
    payload: bytes  # the journal payload ("kind", "id", "data"), serialised once
    judgment_json: bytes | None  # the judgment's JSON inside payload, for PostgreSQL
    ids: dict  # judgment_id / perception_id: every answer about it carries them
    submitted: float = field(default_factory=time.monotonic)
    position: Position | None = None
    error: PersistenceError | Exception | None = None
    earlier: dict | None = None  # the record its Idempotency-Key already stood for
    done: bool = False
    event: threading.Event = field(default_factory=threading.Event)  # set: done, or to lead
    handed: list[Write] | None = None  # the batch it is to lead (group_commit.py)
    is_marker: bool = False  # no record: asks for a batch to run (to settle records in doubt)

    @classmethod
    def marker(cls) -> Write:
        return cls("marker", "", {}, None, b"", None, {}, is_marker=True)

    @property
    def judgment(self) -> dict | None:
        return self.record.get("judgment")

    def fail(self, outcome: str, step: str, cause: BaseException | None) -> None:
        self.error = failure(outcome, step, self.ids, cause)

    def rows(self) -> RecordRows:
        """Its rows in PostgreSQL (it MUST be journaled: the rows name their journal position)."""
        data = self.record
        if self.idempotency is not None:
            data = {**data, "idempotency": _claim(self.idempotency)}
        p = self.position
        return record_rows(
            self.kind, data, journal=p.journal, seq=p.seq, ts=p.ts, judgment_json=self.judgment_json
        )


def record_ids(kind: str, record: dict) -> dict:
    """The ids an answer about a stored record carries: its own, and its judgment's."""
    judgment = record.get("judgment")
    ids = {"perception_id": record["perception_id"]} if kind == "perception" else {}
    if judgment is not None:
        ids["judgment_id"] = judgment["judgment_id"]
    return ids


def _claim(idempotency: IdempotencyKey) -> dict:
    return {"key": idempotency.key, "fingerprint": idempotency.fingerprint}


def _data_tail(created_at: str, idempotency: IdempotencyKey | None) -> bytes:
    tail = b',"created_at":' + orjson.dumps(created_at)
    if idempotency is not None:
        tail += b',"idempotency":' + orjson.dumps(_claim(idempotency))
    return tail + b"}"


def _payload(kind: str, record_id: str, data: bytes) -> bytes:
    """The journal payload, framed as record.encode_payload frames it."""
    return b'"kind":"' + kind.encode() + b'","id":' + orjson.dumps(record_id) + b',"data":' + data


def judgment_write(judgment: dict, created_at: str, idempotency: IdempotencyKey | None) -> Write:
    judgment_json = orjson.dumps(judgment)
    data = b'{"judgment":' + judgment_json + _data_tail(created_at, idempotency)
    jid = judgment["judgment_id"]
    return Write(
        kind="judgment",
        record_id=jid,
        record={"judgment": judgment, "created_at": created_at},
        idempotency=idempotency,
        payload=_payload("judgment", jid, data),
        judgment_json=judgment_json,
        ids={"judgment_id": jid},
    )


def perception_write(record: dict, idempotency: IdempotencyKey | None) -> Write:
    """record: the perception's fields, "created_at" last, and "judgment" (a dict or None)."""
    judgment = record["judgment"]
    judgment_json = orjson.dumps(judgment) if judgment is not None else None
    fields = {k: v for k, v in record.items() if k not in ("judgment", "created_at")}
    data = (
        orjson.dumps(fields)[:-1]
        + b',"judgment":'
        + (judgment_json if judgment_json is not None else b"null")
        + _data_tail(record["created_at"], idempotency)
    )
    return Write(
        kind="perception",
        record_id=record["perception_id"],
        record=record,
        idempotency=idempotency,
        payload=_payload("perception", record["perception_id"], data),
        judgment_json=judgment_json,
        ids=record_ids("perception", record),
    )
