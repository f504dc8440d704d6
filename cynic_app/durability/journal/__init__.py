"""The write-ahead journal: append-only, checksummed JSONL, one writer per journal for its whole
life. This docstring is the on-disk contract.

Files (under ``CYNIC_HOME/journal/``)
    ``<name>/``
        one *journal* per writer incarnation (a gunicorn worker process, or the one process of
        a server without gunicorn). ``<name>`` is ``<UTC yyyymmddThhmmss>-<pid>-<8 hex>`` and is
        never reused.
    ``<name>/lock``
        its writer holds an exclusive ``flock`` on it from before the first segment exists
        until it closes the journal or its process dies. A journal whose lock is free and that
        has at least one segment is *closed*: its writer is gone for good.
    ``<name>/<first seq, 20 digits>.jsonl``
        segments. The one with the highest first seq is the *tail*, the only one appended to.
    ``<name>/<segment>.broken[.N]``
        copies taken before a torn tail was cut; moved to ``CYNIC_HOME/broken/`` when the
        journal is deleted. Nothing reads them.
    ``*.jsonl`` directly in ``journal/``
        a journal of format version 1 (one journal shared by all processes, lines without
        ``ts``). Start-up settles and deletes it like a closed journal.

Records
    One record per line, UTF-8, ending in ``\\n``::

        {"crc":"<8 lowercase hex>","seq":<n>,"ts":<n>,"kind":"<kind>","id":"<uuid>","data":{...}}\\n

    The line MUST begin with the 18 bytes ``{"crc":"XXXXXXXX",``; the *body* is every byte after
    them up to, not including, the final ``}\\n``. ``crc`` is the CRC-32 (zlib, IEEE polynomial)
    of the body, so it covers seq, ts, kind, id and data, byte for byte. ``seq`` starts at 1 in
    each journal and increases by exactly 1 from each record to the next across its segments.
    ``ts`` orders records across journals (see ``clock.py``): records compare by
    (ts, journal name, seq). Kinds: ``judgment`` and ``perception`` (data is the full record that
    goes to PostgreSQL) and ``abort`` (id names a record of the same journal whose write
    definitely did not happen: it MUST never be applied).

Writing (``writer.py``)
    Only the journal's writer writes to it. Lines of one call go out in one ``write``; a record
    MUST NOT be acted on (sent to PostgreSQL) before an fsync that began after its write
    returned. A full segment is fsynced whole before the next one is created; a new journal's
    and a new segment's names are made durable (directory fsync) before a byte is written under
    them. A failed write is truncated away. A failed fsync (file or directory) or a failed
    truncate poisons the writer: it appends nothing more and its process MUST exit, so no other
    process ever relies on pages whose write-back failed; the records of that write or fsync
    are of unknown outcome (whole lines of a failed write may remain and are applied when the
    journal is settled). The writer deletes its own closed
    segments once every record in them is settled (in PostgreSQL or aborted), oldest first.

Settling a closed journal (``..settle``)
    Whoever takes a closed journal's lock (the gunicorn master when a worker exits, start-up,
    ``cynic replay``, a worker's ``/ready``) verifies it, repairs a torn tail, applies its
    unaborted records that PostgreSQL lacks and COMMITs, and only then deletes it.

Reading (three outcomes, ``reader.py``)
    clean end
        every line parses and checks; the tail may be empty.
    torn tail
        the tail's last line lacks its newline or fails its checksum, and nothing valid follows
        it. Repair copies the segment to ``<name>.broken``, truncates the torn bytes, fsyncs,
        and continues. The torn record was never acknowledged, because acknowledgement waits for
        the fsync of the whole line.
    corruption
        a bad line with valid data after it, a bad line in any segment but the tail, or a seq
        that does not follow its predecessor. This is not a crash artefact: the journal refuses
        to open, naming the file and byte offset. See docs/operations.md.
"""

from .clock import Clock, Position
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
    "Clock",
    "JournalCorrupt",
    "JournalError",
    "JournalPoisoned",
    "JournalRefused",
    "JournalWriteFailed",
    "JournalWriter",
    "Position",
    "Record",
    "ScanResult",
    "scan",
]
