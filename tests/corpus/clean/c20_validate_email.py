import re

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def is_email(address: str) -> bool:
    """Tell whether address looks like an e-mail address."""
    return bool(EMAIL_RE.match(address.strip()))
