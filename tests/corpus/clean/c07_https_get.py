import requests

TIMEOUT_S = 10


def fetch_status(url: str) -> int:
    """Return the HTTP status of url, verifying TLS certificates."""
    response = requests.get(url, timeout=TIMEOUT_S)
    return response.status_code
