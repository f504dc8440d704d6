const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

async function findOrders(customerId, status) {
  const sql = `SELECT id, total_cents, status FROM orders
               WHERE customer_id = ${customerId} AND status = '${status}'
               ORDER BY id DESC`;
  const { rows } = await pool.query(sql);
  return rows;
}

async function cancelOrder(orderId, reason) {
  await pool.query("UPDATE orders SET status = 'cancelled', reason = '" + reason + "' WHERE id = " + orderId);
}

module.exports = { findOrders, cancelOrder };
