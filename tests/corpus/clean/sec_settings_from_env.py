"""Settings read from the environment once, at start-up; nothing secret lives in the code."""

from __future__ import annotations

import os
from dataclasses import dataclass


class MissingSetting(RuntimeError):
    """A required environment variable is not set."""


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSetting(f"{name} must be set")
    return value


@dataclass(frozen=True)
class Settings:
    smtp_host: str
    smtp_user: str
    smtp_password: str
    password_min_length: int = 12
    password_field: str = "password"
    token_header: str = "Authorization"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            smtp_host=_require("SMTP_HOST"),
            smtp_user=_require("SMTP_USER"),
            smtp_password=_require("SMTP_PASSWORD"),
        )
