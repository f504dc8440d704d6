import httpx


class InventoryClient:
    """Client for the warehouse inventory service (TLS verified against the system store)."""

    def __init__(self, base_url: str, token: str):
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=5.0,
        )

    def stock(self, sku: str) -> int:
        resp = self._client.get(f"/stock/{sku}")
        resp.raise_for_status()
        return int(resp.json()["available"])

    def reserve(self, sku: str, qty: int) -> str:
        resp = self._client.post("/reservations", json={"sku": sku, "qty": qty})
        resp.raise_for_status()
        return resp.json()["reservation_id"]

    def close(self) -> None:
        self._client.close()
