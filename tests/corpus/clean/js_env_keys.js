const Stripe = require("stripe");
const mysql = require("mysql2/promise");

const stripe = Stripe(process.env.STRIPE_SECRET_KEY);

const db = mysql.createPool({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: "shop",
});

async function chargeOrder(orderId) {
  const [rows] = await db.execute("SELECT customer_id, total_cents FROM orders WHERE id = ?", [orderId]);
  const order = rows[0];
  const charge = await stripe.charges.create({
    customer: order.customer_id,
    amount: order.total_cents,
    currency: "eur",
  });
  await db.execute("UPDATE orders SET charge_id = ? WHERE id = ?", [charge.id, orderId]);
  return charge.id;
}

module.exports = { chargeOrder };
