import hashlib
from pathlib import Path

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def etag_for(body: bytes) -> str:
    """A cache validator, not a security boundary."""
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


def verify_download(path: Path, expected_sha256: str) -> None:
    actual = sha256_of(path)
    if actual != expected_sha256.lower():
        raise ValueError(f"{path.name}: checksum {actual} does not match {expected_sha256}")
