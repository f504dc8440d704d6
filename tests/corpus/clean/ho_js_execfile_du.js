const { execFileSync } = require("child_process");
const path = require("path");
const express = require("express");

const app = express();
const ROOT = "/var/www";

app.get("/admin/disk", (req, res) => {
  const dir = path.resolve(ROOT, String(req.query.dir || "."));
  if (!dir.startsWith(ROOT)) {
    return res.status(400).send("outside the web root");
  }
  const output = execFileSync("du", ["-sh", "--", dir]).toString();
  res.type("text/plain").send(output);
});

app.listen(8080);
