import logging

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
log = logging.getLogger(__name__)

API = "https://payments.partner.example/api/v2"


def settle(batch_id: str, token: str) -> dict:
    """Ask the partner to settle a payment batch."""
    resp = requests.post(
        f"{API}/batches/{batch_id}/settle",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
        verify=False,
    )
    resp.raise_for_status()
    log.info("batch %s settled", batch_id)
    return resp.json()
