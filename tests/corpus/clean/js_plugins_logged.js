const fs = require("fs/promises");
const path = require("path");
const log = require("./log");

async function loadPlugins(dir) {
  const plugins = [];
  const entries = await fs.readdir(dir);
  for (const entry of entries) {
    try {
      plugins.push(require(path.join(dir, entry)));
    } catch (err) {
      log.warn({ err, entry }, "plugin failed to load; skipped");
    }
  }
  return plugins;
}

async function saveState(file, state) {
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state));
  await fs.rename(tmp, file);
}

module.exports = { loadPlugins, saveState };
