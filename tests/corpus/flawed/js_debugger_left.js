export function applyDiscount(cart, code) {
  console.log("applyDiscount", cart, code);
  const rule = cart.rules.find((r) => r.code === code);
  debugger;
  if (!rule) {
    return cart;
  }
  const discount = Math.min(cart.total, rule.amount);
  console.log("discount", discount);
  return { ...cart, total: cart.total - discount, applied: [...cart.applied, code] };
}

export function cartTotal(cart) {
  return cart.items.reduce((sum, item) => sum + item.qty * item.price, 0);
}
