const express = require("express");
const session = require("express-session");
const crypto = require("crypto");
const _ = require("lodash");
const jwt = require("jsonwebtoken");
const axios = require("axios");

const app = express();
app.use(
  session({
    // ruleid: hardcoded-secret
    secret: "keyboard cat",
    resave: false,
    saveUninitialized: false,
    // ruleid: insecure-cookie
    cookie: { secure: false },
  })
);
// ok: hardcoded-secret
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { secure: true, httpOnly: true } }));

app.get("/greeting", (req, res) => {
  // ruleid: template-injection
  const render = _.template(req.query.tpl);
  res.send(render({ name: "visitor" }));
});

app.get("/greeting-fixed", (req, res) => {
  // ok: template-injection
  const render = _.template("Hello <%- name %>");
  res.send(render({ name: req.query.name }));
});

app.post("/token", (req, res) => {
  // ruleid: hardcoded-secret
  const token = jwt.sign({ sub: req.body.user }, "changeme-in-prod");
  res.json({ token });
});

app.post("/webhook", (req, res) => {
  const expected = crypto.createHmac("sha256", process.env.HOOK_KEY).update(JSON.stringify(req.body)).digest("hex");
  const signature = req.get("x-signature");
  // ruleid: timing-unsafe-compare
  if (signature !== expected) {
    return res.sendStatus(401);
  }
  // ok: timing-unsafe-compare
  if (!crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    return res.sendStatus(401);
  }
  res.sendStatus(204);
});

function encrypt(text, key) {
  // ruleid: weak-cipher
  const cipher = crypto.createCipheriv("des-ede3-cbc", key, Buffer.alloc(8));
  return cipher.update(text, "utf8", "hex") + cipher.final("hex");
}

function encryptWell(text, key, iv) {
  // ok: weak-cipher
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  return cipher.update(text, "utf8", "hex") + cipher.final("hex");
}

app.get("/proxy", async (req, res) => {
  // ruleid: ssrf
  const upstream = await fetch(req.query.url);
  res.send(await upstream.text());
});

app.get("/proxy-fixed", async (req, res) => {
  // ok: ssrf
  const upstream = await axios.get("https://status.example.com/api");
  res.json(upstream.data);
});

app.get("/where", async (req, res) => {
  // ruleid: nosql-injection
  const users = await db.collection("users").find({ $where: "this.name == '" + req.query.name + "'" }).toArray();
  res.json(users);
});

app.get("/go-back", (req, res) => {
  // ruleid: open-redirect
  res.location(req.query.to).sendStatus(302);
});

// ruleid: unsafe-regex
const EMAIL = /^([a-zA-Z0-9]+\s?)*@example\.com$/;
// ok: unsafe-regex
const NAME = /^[a-z][a-z0-9-]{0,62}$/;

app.get("/check", (req, res) => {
  res.json({ email: EMAIL.test(req.query.email), name: NAME.test(req.query.name) });
});

module.exports = { app, encrypt, encryptWell };
