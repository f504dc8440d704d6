import pytest

from cynic_app.durability.journal.record import BadRecord, check, decode, encode, seq_of

LINE = encode(7, "judgment", "abc", {"x": "héllo\nworld", "n": 1.5})


def test_round_trip():
    record = decode(LINE)
    assert (record.seq, record.kind, record.id, record.data) == (
        7,
        "judgment",
        "abc",
        {"x": "héllo\nworld", "n": 1.5},
    )
    assert seq_of(LINE) == 7
    assert LINE.count(b"\n") == 1 and LINE.endswith(b"}\n")


@pytest.mark.parametrize("cut", range(1, len(LINE)))
def test_every_truncation_is_rejected(cut):
    with pytest.raises(BadRecord):
        decode(LINE[:cut])


@pytest.mark.parametrize("position", range(0, len(LINE) - 1, 3))
def test_every_flipped_byte_is_rejected(position):
    garbled = bytearray(LINE)
    garbled[position] ^= 0x01
    with pytest.raises(BadRecord):
        check(bytes(garbled))
        decode(bytes(garbled))


def test_unknown_kind_is_rejected():
    with pytest.raises(BadRecord):
        decode(encode(1, "mystery", "x", {}))
