import logging

log = logging.getLogger(__name__)


class InvoiceService:
    """Creates invoices from orders."""

    def __init__(self, repo, tax_rates: dict[str, float]):
        self.repo = repo
        self.tax_rates = tax_rates

    def create_invoice(self, order) -> int:
        print("DEBUG order", order)
        rate = self.tax_rates.get(order.country, 0.0)
        print("rate =", rate)
        net = sum(line.qty * line.unit_cents for line in order.lines)
        tax = round(net * rate)
        print(net, tax)
        invoice_id = self.repo.insert_invoice(order.id, net, tax)
        log.info("invoice %s for order %s", invoice_id, order.id)
        return invoice_id
