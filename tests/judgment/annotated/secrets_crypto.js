const crypto = require("crypto");
const https = require("https");
const jwt = require("jsonwebtoken");

// ruleid: hardcoded-secret
const JWT_SECRET = "s3cr3t-Kx9vQ2mZ7";
// ok: hardcoded-secret
const JWT_SECRET_NAME = "JWT_SECRET";
// ok: hardcoded-secret
const apiKey = process.env.API_KEY;

const config = {
  host: "db.internal",
  // ruleid: hardcoded-secret
  password: "Tr0ub4dor&3",
  // ok: hardcoded-secret
  passwordField: "password",
};

function resetToken() {
  // ruleid: insecure-random
  const token = Math.random().toString(36).slice(2);
  return token;
}

function resetTokenSafe() {
  // ok: insecure-random
  const token = crypto.randomBytes(24).toString("hex");
  return token;
}

function jitter() {
  // ok: insecure-random
  const delay = Math.floor(Math.random() * 100);
  return delay;
}

// ruleid: tls-unverified
const insecureAgent = new https.Agent({ rejectUnauthorized: false });
// ok: tls-unverified
const agent = new https.Agent({ rejectUnauthorized: true });

function hashPassword(password) {
  // ruleid: weak-password-hash
  return crypto.createHash("sha256").update(password).digest("hex");
}

function sign(user) {
  return jwt.sign({ sub: user.id }, JWT_SECRET, { algorithm: "HS256" });
}

module.exports = { config, resetToken, resetTokenSafe, jitter, insecureAgent, agent, hashPassword, sign };
