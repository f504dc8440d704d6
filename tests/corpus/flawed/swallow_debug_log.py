import logging

import requests

log = logging.getLogger(__name__)


def notify_subscribers(subscribers: list[str], event: dict) -> None:
    """POST the event to every subscriber's callback URL."""
    for url in subscribers:
        try:
            resp = requests.post(url, json=event, timeout=5)
            resp.raise_for_status()
        except Exception as exc:
            log.debug("callback %s failed: %s", url, exc)


def charge_and_notify(gateway, order, subscribers: list[str]) -> str:
    try:
        charge_id = gateway.charge(order.customer_id, order.total_cents)
    except Exception:
        log.info("charge failed for order %s", order.id)
        return ""
    notify_subscribers(subscribers, {"type": "order.charged", "order": order.id, "charge": charge_id})
    return charge_id
