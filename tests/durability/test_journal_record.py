import pytest

from cynic_app.durability.journal.record import BadRecord, check, decode, encode

LINE = encode(7, "judgment", "abc", {"x": "héllo\nworld", "n": 1.5}, ts=1764100000123456789)


def test_round_trip():
    record = decode(LINE)
    assert (record.seq, record.ts, record.kind, record.id, record.data) == (
        7,
        1764100000123456789,
        "judgment",
        "abc",
        {"x": "héllo\nworld", "n": 1.5},
    )
    assert LINE.count(b"\n") == 1 and LINE.endswith(b"}\n")


def test_a_format_1_line_without_ts_still_reads():
    line = b'{"crc":"6a0a9c1d","seq":3,"kind":"abort","id":"x","data":{"ref_seq":2}}\n'
    import zlib

    body = line[18:-2]
    line = b'{"crc":"%08x",' % zlib.crc32(body) + body + b"}\n"
    record = decode(line)
    assert (record.seq, record.ts, record.kind, record.id) == (3, 0, "abort", "x")


@pytest.mark.parametrize("cut", range(1, len(LINE)))
def test_every_truncation_is_rejected(cut):
    with pytest.raises(BadRecord):
        decode(LINE[:cut])


@pytest.mark.parametrize("position", range(0, len(LINE) - 1, 3))
def test_every_flipped_byte_is_rejected_by_the_checksum_alone(position):
    garbled = bytearray(LINE)
    garbled[position] ^= 0x01
    with pytest.raises(BadRecord):
        check(bytes(garbled))


def test_unknown_kind_is_rejected():
    with pytest.raises(BadRecord):
        decode(encode(1, "mystery", "x", {}))
