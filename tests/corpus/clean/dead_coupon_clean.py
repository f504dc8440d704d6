import logging

log = logging.getLogger(__name__)


def apply_coupon(cart, coupon) -> int:
    """Apply a coupon code to the cart and return the discount in cents."""
    if coupon.expired:
        log.info("coupon %s expired", coupon.code)
        return 0
    discount = min(cart.total_cents, coupon.amount_cents)
    cart.discount_cents = discount
    cart.coupon = coupon.code
    log.info("applied %s", coupon.code)
    return discount


def _round_half_up(cents: float) -> int:
    return int(cents + 0.5)


def percent_off(cart, percent: int) -> int:
    """Discount in cents for percent off the cart total."""
    return _round_half_up(cart.total_cents * percent / 100)
