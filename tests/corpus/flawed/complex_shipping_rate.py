def shipping_rate(order, customer, warehouse, promo=None):
    """Shipping price in cents."""
    rate = 0
    if order.weight_kg > 0:
        if customer.country == warehouse.country:
            if order.weight_kg < 1:
                rate = 390
            else:
                if order.weight_kg < 5:
                    rate = 590
                else:
                    if order.weight_kg < 20:
                        if customer.is_business:
                            rate = 990
                        else:
                            rate = 1290
                    else:
                        if customer.is_business:
                            if order.total_cents > 50000:
                                rate = 0
                            else:
                                rate = 2490
                        else:
                            rate = 2990
        else:
            if customer.country in ("DE", "FR", "NL", "BE", "LU", "AT"):
                if order.weight_kg < 5:
                    rate = 1190
                else:
                    rate = 2490
            else:
                if order.weight_kg < 5:
                    rate = 2990
                else:
                    rate = 5990
    if promo is not None:
        if promo.kind == "free_shipping":
            if order.total_cents >= promo.threshold_cents:
                rate = 0
        elif promo.kind == "half_shipping":
            if order.total_cents >= promo.threshold_cents:
                rate = rate // 2
    return rate
