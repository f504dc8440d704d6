import random
import string
import time

from .store import save_reset


def make_reset_token(length: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(length))


def start_password_reset(user_id: int) -> str:
    """Issue a one-hour password-reset token for user_id."""
    token = make_reset_token()
    save_reset(user_id, token, expires_at=time.time() + 3600)
    return token


def six_digit_otp() -> str:
    return f"{random.randint(0, 999999):06d}"
