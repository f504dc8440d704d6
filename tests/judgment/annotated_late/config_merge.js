const express = require("express");
const app = express();
app.use(express.json());

const settings = {};

function assignDeep(target, source) {
  Object.keys(source).forEach((key) => {
    const value = source[key];
    if (value && typeof value === "object") {
      target[key] = target[key] || {};
      assignDeep(target[key], value);
    } else {
      // ruleid: prototype-pollution
      target[key] = value;
    }
  });
}

app.put("/settings", (req, res) => {
  assignDeep(settings, req.body);
  res.json(settings);
});

app.put("/settings/:section/:key", (req, res) => {
  const { section, key } = req.params;
  settings[section] = settings[section] || {};
  // ruleid: prototype-pollution
  settings[section][key] = req.body.value;
  res.json(settings);
});

app.put("/flags/:name", (req, res) => {
  const flags = new Map();
  // ok: prototype-pollution
  flags.set(req.params.name, Boolean(req.body.on));
  res.json(Object.fromEntries(flags));
});

app.listen(3000);
