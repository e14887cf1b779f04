/* imminence web page: explorer, compare, exercises, instructor results. Plain JS, no build step.
   Everything shown comes from the API: the form from /v1/facts, answers from /v1/evaluate,
   the imminence windows from /v1/windows and the parameters of each evaluation. */
"use strict";

const state = {
  facts: null,          // /v1/facts
  doctrines: {},        // id -> /v1/doctrines/{id}
  tests: {},            // test id -> {title, passage, source}
  sources: {},          // key -> source
  windows: null,        // /v1/windows
  library: [],          // /v1/scenarios
  base: {},             // the scenario the form started from
  evalSeq: 0,
  exercises: [],
};

/* ---------- small helpers ---------- */

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVGNS = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function status(msg) { document.getElementById("status").textContent = msg || ""; }

async function api(path, options = {}) {
  const resp = await fetch(path, options);
  const type = resp.headers.get("content-type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const err = new Error(problemText(body, resp.status));
    err.status = resp.status;
    err.body = body;
    throw err;
  }
  return body;
}

function problemText(body, code) {
  if (body && typeof body === "object") {
    const items = (body.errors || []).map((e) => `${e.field}: ${e.msg}`);
    return `${body.title || "Error"} (${code})${body.detail ? ": " + body.detail : ""}` +
      (items.length && !body.detail ? ": " + items.join("; ") : "");
  }
  return `Error ${code}`;
}

const words = (id) => String(id).replace(/_/g, " ");
const VERDICT = { justified: "justified", not_justified: "not justified", indeterminate: "indeterminate" };
const MARK = { justified: "✓", not_justified: "✗", indeterminate: "?" };
const STATUS_MARK = { satisfied: "✓", failed: "✗", unknown: "?" };

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

function fmt(v) {
  if (v === null || v === undefined) return "unknown";
  if (v === true) return "true";
  if (v === false) return "false";
  return String(v);
}

/* ---------- routing ---------- */

const VIEWS = ["explorer", "compare", "exercises", "exercise", "instructor"];

function route() {
  const hash = location.hash || "#/explorer";
  const parts = hash.replace(/^#\//, "").split("/");
  let view = (parts[0] || "explorer").split("?")[0];  // #/compare?a=...: the view, then its query
  if (view === "exercises" && parts[1]) view = "exercise";
  if (!VIEWS.includes(view)) view = "explorer";
  for (const v of VIEWS) document.getElementById("view-" + v).hidden = v !== view;
  for (const a of document.querySelectorAll("[data-nav]")) {
    const current = a.dataset.nav === view || (view === "exercise" && a.dataset.nav === "exercises");
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  status("");
  if (view === "explorer") showExplorer();
  else if (view === "exercises") showExercises();
  else if (view === "compare") window.showCompare();
  else if (view === "exercise") showExercise(decodeURIComponent(parts[1]));
  else showInstructor();
}

/* ---------- shared data ---------- */

async function loadVocabulary() {
  if (state.facts) return;
  const [facts, windows, sources, doctrines] = await Promise.all([
    api("/v1/facts"), api("/v1/windows"), api("/v1/sources"), api("/v1/doctrines"),
  ]);
  state.facts = facts;
  state.windows = windows;
  for (const src of sources) state.sources[src.key] = src;
  const details = await Promise.all(doctrines.map((d) => api("/v1/doctrines/" + d.id)));
  for (const d of details) {
    state.doctrines[d.id] = d;
    for (const r of d.route_details || []) {
      for (const t of r.tests) state.tests[t.id] = t;
    }
  }
}

function factInfo(name) {
  for (const g of state.facts.groups) for (const f of g.facts) if (f.name === name) return f;
  return null;
}

/* One form control for a fact (explorer and exercises): name = dotted fact name. */
function control(f, idPrefix) {
  const id = idPrefix + f.name.replace(/\./g, "-");
  const label = h("label", { for: id }, words(f.name.split(".")[1]));
  let input;
  if (f.kind === "enum" || f.kind === "bool") {
    input = h("select", { id, name: f.name, "data-kind": f.kind });
    input.append(h("option", { value: "", text: "unknown" }));
    for (const v of f.values) input.append(h("option", { value: String(v), text: words(v) }));
  } else if (f.kind === "number") {
    input = h("input", { id, name: f.name, type: "number", inputmode: "decimal", min: f.min,
      max: f.max === null ? null : f.max, step: f.max === 1 ? "0.01" : "any",
      placeholder: "unknown", "data-kind": "number" });
  } else {
    input = h("input", { id, name: f.name, type: "text", placeholder: "unknown",
      "data-kind": "text", maxlength: "200" });
  }
  return { label, input };
}

/* ---------- explorer: see explorer.js ---------- */

/* ---------- compare: see compare.js; exercises: see exercises.js; instructor: see instructor.js ---------- */

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", route);
