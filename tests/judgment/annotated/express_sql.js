const express = require("express");
const mysql = require("mysql");

const app = express();
const connection = mysql.createConnection({ host: "localhost", user: "app", database: "shop" });

app.get("/products", (req, res) => {
  const category = req.query.category;
  // ruleid: sql-injection
  connection.query("SELECT * FROM products WHERE category = '" + category + "'", (err, rows) => {
    res.json(rows);
  });
});

app.get("/products/safe", (req, res) => {
  // ok: sql-injection
  connection.query("SELECT * FROM products WHERE category = ?", [req.query.category], (err, rows) => {
    res.json(rows);
  });
});

app.get("/orders/:id", (req, res) => {
  const id = req.params.id;
  const sql = `SELECT * FROM orders WHERE id = ${id}`;
  // ruleid: sql-injection
  connection.query(sql, (err, rows) => res.json(rows));
});

app.get("/orders-by-number/:id", (req, res) => {
  const id = parseInt(req.params.id, 10);
  // ok: sql-injection
  connection.query(`SELECT * FROM orders WHERE id = ${id}`, (err, rows) => res.json(rows));
});

app.get("/search", (req, res) => {
  const sort = req.query.sort === "price" ? "price" : "name";
  // ok: sql-injection
  connection.query(`SELECT * FROM products ORDER BY ${sort}`, (err, rows) => res.json(rows));
});

app.post("/login", (req, res) => {
  const { user, password } = req.body;
  const query = "SELECT id FROM users WHERE name = '" + user + "' AND pass = '" + password + "'";
  // ruleid: sql-injection
  connection.query(query, (err, rows) => res.json({ ok: rows.length > 0 }));
});

app.listen(3000);
