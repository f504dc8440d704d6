const express = require("express");
const path = require("path");
const fs = require("fs/promises");
const axios = require("axios");

const app = express();
app.use(express.json());
const STORAGE = "/var/app/storage";

async function saveUpload(folder, filename, content) {
  const target = path.join(STORAGE, folder, filename);
  // ruleid: path-traversal
  await fs.writeFile(target, content);
  return target;
}

app.post("/upload", async (req, res) => {
  const where = await saveUpload(req.body.folder, req.body.filename, req.body.content);
  res.json({ where });
});

app.post("/upload-safe", async (req, res) => {
  const name = path.basename(req.body.filename);
  const target = path.join(STORAGE, "inbox", name);
  // ok: path-traversal
  await fs.writeFile(target, req.body.content);
  res.json({ where: target });
});

app.get("/fetch", async (req, res) => {
  // ruleid: ssrf
  const reply = await axios.get(req.query.url);
  res.json(reply.data);
});

app.get("/fetch-known", async (req, res) => {
  // ok: ssrf
  const reply = await axios.get("https://api.example.com/status");
  res.json(reply.data);
});

app.get("/template", (req, res) => {
  const name = req.query.t;
  // ruleid: path-traversal
  res.sendFile(name, { root: "/" });
});

app.listen(3000);
