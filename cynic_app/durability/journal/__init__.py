"""The write-ahead journal: an append-only, checksummed JSONL log. This docstring is the
on-disk contract.

Files
    ``CYNIC_HOME/journal/`` holds segments named ``<first seq, 20 digits>.jsonl``; the segment
    with the highest first seq is the *tail*, the only one ever appended to. ``.lock`` serialises
    appenders (all gunicorn workers of a node). ``*.broken`` files are copies of a segment taken
    before a torn tail was truncated; nothing reads them.

Records
    One record per line, UTF-8, ending in ``\\n``::

        {"crc":"<8 lowercase hex>","seq":<n>,"kind":"<kind>","id":"<uuid>","data":{...}}\\n

    The line MUST begin with the 18 bytes ``{"crc":"XXXXXXXX",``; the *body* is every byte after
    them up to, not including, the final ``}\\n``. ``crc`` is the CRC-32 (zlib, IEEE polynomial)
    of the body, so it covers seq, kind, id and data, byte for byte. ``seq`` starts at 1 and
    increases by exactly 1 from each record to the next across all segments of a node.
    Kinds: ``judgment`` and ``perception`` (data is the full record that goes to PostgreSQL) and
    ``abort`` (id names a record whose write definitely did not happen: replay MUST skip it).

Writing
    An appender takes the lock, catches up with what other appenders wrote, writes the whole
    line, and fsyncs the segment before releasing the lock. A record MUST NOT be acted on (sent
    to PostgreSQL) before its fsync returned. A failed write is truncated away before the lock is
    released; a failed fsync poisons the writer: it cannot know what reached the disk, so it
    refuses all further appends (PostgreSQL's rule) and the process must be restarted. A segment
    reaching ``segment_bytes`` is closed and a new tail is created (and the directory fsynced).

Reading (three outcomes)
    clean end
        every line parses and checks.
    torn tail
        the tail's last line lacks its newline or fails its checksum, and nothing valid follows
        it. Repair copies the segment to ``<name>.broken``, truncates the torn bytes, fsyncs, and
        continues. The torn record was never acknowledged, because acknowledgement waits for the
        fsync of the whole line.
    corruption
        a bad line with valid data after it, a bad line in any segment but the tail, or a seq
        that does not follow its predecessor. This is not a crash artefact: the journal refuses
        to open, naming the file and byte offset. See docs/operations.md.
"""

from .errors import (
    JournalCorrupt,
    JournalError,
    JournalPoisoned,
    JournalRefused,
    JournalWriteFailed,
)
from .reader import Record, ScanResult, scan
from .writer import JournalWriter

__all__ = [
    "JournalCorrupt",
    "JournalError",
    "JournalPoisoned",
    "JournalRefused",
    "JournalWriteFailed",
    "JournalWriter",
    "Record",
    "ScanResult",
    "scan",
]
