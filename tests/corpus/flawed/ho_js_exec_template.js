const { execSync } = require("child_process");
const express = require("express");

const app = express();

app.get("/admin/disk", (req, res) => {
  const dir = req.query.dir || "/var/www";
  const output = execSync(`du -sh ${dir}`).toString();
  res.type("text/plain").send(output);
});

app.get("/admin/uptime", (req, res) => {
  res.type("text/plain").send(execSync("uptime").toString());
});

app.listen(8080);
