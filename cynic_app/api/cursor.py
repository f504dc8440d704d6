"""The cursor of GET /judge: where the page before ended, as an opaque URL-safe string.

It is base64url (unpadded) of ``<microseconds since the epoch>.<judgment id>``: exact (PostgreSQL
keeps microseconds), and free of characters a query string must escape. Clients MUST treat it as
opaque; this module is the only one that reads or writes it.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import UTC, datetime, timedelta

from ..store.listing import Position

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
#: A cursor this service writes matches this (and is far shorter than the bound).
PATTERN = "^[A-Za-z0-9_-]{1,128}$"
_PATTERN_RE = re.compile(PATTERN)
_BODY_RE = re.compile(r"^(-?[0-9]{1,20})\.([0-9a-f-]{36})$")


class BadCursor(ValueError):
    """The text is not a cursor this service wrote."""


def cursor(position: Position) -> str:
    """Return the cursor of position."""
    micros = (position.created_at - EPOCH) // MICROSECOND
    body = f"{micros}.{uuid.UUID(position.judgment_id)}".encode("ascii")
    return base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")


def parse_cursor(text: str) -> Position:
    """Return the position a cursor stands for, or raise BadCursor."""
    if not _PATTERN_RE.match(text):
        raise BadCursor(text)
    try:
        body = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise BadCursor(text) from None
    found = _BODY_RE.match(body)
    if found is None:
        raise BadCursor(text)
    try:
        created_at = EPOCH + int(found.group(1)) * MICROSECOND
        judgment_id = str(uuid.UUID(found.group(2)))
    except (OverflowError, ValueError):  # beyond datetime's years 1 to 9999, or not a UUID
        raise BadCursor(text) from None
    return Position(created_at, judgment_id)
