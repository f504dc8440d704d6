const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

async function findOrders(customerId, status) {
  const { rows } = await pool.query(
    `SELECT id, total_cents, status FROM orders
     WHERE customer_id = $1 AND status = $2
     ORDER BY id DESC`,
    [customerId, status]
  );
  return rows;
}

async function cancelOrder(orderId, reason) {
  await pool.query("UPDATE orders SET status = 'cancelled', reason = $1 WHERE id = $2", [reason, orderId]);
}

module.exports = { findOrders, cancelOrder };
