const crypto = require("crypto");
const db = require("./db");

function generateToken(bytes = 32) {
  return crypto.randomBytes(bytes).toString("base64url");
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
