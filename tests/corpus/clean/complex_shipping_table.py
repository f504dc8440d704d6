from bisect import bisect_right

DOMESTIC_STEPS_KG = (1, 5, 20)
DOMESTIC_CENTS = {False: (390, 590, 1290, 2990), True: (390, 590, 990, 2490)}
EU = frozenset({"DE", "FR", "NL", "BE", "LU", "AT"})
ABROAD_CENTS = {True: (1190, 2490), False: (2990, 5990)}
FREE_BUSINESS_ABOVE_CENTS = 50_000


def base_rate(order, customer, warehouse) -> int:
    """Shipping price in cents before promotions, from the rate tables above."""
    if order.weight_kg <= 0:
        return 0
    if customer.country != warehouse.country:
        heavy = order.weight_kg >= 5
        return ABROAD_CENTS[customer.country in EU][heavy]
    band = bisect_right(DOMESTIC_STEPS_KG, order.weight_kg)
    heavy_business = band == len(DOMESTIC_STEPS_KG) and customer.is_business
    if heavy_business and order.total_cents > FREE_BUSINESS_ABOVE_CENTS:
        return 0
    return DOMESTIC_CENTS[customer.is_business][band]


def shipping_rate(order, customer, warehouse, promo=None) -> int:
    """Shipping price in cents, with a free- or half-shipping promotion applied."""
    rate = base_rate(order, customer, warehouse)
    if promo is None or order.total_cents < promo.threshold_cents:
        return rate
    return {"free_shipping": 0, "half_shipping": rate // 2}.get(promo.kind, rate)
