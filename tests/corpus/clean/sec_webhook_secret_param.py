import hashlib
import hmac
import os
import time

import requests

SIGNING_SECRET_ENV = "WEBHOOK_SIGNING_SECRET"


def sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def post_webhook(url: str, body: bytes, signing_secret: str | None = None) -> int:
    """Deliver a webhook with an HMAC signature header; return the HTTP status."""
    secret = signing_secret or os.environ[SIGNING_SECRET_ENV]
    timestamp = str(int(time.time()))
    signature = sign(timestamp.encode() + b"." + body, secret)
    resp = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": timestamp,
            "X-Signature": signature,
        },
        timeout=10,
    )
    return resp.status_code
