from decimal import Decimal

CENT = Decimal("0.01")


def invoice_total(lines, tax_rate: Decimal) -> Decimal:
    """Sum the invoice lines (after line discounts) and add tax, rounded to the cent."""
    net = sum((line.qty * line.unit_price - (line.discount or 0) for line in lines), Decimal(0))
    # Tax is computed on the rounded net, as the tax office's examples do.
    net = net.quantize(CENT)
    total = net * (1 + tax_rate)
    return total.quantize(CENT)
