// The judgment page: talks to the JSON API and renders every value as text (never as HTML).
"use strict";

const $ = (selector) => document.querySelector(selector);
let fileName = "";

function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function headers(json) {
  const h = json ? { "Content-Type": "application/json" } : {};
  const token = $("#token").value.trim();
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

function showError(text) {
  const box = $("#error");
  box.textContent = text;
  box.hidden = !text;
}

function describeError(status, body) {
  const error = (body && body.error) || {};
  const fields = (error.details && error.details.fields) || {};
  const named = Object.entries(fields).map(([field, why]) => `${field}: ${why}`);
  return [`${status} ${error.code || "error"}: ${error.message || "request failed"}`, ...named].join("\n");
}

function bar(label, value, extraClass) {
  const fill = el("span", "fill");
  fill.style.width = `${Math.max(0, Math.min(100, value))}%`;
  return el("div", `bar ${extraClass || ""}`, el("span", "label", label), el("span", "track", fill),
    el("span", "value", Number(value).toFixed(1)));
}

function severityClass(severity) {
  if (severity >= 0.5) return "grave";
  if (severity >= 0.3) return "defect";
  return "smell";
}

function findingItem(f) {
  return el("li", `finding ${severityClass(f.severity)}`,
    el("span", "rule", f.rule), " ", el("span", "dog", f.dog), " ", el("span", "message", f.message));
}

function renderCode(content, findings) {
  const byLine = new Map();
  for (const f of findings) {
    if (!byLine.has(f.line)) byLine.set(f.line, []);
    byLine.get(f.line).push(f);
  }
  const code = $("#code");
  code.replaceChildren();
  const lines = content.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop(); // the final newline ends a line
  lines.forEach((text, index) => {
    const line = index + 1;
    const here = byLine.get(line) || [];
    const row = el("li", "line", el("span", "lineno", line), el("code", "src", text));
    row.dataset.line = String(line);
    if (here.length) {
      const worst = Math.max(...here.map((f) => f.severity));
      row.classList.add("flagged", severityClass(worst));
      row.append(el("ul", "findings", ...here.map(findingItem)));
    }
    code.append(row);
  });
  $("#unit-findings").replaceChildren(...(byLine.get(0) || []).map(findingItem));
  $("#no-findings").hidden = findings.length > 0;
}

function renderJudgment(j) {
  const verdict = $("#verdict");
  verdict.textContent = j.verdict;
  verdict.className = `verdict verdict-${j.verdict}`;
  $("#q-score").textContent = j.q_score.toFixed(3);
  $("#confidence").textContent = j.confidence.toFixed(3);
  $("#language").textContent = j.language || "unknown";
  $("#level-used").textContent = j.level_used;
  $("#persisted").textContent = j.persisted ? `stored as ${j.judgment_id}` : "dry run: not stored";
  $("#axioms").replaceChildren(...Object.entries(j.axiom_scores).map(([name, q]) => bar(name, q)));
  const vetoed = new Set(j.vetoed_by || []);
  $("#dogs").replaceChildren(...Object.entries(j.dog_votes).map(([dog, q]) =>
    bar(vetoed.has(dog) ? `${dog} (veto)` : dog, q, vetoed.has(dog) ? "veto" : "")));
  renderCode(j.content, j.findings || []);
  $("#result").hidden = false;
}

async function judge(event) {
  event.preventDefault();
  showError("");
  const body = { content: $("#content").value, reality: $("#reality").value };
  if ($("#level").value) body.level = $("#level").value;
  if (fileName) body.context = `file: ${fileName}`;
  const url = $("#store").checked ? "/judge" : "/judge?dry_run=true";
  const button = $("#judge");
  button.disabled = true;
  try {
    const response = await fetch(url, { method: "POST", headers: headers(true), body: JSON.stringify(body) });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      showError(describeError(response.status, answer));
      return;
    }
    renderJudgment(answer);
    if (answer.persisted) loadState();
  } catch (err) {
    showError(`the node did not answer: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function loadState() {
  const note = $("#state-error");
  try {
    const response = await fetch("/state", { headers: headers(false) });
    const state = await response.json().catch(() => null);
    if (!response.ok) {
      note.textContent = describeError(response.status, state);
      note.hidden = false;
      return;
    }
    note.hidden = true;
    const counts = state.verdict_counts || {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1;
    $("#verdict-counts").replaceChildren(...Object.entries(counts).map(([verdict, n]) => {
      const row = bar(verdict, (100 * n) / total, `verdict-${verdict}`);
      row.querySelector(".value").textContent = String(n);
      return row;
    }));
    $("#recent").replaceChildren(...(state.recent_judgments || []).slice(0, 20).map((r) =>
      el("tr", "", el("td", `verdict-${r.verdict}`, r.verdict), el("td", "", Number(r.q_score).toFixed(1)),
        el("td", "", r.state_key), el("td", "muted", String(r.judgment_id).slice(0, 8)))));
  } catch (err) {
    note.textContent = `state unavailable: ${err.message}`;
    note.hidden = false;
  }
}

async function pickFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  fileName = file.name;
  $("#file-name").textContent = fileName;
  $("#content").value = await file.text();
}

document.addEventListener("DOMContentLoaded", () => {
  $("#judge-form").addEventListener("submit", judge);
  $("#file").addEventListener("change", pickFile);
  $("#content").addEventListener("input", () => {
    fileName = "";
    $("#file-name").textContent = "";
  });
  loadState();
});
