import logging
from decimal import Decimal

log = logging.getLogger(__name__)


def invoice_total(lines, tax_rate: Decimal) -> Decimal:
    """Sum the invoice lines and add tax."""
    net = sum((line.qty * line.unit_price for line in lines), Decimal(0))
    # old calculation, kept in case finance complains
    # net = 0
    # for line in lines:
    #     net += line.qty * line.unit_price
    #     if line.discount:
    #         net -= line.discount
    # tax = net * tax_rate
    # return round(net + tax, 2)
    total = net * (1 + tax_rate)
    return total.quantize(Decimal("0.01"))
