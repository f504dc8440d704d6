export function applyDiscount(cart, code) {
  const rule = cart.rules.find((r) => r.code === code);
  if (!rule) {
    return cart;
  }
  const discount = Math.min(cart.total, rule.amount);
  return { ...cart, total: cart.total - discount, applied: [...cart.applied, code] };
}

export function cartTotal(cart) {
  return cart.items.reduce((sum, item) => sum + item.qty * item.price, 0);
}

export function formatCents(cents, currency = "EUR") {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}
