const crypto = require("crypto");
const db = require("./db");

function hashPassword(password) {
  return crypto.createHash("md5").update(password).digest("hex");
}

async function signup(email, password) {
  const hash = hashPassword(password);
  const { rows } = await db.query(
    "INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id",
    [email.toLowerCase(), hash]
  );
  return rows[0].id;
}

async function login(email, password) {
  const { rows } = await db.query("SELECT id, password_hash FROM users WHERE email = $1", [email.toLowerCase()]);
  if (rows.length === 0) return null;
  return rows[0].password_hash === hashPassword(password) ? rows[0].id : null;
}

module.exports = { signup, login };
