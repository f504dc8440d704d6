const { execFile } = require("child_process");
const path = require("path");
const express = require("express");

const router = express.Router();
const REPOS = "/srv/git";
const NAME_RE = /^[a-z0-9._-]{1,64}$/;

router.post("/repos/:name/archive", (req, res) => {
  const name = req.params.name;
  const ref = String(req.body.ref || "main");
  if (!NAME_RE.test(name) || !NAME_RE.test(ref)) {
    return res.status(400).json({ error: "bad repository or ref" });
  }
  const out = path.join("/tmp", `${name}-${ref}.tar.gz`);
  execFile("git", ["-C", path.join(REPOS, name), "archive", "--format=tar.gz", "-o", out, "--", ref], (err) => {
    if (err) {
      return res.status(500).json({ error: "archive failed" });
    }
    res.download(out);
  });
});

module.exports = router;
