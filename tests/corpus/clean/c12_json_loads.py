import json


def decode_message(payload: bytes) -> dict:
    """Decode a JSON message; pickle is never used for untrusted input."""
    message = json.loads(payload.decode("utf-8"))
    if "type" not in message:
        raise KeyError("message has no type")
    return message
