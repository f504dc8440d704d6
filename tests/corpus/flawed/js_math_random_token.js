const db = require("./db");

function generateToken(length = 32) {
  let token = "";
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (let i = 0; i < length; i++) {
    token += chars.charAt(Math.floor(Math.random() * chars.length));
  }
  return token;
}

async function createSession(userId) {
  const sessionToken = generateToken();
  await db.query("INSERT INTO sessions (token, user_id, expires_at) VALUES ($1, $2, now() + interval '7 days')", [
    sessionToken,
    userId,
  ]);
  return sessionToken;
}

module.exports = { createSession };
