const express = require("express");
const escapeHtml = require("escape-html");

const app = express();

app.get("/hello", (req, res) => {
  const name = req.query.name;
  // ruleid: xss
  res.send("<h1>Hello " + name + "</h1>");
});

app.get("/hello-safe", (req, res) => {
  // ok: xss
  res.send("<h1>Hello " + escapeHtml(req.query.name) + "</h1>");
});

app.get("/echo", (req, res) => {
  // ruleid: xss
  res.write(`<p>You searched for ${req.query.q}</p>`);
  res.end();
});

app.get("/api/echo", (req, res) => {
  // ok: xss
  res.json({ q: req.query.q });
});

app.get("/go", (req, res) => {
  // ruleid: open-redirect
  res.redirect(req.query.next);
});

app.get("/go-home", (req, res) => {
  const next = req.query.next;
  if (next !== "/home" && next !== "/account") {
    return res.redirect("/");
  }
  // ok: open-redirect
  res.redirect(next);
});

app.get("/back", (req, res) => {
  const target = req.get("referer") || "/";
  // ruleid: open-redirect
  res.redirect(302, target);
});

app.get("/profile/:id", (req, res) => {
  // ok: open-redirect
  res.redirect(`/users/${encodeURIComponent(req.params.id)}`);
});

app.listen(3000);
