import hashlib
import hmac
import time

import requests


def sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def post_webhook(url: str, body: bytes, signing_secret: str = "whsec_9aF3kLm2PqR8sT1u") -> int:
    """Deliver a webhook with an HMAC signature header; return the HTTP status."""
    timestamp = str(int(time.time()))
    signature = sign(timestamp.encode() + b"." + body, signing_secret)
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
