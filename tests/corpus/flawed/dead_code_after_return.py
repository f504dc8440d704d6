import logging

log = logging.getLogger(__name__)


def apply_coupon(cart, coupon):
    """Apply a coupon code to the cart and return the discount in cents."""
    if coupon.expired:
        return 0
        log.info("coupon %s expired", coupon.code)
    discount = min(cart.total_cents, coupon.amount_cents)
    cart.discount_cents = discount
    return discount
    cart.coupon = coupon.code
    log.info("applied %s", coupon.code)


def _legacy_discount(cart):
    return cart.total_cents // 10


def _old_rounding(value):
    return int(value + 0.5)
