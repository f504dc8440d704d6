import re
import unicodedata

SLUG_RE = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(title: str) -> str:
    """URL slug for a blog post title: ASCII, lower case, dashes, at most 80 characters."""
    slug = SLUG_RE.sub("-", _strip_accents(title).lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-")
