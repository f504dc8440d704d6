"""Read the journal: verify every record, repair a torn tail, refuse corruption."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import JournalCorrupt
from .record import PREFIX_BYTES, BadRecord, Record, check, decode
from .repair import repair_tail
from .segment import list_segments

_HEAD_RE = re.compile(rb'"seq":(\d+),"kind":"(\w+)","id":"([^"]*)"')


@dataclass
class ScanResult:
    """What a verification pass found; records themselves are read again by ``records``."""

    directory: Path
    first_seq: int = 0  # seq of the oldest record present (0: none)
    last_seq: int = 0
    records: int = 0
    aborted: set[str] = field(default_factory=set)
    torn_bytes: int = 0
    repaired: list[Path] = field(default_factory=list)


def scan(directory: Path, *, repair: bool = True, after_seq: int = 0) -> ScanResult:
    """Verify every segment holding records after after_seq.

    A torn tail is repaired when repair is True (else only counted). Raise JournalCorrupt for
    damage anywhere else.
    """
    result = ScanResult(directory)
    segments = list_segments(directory)
    expected = None
    for index, (first, path) in enumerate(segments):
        next_first = segments[index + 1][0] if index + 1 < len(segments) else None
        if next_first is not None and next_first <= after_seq + 1:
            continue  # every record in it is settled and covered by the checkpoint
        is_tail = next_first is None
        if expected is not None and first != expected:
            raise JournalCorrupt(path, 0, f"segment starts at seq {first}, expected {expected}")
        expected = _scan_segment(path, first, is_tail, repair, result)
    return result


def _scan_segment(path: Path, first: int, is_tail: bool, repair: bool, result: ScanResult) -> int:
    data = path.read_bytes()
    offset, expected = 0, first
    for line in data.splitlines(keepends=True):
        try:
            check(line)
            head = _HEAD_RE.match(line, PREFIX_BYTES)
            if head is None:
                raise BadRecord("fields out of order")
        except BadRecord as exc:
            if not is_tail or _valid_after(data, offset + len(line)):
                raise JournalCorrupt(path, offset, str(exc)) from None
            result.torn_bytes += len(data) - offset
            if repair:
                repair_tail(path, offset)
                result.repaired.append(path)
            return expected
        seq, kind, rid = int(head.group(1)), head.group(2), head.group(3).decode()
        if seq != expected:
            raise JournalCorrupt(path, offset, f"seq {seq} follows {expected - 1}")
        if kind == b"abort":
            result.aborted.add(rid)
        result.first_seq = result.first_seq or seq
        result.last_seq = seq
        result.records += 1
        offset += len(line)
        expected = seq + 1
    return expected


def _valid_after(data: bytes, offset: int) -> bool:
    """True when any complete, valid record follows offset (then damage is not a torn tail)."""
    for line in data[offset:].splitlines(keepends=True):
        try:
            check(line)
            return True
        except BadRecord:
            continue
    return False


@dataclass(frozen=True)
class RawRecord:
    """A checked line, not parsed: replay hands its data to PostgreSQL as JSON text."""

    seq: int
    kind: str
    id: str
    data: bytes  # the JSON object under "data", as written


def raw_records(directory: Path, *, after_seq: int = 0) -> Iterator[RawRecord]:
    """Yield every record with seq > after_seq without parsing its JSON.

    Call ``scan`` first, in the same process, with no writer running (start-up, the CLI): this
    trusts its verification and does not check each line again.
    """
    for line in _lines(directory, after_seq):
        head = _HEAD_RE.match(line, PREFIX_BYTES)
        seq = int(head.group(1))
        if seq > after_seq:
            data = line[head.end() + len(b',"data":') : -2]
            yield RawRecord(seq, head.group(2).decode(), head.group(3).decode(), data)


def _lines(directory: Path, after_seq: int) -> Iterator[bytes]:
    segments = list_segments(directory)
    for index, (_first, path) in enumerate(segments):
        next_first = segments[index + 1][0] if index + 1 < len(segments) else None
        if next_first is not None and next_first <= after_seq + 1:
            continue
        with path.open("rb") as handle:
            yield from handle


def records(directory: Path, *, after_seq: int = 0) -> Iterator[Record]:
    """Yield every record with seq > after_seq, in order. Call ``scan`` first: this trusts it."""
    for line in _lines(directory, after_seq):
        record = decode(line)
        if record.seq > after_seq:
            yield record
