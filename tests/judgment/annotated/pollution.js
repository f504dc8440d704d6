const express = require("express");
const _ = require("lodash");

const app = express();
app.use(express.json());
const defaults = { theme: "light", lang: "en" };

function merge(target, source) {
  for (const key in source) {
    if (typeof source[key] === "object" && source[key] !== null) {
      if (!target[key]) target[key] = {};
      merge(target[key], source[key]);
    } else {
      // ruleid: prototype-pollution
      target[key] = source[key];
    }
  }
  return target;
}

function safeMerge(target, source) {
  for (const key of Object.keys(source)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    if (typeof source[key] === "object" && source[key] !== null) {
      if (!target[key]) target[key] = {};
      safeMerge(target[key], source[key]);
    } else {
      // ok: prototype-pollution
      target[key] = source[key];
    }
  }
  return target;
}

app.post("/settings", (req, res) => {
  const settings = merge({}, req.body);
  res.json(settings);
});

app.post("/settings-lodash", (req, res) => {
  // ruleid: prototype-pollution
  const settings = _.merge({}, defaults, req.body);
  res.json(settings);
});

app.post("/settings-safe", (req, res) => {
  const settings = safeMerge({}, req.body);
  // ok: prototype-pollution
  const copy = _.merge({}, defaults, { theme: String(req.body.theme) });
  res.json({ settings, copy });
});

app.post("/set", (req, res) => {
  const store = {};
  const { section, key, value } = req.body;
  store[section] = store[section] || {};
  // ruleid: prototype-pollution
  store[section][key] = value;
  res.json(store);
});

app.listen(3000);
