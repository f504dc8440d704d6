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

function permalink(id, elementId) {
  const link = el("a", "id", id);
  link.href = `/j/${encodeURIComponent(id)}`;
  if (elementId) link.id = elementId;
  return link;
}

function renderJudgment(j) {
  const verdict = $("#verdict");
  verdict.textContent = j.verdict;
  verdict.className = `verdict verdict-${j.verdict}`;
  $("#q-score").textContent = j.q_score.toFixed(3);
  $("#confidence").textContent = j.confidence.toFixed(3);
  $("#language").textContent = j.language || "unknown";
  $("#level-used").textContent = j.level_used;
  $("#persisted").replaceChildren(...(j.persisted
    ? ["stored as ", permalink(j.judgment_id, "permalink")]
    : ["dry run: not stored"]));
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
    if (answer.persisted) {
      loadState();
      loadHistory(true);
    }
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
  } catch (err) {
    note.textContent = `state unavailable: ${err.message}`;
    note.hidden = false;
  }
}

// The stored judgments, newest first, a page at a time (GET /judge), filtered by verdict.
const HISTORY_PAGE = 10;
const listing = { cursor: null, generation: 0 };

function historyRow(item) {
  const what = item.context || item.excerpt.split("\n", 1)[0];
  return el("tr", "", el("td", `verdict-${item.verdict}`, item.verdict),
    el("td", "", Number(item.q_score).toFixed(1)),
    el("td", "", permalink(item.judgment_id), el("span", "what", what.length > 90 ? `${what.slice(0, 89)}…` : what)));
}

async function loadHistory(reset) {
  const generation = reset ? ++listing.generation : listing.generation;
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
  const verdict = $("#history-verdict").value;
  if (verdict) query.set("verdict", verdict);
  if (!reset && listing.cursor) query.set("cursor", listing.cursor);
  const note = $("#history-error");
  const more = $("#history-more");
  more.disabled = true; // one page at a time: a second click would fetch the same page again
  try {
    const response = await fetch(`/judge?${query}`, { headers: headers(false) });
    const page = await response.json().catch(() => null);
    if (generation !== listing.generation) return; // the filter changed meanwhile
    if (!response.ok) {
      note.textContent = describeError(response.status, page);
      note.hidden = false;
      return;
    }
    note.hidden = true;
    const rows = page.items.map(historyRow);
    if (reset) $("#recent").replaceChildren(...rows);
    else $("#recent").append(...rows);
    listing.cursor = page.next_cursor;
    more.hidden = !page.next_cursor;
    $("#history-empty").hidden = $("#recent").children.length > 0;
  } catch (err) {
    note.textContent = `stored judgments unavailable: ${err.message}`;
    note.hidden = false;
  } finally {
    more.disabled = false;
  }
}

// The judgment a permalink (/j/<id>) names, shown and put back in the editor.
let permalinkShown = false;

async function loadPermalink() {
  const id = document.body.dataset.judgmentId;
  if (!id || permalinkShown) return;
  try {
    const response = await fetch(`/judge/${encodeURIComponent(id)}`, { headers: headers(false) });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      showError(describeError(response.status, answer));
      return;
    }
    showError("");
    permalinkShown = true;
    $("#content").value = answer.content;
    if ([...$("#reality").options].some((o) => o.value === answer.reality)) $("#reality").value = answer.reality;
    fileName = answer.context.startsWith("file: ") ? answer.context.slice(6) : "";
    $("#file-name").textContent = fileName;
    renderJudgment(answer);
  } catch (err) {
    showError(`the node did not answer: ${err.message}`);
  }
}

function judgeOnCtrlEnter(event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    $("#judge-form").requestSubmit();
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
  $("#judge-form").addEventListener("keydown", judgeOnCtrlEnter);
  $("#history-verdict").addEventListener("change", () => loadHistory(true));
  $("#history-more").addEventListener("click", () => loadHistory(false));
  $("#token").addEventListener("change", () => { // reads may need it: try again with it
    loadState();
    loadHistory(true);
    loadPermalink();
  });
  $("#file").addEventListener("change", pickFile);
  $("#content").addEventListener("input", () => {
    fileName = "";
    $("#file-name").textContent = "";
  });
  loadPermalink();
  loadState();
  loadHistory(true);
});
