const express = require("express");
const { exec } = require("child_process");
const db = require("./db");

const app = express();

function buildQuery(table, id) {
  return "SELECT * FROM " + table + " WHERE id = " + id;
}

function runReport(name) {
  // ruleid: shell-injection
  exec("generate-report --name " + name);
}

function runReportSafe(name) {
  if (!/^[a-z0-9-]+$/.test(name)) {
    throw new Error("bad report name");
  }
  // ok: shell-injection
  exec("generate-report --name " + name);
}

app.get("/report", (req, res) => {
  runReport(req.query.name);
  runReportSafe(req.query.name);
  res.end();
});

app.get("/item", async (req, res) => {
  const sql = buildQuery("items", req.query.id);
  // ruleid: sql-injection
  const rows = await db.query(sql);
  res.json(rows);
});

app.get("/item-safe", async (req, res) => {
  // ok: sql-injection
  const rows = await db.query("SELECT * FROM items WHERE id = $1", [req.query.id]);
  res.json(rows);
});

app.listen(3000);
