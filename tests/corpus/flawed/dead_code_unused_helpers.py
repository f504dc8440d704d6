import os
import re
import sys
from collections import OrderedDict

SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """URL slug for a blog post title."""
    slug = SLUG_RE.sub("-", title.lower()).strip("-")
    unused_length = len(slug)
    return slug[:80]


def _strip_accents_v1(text):
    return text.encode("ascii", "ignore").decode()


def _strip_accents_v2(text):
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slugify(title: str) -> str:
    slug = SLUG_RE.sub("-", title.lower()).strip("-")
    return slug[:80]
