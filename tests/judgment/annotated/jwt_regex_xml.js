const express = require("express");
const jwt = require("jsonwebtoken");
const libxmljs = require("libxmljs");
const escapeStringRegexp = require("escape-string-regexp");

const app = express();
app.use(express.text({ type: "application/xml" }));

app.get("/me", (req, res) => {
  const token = req.headers.authorization.split(" ")[1];
  // ruleid: jwt-unverified
  const claims = jwt.decode(token);
  res.json({ user: claims.sub });
});

app.get("/me-verified", (req, res) => {
  const token = req.headers.authorization.split(" ")[1];
  // ok: jwt-unverified
  const claims = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ["HS256"] });
  res.json({ user: claims.sub });
});

app.get("/legacy", (req, res) => {
  const token = req.cookies.session;
  // ruleid: jwt-unverified
  const claims = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ["HS256", "none"] });
  res.json({ user: claims.sub });
});

app.get("/search", (req, res) => {
  // ruleid: regex-injection
  const re = new RegExp(req.query.pattern, "i");
  res.json({ match: re.test("catalogue") });
});

app.get("/search-literal", (req, res) => {
  // ok: regex-injection
  const re = new RegExp(escapeStringRegexp(req.query.term), "i");
  res.json({ match: re.test("catalogue") });
});

app.post("/import", (req, res) => {
  // ruleid: xxe
  const doc = libxmljs.parseXml(req.body, { noent: true });
  res.json({ root: doc.root().name() });
});

app.post("/import-safe", (req, res) => {
  // ok: xxe
  const doc = libxmljs.parseXml(req.body, { noent: false, nonet: true });
  res.json({ root: doc.root().name() });
});

app.listen(3000);
