const express = require("express");
const mongoose = require("mongoose");

const User = mongoose.model("User", new mongoose.Schema({ name: String, password: String }));
const app = express();
app.use(express.json());

app.post("/login", async (req, res) => {
  // ruleid: nosql-injection
  const user = await User.findOne({ name: req.body.name, password: req.body.password });
  res.json({ ok: Boolean(user) });
});

app.post("/login-safe", async (req, res) => {
  const name = String(req.body.name);
  const password = String(req.body.password);
  // ok: nosql-injection
  const user = await User.findOne({ name, password });
  res.json({ ok: Boolean(user) });
});

app.get("/users", async (req, res) => {
  const filter = req.query.filter;
  // ruleid: nosql-injection
  const users = await User.find(filter);
  res.json(users);
});

app.get("/users/by-name", async (req, res) => {
  const { name } = req.query;
  // ruleid: nosql-injection
  const count = await User.countDocuments({ name });
  res.json({ count });
});

app.get("/users/count", async (req, res) => {
  // ok: nosql-injection
  const count = await User.countDocuments({ active: true });
  res.json({ count });
});

app.listen(3000);
