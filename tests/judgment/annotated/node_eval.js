const express = require("express");
const vm = require("vm");

const app = express();
app.use(express.json());

app.post("/calc", (req, res) => {
  const expression = req.body.expression;
  // ruleid: code-injection
  const result = eval(expression);
  res.json({ result });
});

app.post("/calc-safe", (req, res) => {
  const a = Number(req.body.a);
  const b = Number(req.body.b);
  // ok: code-injection
  const result = eval(`${a} + ${b}`);
  res.json({ result });
});

app.post("/rule", (req, res) => {
  const body = req.body.rule;
  // ruleid: code-injection
  const check = new Function("order", "return " + body);
  res.json({ passes: check(req.body.order) });
});

app.post("/sandbox", (req, res) => {
  const sandbox = { total: 0 };
  // ruleid: code-injection
  vm.runInNewContext(req.body.script, sandbox);
  res.json(sandbox);
});

app.get("/plugin", (req, res) => {
  // ruleid: code-injection
  const plugin = require("./plugins/" + req.query.name);
  res.json(plugin.describe());
});

const PLUGINS = { csv: "./plugins/csv", json: "./plugins/json" };
app.get("/plugin-known", (req, res) => {
  const name = req.query.name;
  if (!Object.prototype.hasOwnProperty.call(PLUGINS, name)) {
    return res.status(404).end();
  }
  // ok: code-injection
  const plugin = require(PLUGINS[name]);
  res.json(plugin.describe());
});

app.listen(3000);
