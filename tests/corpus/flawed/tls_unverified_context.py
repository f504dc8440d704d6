import json
import ssl
import urllib.request


def fetch_json(url: str, timeout_s: float = 10.0) -> dict:
    """GET url and decode its JSON body."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, timeout=timeout_s, context=ctx) as resp:
        return json.load(resp)


def exchange_rates(base: str) -> dict[str, float]:
    data = fetch_json(f"https://rates.internal.example/latest?base={base}")
    return {k: float(v) for k, v in data["rates"].items()}
