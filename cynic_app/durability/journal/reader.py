"""Read one journal: verify every record, repair a torn tail, refuse corruption."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..fsio import FS, OS_FS
from .errors import JournalCorrupt
from .layout import list_segments
from .record import HEAD_RE, PREFIX_BYTES, BadRecord, Record, check, decode
from .repair import repair_tail


@dataclass
class ScanResult:
    """What a verification pass found; records themselves are read again by ``raw_records``."""

    directory: Path
    first_seq: int = 0  # seq of the oldest record present (0: none)
    last_seq: int = 0  # seq of the newest record present, or the one before an empty tail
    records: int = 0
    aborted: set[str] = field(default_factory=set)
    torn_bytes: int = 0
    repaired: list[Path] = field(default_factory=list)


def scan(directory: Path, *, repair: bool = True, fs: FS = OS_FS) -> ScanResult:
    """Verify every segment of the journal in directory.

    A torn tail is repaired when repair is True (else only counted); repair MUST only be asked
    for a journal whose writer is gone. Raise JournalCorrupt for damage anywhere else.
    """
    result = ScanResult(Path(directory))
    segments = list_segments(directory)
    expected = None
    for index, (first, path) in enumerate(segments):
        if expected is not None and first != expected:
            raise JournalCorrupt(path, 0, f"segment starts at seq {first}, expected {expected}")
        is_tail = index == len(segments) - 1
        expected = _scan_segment(path, first, is_tail, repair, result, fs)
    if segments:
        result.last_seq = expected - 1
    return result


def _scan_segment(path: Path, first: int, is_tail: bool, repair: bool, result: ScanResult, fs: FS) -> int:
    """Check one segment; return the seq its successor must start at."""
    data = path.read_bytes()
    offset, expected = 0, first
    for line in data.splitlines(keepends=True):
        try:
            head = check(line)
        except BadRecord as exc:
            if not is_tail or not _never_durable(data, offset + len(line), expected):
                raise JournalCorrupt(path, offset, str(exc)) from None
            result.torn_bytes += len(data) - offset
            if repair:
                repair_tail(path, offset, fs=fs)
                result.repaired.append(path)
            return expected
        seq = int(head.group(1))
        if seq != expected:
            raise JournalCorrupt(path, offset, f"seq {seq} follows {expected - 1}")
        if head.group(4) == b"abort":
            result.aborted.add(head.group(5).decode())
        result.first_seq = result.first_seq or seq
        result.records += 1
        offset += len(line)
        expected = seq + 1
    return expected


def _never_durable(data: bytes, offset: int, seq: int) -> bool:
    """True when the bad line (which should hold seq) and everything after it can be torn bytes.

    Bytes written since the last fsync reach the disk in any order, so a bad line may be
    followed by valid ones, written in the same unsynced stretch. Every line says which seq its
    writer knew durable (``sync``): if no valid line after the bad one vouches for seq, nothing
    from the bad line on was ever acknowledged. If one does, the bad line had been made durable
    — that is damage, not a crash, and it is refused.
    """
    for line in data[offset:].splitlines(keepends=True):
        try:
            head = check(line)
        except BadRecord:
            continue
        if head.group(3) is None or int(head.group(3)) >= seq:
            return False  # format 1 carries no sync: valid data after damage is corruption
    return True


@dataclass(frozen=True)
class RawRecord:
    """A checked line, not parsed: replay hands its data to PostgreSQL as JSON text."""

    seq: int
    ts: int
    kind: str
    id: str
    data: bytes  # the JSON object under "data", as written


def raw_records(scanned: ScanResult) -> Iterator[RawRecord]:
    """Yield every record a scan verified, in order, without parsing its JSON.

    This trusts that scan (made with the journal closed) and does not check each line again;
    it stops after the last verified seq, so an unrepaired torn tail is never read.
    """
    if not scanned.records:
        return
    for line in _lines(scanned.directory):
        head = HEAD_RE.match(line, PREFIX_BYTES)
        seq = int(head.group(1))
        yield RawRecord(
            seq,
            int(head.group(2) or 0),
            head.group(4).decode(),
            head.group(5).decode(),
            line[head.end() : -2],
        )
        if seq == scanned.last_seq:
            return


def records(scanned: ScanResult) -> Iterator[Record]:
    """Yield every record a scan verified, parsed, in order."""
    if not scanned.records:
        return
    for line in _lines(scanned.directory):
        record = decode(line)
        yield record
        if record.seq == scanned.last_seq:
            return


def _lines(directory: Path) -> Iterator[bytes]:
    for _first, path in list_segments(directory):
        with path.open("rb") as handle:
            yield from handle
