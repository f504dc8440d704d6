const { exec } = require("child_process");
const path = require("path");
const express = require("express");

const router = express.Router();
const REPOS = "/srv/git";

router.post("/repos/:name/archive", (req, res) => {
  const repo = path.join(REPOS, req.params.name);
  const ref = req.body.ref || "main";
  const out = `/tmp/${req.params.name}-${ref}.tar.gz`;
  exec("git -C " + repo + " archive --format=tar.gz -o " + out + " " + ref, (err, stdout, stderr) => {
    if (err) {
      return res.status(500).json({ error: stderr });
    }
    res.download(out);
  });
});

module.exports = router;
