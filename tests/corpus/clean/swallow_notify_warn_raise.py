import logging

import requests

log = logging.getLogger(__name__)


class ChargeFailed(RuntimeError):
    """The payment gateway refused or failed a charge."""


def notify_subscribers(subscribers: list[str], event: dict) -> list[str]:
    """POST the event to every subscriber; return the URLs that failed (logged as warnings)."""
    failed = []
    for url in subscribers:
        try:
            resp = requests.post(url, json=event, timeout=5)
            resp.raise_for_status()
        except requests.RequestException as exc:
            log.warning("callback %s failed: %s", url, exc)
            failed.append(url)
    return failed


def charge_and_notify(gateway, order, subscribers: list[str]) -> str:
    try:
        charge_id = gateway.charge(order.customer_id, order.total_cents)
    except gateway.Error as exc:
        log.exception("charge failed for order %s", order.id)
        raise ChargeFailed(str(exc)) from exc
    notify_subscribers(subscribers, {"type": "order.charged", "order": order.id, "charge": charge_id})
    return charge_id
