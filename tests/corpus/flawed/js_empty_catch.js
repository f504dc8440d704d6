const fs = require("fs/promises");
const path = require("path");

async function loadPlugins(dir) {
  const plugins = [];
  const entries = await fs.readdir(dir);
  for (const entry of entries) {
    try {
      const mod = require(path.join(dir, entry));
      plugins.push(mod);
    } catch (e) {}
  }
  return plugins;
}

async function saveState(file, state) {
  await fs.writeFile(file, JSON.stringify(state)).catch(() => {});
}

module.exports = { loadPlugins, saveState };
