"""The rows a record (``cynic_app/record.py``) becomes in PostgreSQL, typed, built once per record."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import orjson

from ..judgment.cell import state_key_of
from ..record import PerceptionRecord, Record

SHARDS = 16


def shard_of(journal: str) -> int:
    """The state_counters shard a journal's records count in: one per writer, so that concurrent
    writers rarely wait on the same counter row and a batch updates one row per counter."""
    return zlib.crc32(journal.encode()) % SHARDS


@dataclass(frozen=True)
class JudgmentRow:
    judgment_id: str
    created_at: str
    state_key: str
    reality: str
    verdict: str
    q_score: float
    consensus_reached: bool
    journal: str
    journal_seq: int
    journal_ts: int
    body: bytes  # the judgment's JSON: the very bytes the journal holds
    counters: tuple[tuple[str, float], ...]  # (name, total) it adds, names sorted

    @classmethod
    def of(
        cls, judgment: dict, body: bytes, created_at: str, *, journal: str, seq: int, ts: int
    ) -> JudgmentRow:
        cell = judgment["cell"]
        return cls(
            judgment_id=judgment["judgment_id"],
            created_at=created_at,
            state_key=state_key_of(cell),
            reality=cell["reality"],
            verdict=judgment["verdict"],
            q_score=judgment["q_score"],
            consensus_reached=judgment["consensus_reached"],
            journal=journal,
            journal_seq=seq,
            journal_ts=ts,
            body=body,
            counters=counter_contributions(judgment),
        )


def counter_contributions(judgment: dict) -> tuple[tuple[str, float], ...]:
    """What one judgment adds to the state counters: (name, total) pairs, sorted by name."""
    pairs = [(f"verdict:{judgment['verdict']}", judgment["q_score"])]
    pairs += [(f"dog:{dog}", q) for dog, q in judgment["dog_votes"].items()]
    return tuple(sorted(pairs))


@dataclass(frozen=True)
class PerceptionRow:
    perception_id: str
    created_at: str
    source: str
    reality: str
    judgment_id: str | None
    journal: str
    journal_seq: int
    journal_ts: int
    body: bytes  # the perception's JSON, without its judgment and its idempotency claim


@dataclass(frozen=True)
class Claim:
    """An Idempotency-Key a record claims in its own transaction."""

    key: str
    fingerprint: str
    kind: str
    record_id: str


@dataclass(frozen=True)
class RecordRows:
    """Everything one record puts into PostgreSQL; all of it commits, or none."""

    record_id: str
    judgments: tuple[JudgmentRow, ...]
    perceptions: tuple[PerceptionRow, ...] = ()
    claim: Claim | None = None


def record_rows(record: Record, *, journal: str, seq: int, ts: int) -> RecordRows:
    """The rows of one journaled record, its judgment's body the bytes the record holds."""
    judgments: tuple[JudgmentRow, ...] = ()
    if record.judgment is not None:
        judgments = (
            JudgmentRow.of(
                record.judgment, record.judgment_json, record.created_at, journal=journal, seq=seq, ts=ts
            ),
        )
    perceptions: tuple[PerceptionRow, ...] = ()
    if isinstance(record, PerceptionRecord):
        fields = record.fields
        perceptions = (
            PerceptionRow(
                perception_id=fields["perception_id"],
                created_at=record.created_at,
                source=fields["source"],
                reality=fields["reality"],
                judgment_id=record.judgment["judgment_id"] if record.judgment else None,
                journal=journal,
                journal_seq=seq,
                journal_ts=ts,
                body=orjson.dumps({**fields, "created_at": record.created_at}),
            ),
        )
    key = record.idempotency
    claim = Claim(key.key, key.fingerprint, record.kind, record.record_id) if key else None
    return RecordRows(record.record_id, judgments, perceptions, claim)
