import os


def database_url() -> str:
    """Read the database URL from the environment; never hard-code credentials."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL is not set")
    return url
