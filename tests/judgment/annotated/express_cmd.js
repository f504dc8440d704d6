const express = require("express");
const { exec, execFile, spawn } = require("child_process");
const util = require("util");

const run = util.promisify(exec);
const router = express.Router();
const HOSTS = ["web1", "web2", "db1"];

router.get("/ping", (req, res) => {
  const host = req.query.host;
  // ruleid: shell-injection
  exec(`ping -c 1 ${host}`, (err, stdout) => res.send(stdout));
});

router.get("/ping-known", (req, res) => {
  const host = req.query.host;
  if (!HOSTS.includes(host)) {
    return res.status(400).send("unknown host");
  }
  // ok: shell-injection
  exec(`ping -c 1 ${host}`, (err, stdout) => res.type("text/plain").send(stdout));
});

router.post("/archive", async (req, res) => {
  const { name } = req.body;
  const cmd = "tar -czf /tmp/out.tgz " + name;
  // ruleid: shell-injection
  const { stdout } = await run(cmd);
  res.json({ ok: true, stdout });
});

router.get("/du", (req, res) => {
  // ok: shell-injection
  execFile("du", ["-sh", "--", String(req.query.dir)], (err, out) => res.json({ out }));
});

router.get("/grep", (req, res) => {
  const pattern = req.query.q;
  // ruleid: shell-injection
  const child = spawn("sh", ["-c", "grep -r " + pattern + " /srv/docs"], { shell: true });
  child.stdout.pipe(res);
});

router.get("/version", (req, res) => {
  // ok: shell-injection
  exec("git describe --tags", (err, stdout) => res.json({ version: stdout.trim() }));
});

module.exports = router;
