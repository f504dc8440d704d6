"""The journal's package docstring is its on-disk contract: its example lines are what the code
writes and reads, and each row of its reading table is what the reader does with those bytes."""

from __future__ import annotations

import json
import re
import zlib

import pytest

from cynic_app.durability import journal
from cynic_app.durability.journal import JournalCorrupt, scan
from cynic_app.durability.journal.layout import segment_name
from cynic_app.durability.journal.record import PREFIX_BYTES, decode, encode

CONTRACT = journal.__doc__
_LINE_RE = re.compile(r"^\s+(\{\"crc\":\"[0-9a-f]{8}\".*\})$", re.MULTILINE)
_ROW_RE = re.compile(
    r"^ {8}(?P<row>\S.*?)\s{2,}(?P<outcome>clean end|torn tail|corruption)"
    r"(?:, last seq (?P<last>\d+)| at seq (?P<at>\d+))$",
    re.MULTILINE,
)


def example_lines() -> list[bytes]:
    return [m.group(1).encode() for m in _LINE_RE.finditer(CONTRACT)]


def reading_table() -> list[tuple[str, str, int]]:
    rows = [(m["row"], m["outcome"], int(m["last"] or m["at"])) for m in _ROW_RE.finditer(CONTRACT)]
    assert len(rows) >= 10, "the reading table went missing from the journal's docstring"
    return rows


def test_the_documented_lines_check_and_decode_as_documented():
    lines = example_lines()
    assert len(lines) == 2
    for line in lines:
        assert int(line[8:16], 16) == zlib.crc32(line[PREFIX_BYTES:-1])  # the crc covers the body
        decode(line + b"\n")
    current, legacy = (decode(line + b"\n") for line in lines)
    assert (current.seq, current.ts, current.sync, current.kind, current.id) == (
        7,
        1765000007,
        6,
        "abort",
        "a1",
    )
    assert current.data == {"ref_seq": 5}
    assert encode(7, "abort", "a1", {"ref_seq": 5}, ts=1765000007, sync=6) == lines[0] + b"\n"
    assert (legacy.seq, legacy.ts, legacy.sync, legacy.kind) == (3, 0, 0, "abort")


def test_the_writer_emits_the_fields_in_the_documented_order():
    template = re.search(r'^\s+(\{"crc":"<8 hex>".*)\\n$', CONTRACT, re.MULTILINE).group(1)
    documented = re.findall(r'"(\w+)":', template)
    written = list(json.loads(encode(1, "judgment", "j", {"a": 1}, ts=2, sync=0)))
    assert documented == written == ["crc", "seq", "ts", "sync", "kind", "id", "data"]


def _line(token: str) -> tuple[bytes, int | None]:
    """The bytes of one line of the table's notation, and the seq it holds (None: bad)."""
    if token.startswith("v1:"):
        seq = int(token[3:])
        body = b'"seq":%d,"kind":"abort","id":"x%d","data":{"ref_seq":%d}' % (seq, seq, seq)
        return b'{"crc":"%08x",' % zlib.crc32(body) + body + b"}\n", seq
    if token in ("bad", "part"):
        good = encode(99, "judgment", "torn", {"pad": "x" * 40}, ts=99, sync=0)
        if token == "part":
            return good[: len(good) // 2], None
        garbled = bytearray(good)
        garbled[40] ^= 0x01  # inside the body, not the newline: the checksum alone refuses it
        return bytes(garbled), None
    seq, sync = (int(n) for n in token.split("/"))
    return encode(seq, "judgment", f"r{seq}", {"n": seq}, ts=seq, sync=sync), seq


def _write(directory, row: str) -> tuple[dict[int, tuple], list]:
    """Write the row's segments; return where each seq's line starts ({seq: (path, offset)}, the
    bad lines' seqs filled in from their place) and the segments' paths."""
    places: dict[int, tuple] = {}
    paths = []
    expected = 1
    for segment in row.split("|"):
        tokens = [] if segment.strip() == "(empty)" else segment.split()
        named = _line(tokens[0])[1] if tokens else None
        path = directory / segment_name(expected if named is None else named)  # by its first seq
        places[expected] = (path, 0)  # the seq expected next should start this segment
        data = b""
        for token in tokens:
            line, seq = _line(token)
            places.setdefault(expected, (path, len(data)))  # this line should hold seq `expected`
            expected = (expected if seq is None else seq) + 1
            data += line
        places[expected] = (path, len(data))
        path.write_bytes(data)
        paths.append(path)
    return places, paths


@pytest.mark.parametrize(("row", "outcome", "seq"), reading_table())
def test_each_row_of_the_reading_table_reads_as_documented(tmp_path, row, outcome, seq):
    directory = tmp_path / "20261207T100000-1-0a0b0c0d"
    directory.mkdir()
    places, paths = _write(directory, row)
    if outcome == "corruption":
        with pytest.raises(JournalCorrupt) as refused:
            scan(directory)
        path, offset = places[seq]
        assert (refused.value.path, refused.value.offset) == (path, offset), refused.value
        return
    before = paths[-1].read_bytes()
    result = scan(directory)
    assert result.last_seq == seq
    if outcome == "clean end":
        assert result.torn_bytes == 0 and result.repaired == []
        return
    path, offset = places[seq + 1]  # the journal ends where the line after the last good one began
    assert path == paths[-1] and result.torn_bytes == len(before) - offset > 0
    assert path.read_bytes() == before[:offset]  # cut there
    assert (path.parent / (path.name + ".broken")).read_bytes() == before  # the original kept
    assert scan(directory).torn_bytes == 0  # and it reads clean from now on
