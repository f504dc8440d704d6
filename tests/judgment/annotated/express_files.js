const express = require("express");
const fs = require("fs");
const path = require("path");

const app = express();
const UPLOADS = path.join(__dirname, "uploads");

app.get("/download", (req, res) => {
  const file = req.query.file;
  // ruleid: path-traversal
  res.sendFile(path.join(UPLOADS, file));
});

app.get("/read", (req, res) => {
  const name = req.query.name;
  // ruleid: path-traversal
  fs.readFile("/srv/data/" + name, "utf8", (err, text) => res.json({ text }));
});

app.get("/read-safe", (req, res) => {
  const name = path.basename(req.query.name);
  // ok: path-traversal
  fs.readFile(path.join("/srv/data", name), "utf8", (err, text) => res.json({ text }));
});

app.get("/read-checked", (req, res) => {
  const target = path.resolve(UPLOADS, String(req.query.name));
  if (!target.startsWith(UPLOADS + path.sep)) {
    return res.status(403).end();
  }
  // ok: path-traversal
  fs.createReadStream(target).pipe(res);
});

app.delete("/files/:name", async (req, res) => {
  // ruleid: path-traversal
  await fs.promises.unlink(`${UPLOADS}/${req.params.name}`);
  res.status(204).end();
});

app.post("/notes", (req, res) => {
  const { title, body } = req.body;
  // ruleid: path-traversal
  fs.writeFileSync(path.join(UPLOADS, title + ".txt"), body);
  res.status(201).end();
});

app.get("/logo", (req, res) => {
  // ok: path-traversal
  res.sendFile(path.join(__dirname, "public", "logo.png"));
});

app.listen(3000);

app.get("/doc", (req, res) => {
  // ok: path-traversal
  res.sendFile(req.query.name, { root: UPLOADS });
});

app.get("/doc-checked", (req, res) => {
  const name = String(req.query.name);
  if (name.indexOf("..") !== -1) {
    return res.status(400).end();
  }
  // ok: path-traversal
  fs.readFile(path.join(UPLOADS, name), (err, data) => res.send(data));
});
