"""The write-ahead journal: append-only, checksummed JSONL, one writer per journal for its whole
life. This docstring is the on-disk contract (``tests/durability/test_contract.py`` reads its
examples and checks that the code does what they say).

Files (under ``CYNIC_HOME/journal/``)
    ``writers.lock``
        every live writer holds a shared ``flock`` on it from before it creates its journal
        until it closes it; whoever holds it exclusively knows no writer of the home is alive.
    ``<name>/``
        one *journal* per writer incarnation (a gunicorn worker process, or the one process of
        a server without gunicorn). ``<name>`` is ``<UTC yyyymmddThhmmss>-<pid>-<8 hex>`` and is
        never reused.
    ``<name>/lock``
        its writer holds an exclusive ``flock`` on it from before the first segment exists
        until it closes the journal or its process dies. A journal whose lock is free and that
        has at least one segment is *closed*: its writer is gone for good. A journal without a
        segment may be being born and is left alone (only a holder of ``writers.lock`` removes it).
    ``<name>/<first seq, 20 digits>.jsonl``
        segments. The one with the highest first seq is the *tail*, the only one appended to.
        Each segment's first seq follows the previous segment's last.
    ``<name>/<segment>.broken[.N]``
        copies taken before a torn tail was cut; moved to ``CYNIC_HOME/broken/`` when the
        journal is deleted. Nothing reads them.
    ``*.jsonl`` (with ``.lock`` and ``.sync``) directly in ``journal/``
        a journal of format version 1 (one journal shared by all processes, lines without
        ``ts`` and ``sync``). Start-up settles and deletes it like a closed journal.

Records
    One record per line, UTF-8, ending in ``\\n``, its fields in this order::

        {"crc":"<8 hex>","seq":<n>,"ts":<n>,"sync":<n>,"kind":"<kind>","id":"<id>","data":{...}}\\n

    for example (kind ``abort``, id ``a1``, data ``{"ref_seq":5}``)::

        {"crc":"e0b867db","seq":7,"ts":1765000007,"sync":6,"kind":"abort","id":"a1","data":{"ref_seq":5}}

    The line MUST begin with the 18 bytes ``{"crc":"XXXXXXXX",`` (lowercase hex); the *body* is
    every byte after them up to, not including, the final ``}\\n``. ``crc`` is the CRC-32 (zlib,
    IEEE polynomial) of the body, so it covers every other field byte for byte. ``seq`` starts
    at 1 in each journal and increases by exactly 1 from each record to the next across its
    segments. ``ts`` orders records across journals (``clock.py``): records compare by
    (ts, journal name, seq). ``sync`` is the highest seq its writer knew durable (fsynced) when
    it wrote the line, 0 for none: it lets a reader tell torn bytes from damage (below).
    Kinds: ``judgment`` and ``perception`` (data is the record that goes to PostgreSQL, encoded
    by ``cynic_app/record.py``) and ``abort`` (data ``{"ref_seq": <seq>}``; id names a record
    of the same journal whose write definitely did not happen: it MUST never be applied).
    Format-1 lines have no ``ts`` and no ``sync`` (read as 0)::

        {"crc":"f8d2338e","seq":3,"kind":"abort","id":"a1","data":{"ref_seq":2}}

Writing (``writer.py``)
    Only the journal's writer writes to it. Lines of one call go out in one ``write``; a record
    MUST NOT be acted on (sent to PostgreSQL) before an fsync that began after its write
    returned. A full segment is fsynced whole before the next one is created; a new journal's
    and a new segment's names are made durable (directory fsync) before a byte is written under
    them. A failed write is truncated away. A failed fsync (file or directory) or a failed
    truncate poisons the writer: it appends nothing more and its process MUST exit, so no other
    process ever relies on pages whose write-back failed; the records of that write or fsync
    are of unknown outcome (whole lines of a failed write may remain and are applied when the
    journal is settled). A record is *resolved* once committed in PostgreSQL or aborted; the
    writer retires its own closed segments once every record in them is resolved, oldest first.

Settling a closed journal (``cynic_app/node/settle.py``)
    Whoever takes a closed journal's lock verifies it, repairs a torn tail, applies its
    unaborted records that PostgreSQL lacks and COMMITs, and only then deletes it.

Reading (three outcomes, ``reader.py``)
    A line is the bytes up to and including a ``\\n`` (the last one may lack it). A line is
    *bad* when it lacks its newline, its prefix, its checksum or its fields' order.

    clean end
        every line is good and each seq follows the one before; the tail may be empty.
    torn tail
        a bad line in the tail segment, which should hold seq N, such that no good line after
        it says seq N was durable: none has ``sync`` >= N, and none is a format-1 line (which
        says nothing, so vouches for everything). Bytes written since the last fsync reach the
        disk in any order, so good lines may follow torn bytes; they were written after seq N
        and were never acknowledged either. Repair copies the segment to ``<name>.broken``,
        truncates it at the bad line, fsyncs, and reading continues: the journal ends at N - 1.
    corruption
        a bad line that a later good line vouches for, a bad line in any segment but the tail,
        a seq that does not follow its predecessor, or a segment that does not start where the
        one before ended. Not a crash artefact: the journal refuses to open, naming the file and
        the byte offset. See docs/operations.md.

    Examples — a row is the journal's segments (``|`` between them, the tail last), a line is
    ``N/K`` (a good line of seq N and sync K), ``v1:N`` (a good format-1 line of seq N), ``bad``
    (a line failing its checksum) or ``part`` (a last line without its newline)::

        1/0 2/1 3/2              clean end, last seq 3
        (empty)                  clean end, last seq 0
        1/0 2/1 part             torn tail, last seq 2
        1/0 2/1 bad              torn tail, last seq 2
        1/0 bad 3/1              torn tail, last seq 1
        1/0 bad bad 4/1 5/1      torn tail, last seq 1
        1/0 bad 3/2              corruption at seq 2
        v1:1 bad v1:3            corruption at seq 2
        1/0 bad | 3/1            corruption at seq 2
        1/0 3/1                  corruption at seq 2
        1/0 2/1 | 4/2            corruption at seq 3
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
