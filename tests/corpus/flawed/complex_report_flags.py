def build_report(rows, include_tax=False, include_refunds=False, group_by_month=False,
                 currency="EUR", round_cents=True, only_paid=True, customer=None, region=None):
    out = {}
    for r in rows:
        if only_paid == True and r["status"] != "paid":
            continue
        if customer != None and r["customer"] != customer:
            continue
        if region != None and r["region"] != region:
            continue
        amount = r["net"]
        if include_tax:
            amount = amount + r["tax"]
        if include_refunds:
            if r.get("refunded"):
                amount = amount - r["refunded"]
        if currency != "EUR":
            if currency == "USD":
                amount = amount * 1.08
            elif currency == "GBP":
                amount = amount * 0.86
            elif currency == "CHF":
                amount = amount * 0.95
            else:
                raise ValueError(currency)
        if round_cents:
            amount = round(amount)
        key = r["date"][:7] if group_by_month else r["date"]
        if key in out:
            out[key] = out[key] + amount
        else:
            out[key] = amount
    return out
