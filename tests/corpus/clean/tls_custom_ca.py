import logging
import os

import requests

log = logging.getLogger(__name__)

API = "https://payments.partner.example/api/v2"
PARTNER_CA = os.environ.get("PARTNER_CA_BUNDLE", "/etc/ssl/partner-ca.pem")


def settle(batch_id: str, token: str) -> dict:
    """Ask the partner to settle a payment batch, trusting only their private CA."""
    resp = requests.post(
        f"{API}/batches/{batch_id}/settle",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
        verify=PARTNER_CA,
    )
    resp.raise_for_status()
    log.info("batch %s settled", batch_id)
    return resp.json()
