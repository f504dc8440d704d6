import re
from collections.abc import Callable

Check = Callable[[str], str | None]
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str | None:
    if len(value) >= 255:
        return "email too long"
    return None if EMAIL_RE.fullmatch(value) else "email invalid"


def _password(value: str) -> str | None:
    if len(value) < 12:
        return "password too short"
    if not re.search(r"\d", value):
        return "password needs a digit"
    if not re.search(r"[A-Z]", value):
        return "password needs an upper-case letter"
    return None


def _age(value: str) -> str | None:
    if not value.isdigit():
        return "age must be a number"
    return "too young" if int(value) < 16 else None


RULES: dict[str, tuple[bool, Check]] = {
    "email": (True, _email),
    "password": (True, _password),
    "age": (False, _age),
}


def validate_signup(form: dict[str, str]) -> list[str]:
    """Every problem with a signup form, in field order."""
    errors = []
    for field, (required, check) in RULES.items():
        value = str(form.get(field) or "")
        if not value:
            if required:
                errors.append(f"{field} required")
            continue
        problem = check(value)
        if problem:
            errors.append(problem)
    return errors
