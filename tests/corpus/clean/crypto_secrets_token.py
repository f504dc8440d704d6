import secrets
import time

from .store import save_reset


def make_reset_token() -> str:
    return secrets.token_urlsafe(32)


def start_password_reset(user_id: int) -> str:
    """Issue a one-hour password-reset token for user_id."""
    token = make_reset_token()
    save_reset(user_id, token, expires_at=time.time() + 3600)
    return token


def six_digit_otp() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"
