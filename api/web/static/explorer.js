/* imminence web page: the scenario explorer (#/explorer). Loaded after app.js, whose
   helpers (h, s, api, status, state, loadVocabulary, words, fmt, ...) it uses, and yaml.js.

   What the screen shows is carried by the URL (#/explorer?case=ID&f.threat.hours_until=12&
   p.caroline_max_hours=24): the case, the facts edited from it and the parameters changed from
   their defaults, so a link reproduces the screen. The API validates everything: a 422
   marks the field it names (aria-invalid, message tied by aria-describedby) and the verdicts
   on screen are marked stale until the input is valid again. */
"use strict";

const ex = {
  ready: false,
  params: [],        // /v1/parameters
  baseId: "",        // the library case the form started from ("" = blank or uploaded)
  base: {},          // that scenario (facts and metadata)
  origin: "",        // "library" | "blank" | "file: NAME"
  lastHash: null,    // the hash this page last wrote
  lastGood: null,    // the last valid evaluation
  seq: 0,
  timer: null,
  notes: [],         // things the link or file named that could not be used (said, never dropped silently)
};
const META_KEYS = ["id", "title", "summary", "date", "acting_state", "sources", "note"];
const URL_META = ["title", "date", "summary", "sources"];
const NUMBER_RE = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function verdictLabel(v) {
  const labels = state.labels && state.labels.verdicts;
  if (labels && labels[v]) return typeof labels[v] === "string" ? labels[v] : (labels[v].label || VERDICT[v] || words(v));
  return VERDICT[v] || words(v);
}
function classLabel(c) {
  const labels = state.labels && state.labels.classes;
  if (labels && labels[c]) return typeof labels[c] === "string" ? labels[c] : (labels[c].label || words(c));
  return String(c).replace(/_/g, "-");
}
function verdictBadge(v, attrs = {}) {
  return h("span", { class: "verdict " + v, ...attrs }, (MARK[v] || "") + " " + verdictLabel(v));
}
function sourceShort(key) { const src = state.sources[key]; return src ? src.short : key; }
function factLabel(f) { return words(f.name.split(".")[1]); }
function allFacts() { return state.facts.groups.flatMap((g) => g.facts); }
function getPath(doc, dotted) {
  const [g, n] = dotted.split(".");
  return doc && doc[g] ? doc[g][n] : undefined;
}
function rawOf(v) { return v === null || v === undefined ? "" : String(v); }
function post(body) {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}
function allowedText(allowed) {
  if (allowed === null || allowed === undefined) return "";
  if (Array.isArray(allowed)) return allowed.map((a) => (a === null ? "empty (unknown)" : String(a))).join(", ");
  if (typeof allowed === "object") return Object.entries(allowed).map(([k, v]) => `${k}: ${v}`).join("; ");
  return String(allowed);
}
/* What a fact may hold, in words, from /v1/facts (never guessed from its name). */
function factAllowed(f) {
  const unit = f.unit ? ` (${f.unit})` : "";
  if (f.kind === "number") {
    if (f.min !== null && f.min !== undefined && f.max !== null && f.max !== undefined) return `a number from ${f.min} to ${f.max}${unit}`;
    if (f.min !== null && f.min !== undefined) return `a number ≥ ${f.min}${unit}`;
    return `a number${unit}`;
  }
  if (f.kind === "bool") return "true or false";
  if (f.kind === "enum") return (f.scale ? "an ordered scale: " + f.values.join(" < ") : "one of " + f.values.join(", "));
  return "free text";
}

/* The labels of verdicts and classes, from the API's vocabulary (rules/verdicts.yaml);
   an older server without it leaves the page's own words. */
async function loadLabels() {
  try {
    const v = await api("/v1/vocabulary");
    const map = (list) => Object.fromEntries((list || []).map((x) => [x.id, x.label || words(x.id)]));
    const meanings = (list) => Object.fromEntries((list || []).map((x) => [x.id, x.meaning || ""]));
    return { verdicts: map(v.verdicts), classes: map(v.classes), statuses: map(v.statuses),
      classMeanings: meanings(v.classes), verdictMeanings: meanings(v.verdicts) };
  } catch {
    return null;
  }
}

/* ---------- start and the URL ---------- */

function hashQuery(hash) { return new URLSearchParams((hash || "").split("?")[1] || ""); }

async function showExplorer() {
  const hash = location.hash || "#/explorer";
  if (ex.ready) {
    if (hash === ex.lastHash) return;
    if ([...hashQuery(hash).keys()].length === 0) { writeURL(); return; }  // plain #/explorer: keep the screen
    await applyHash(hash);
    return;
  }
  try {
    status("Loading the vocabulary…");
    await loadVocabulary();
    const [params, library] = await Promise.all([api("/v1/parameters"), api("/v1/scenarios")]);
    ex.params = params;
    state.library = library;
    if (!state.labels) state.labels = await loadLabels();
    const select = document.getElementById("case-select");
    for (const c of state.library) select.append(h("option", { value: c.id, text: c.title || c.id }));
    buildFactsForm();
    buildParamsForm();
    buildGlossary();
    wireToolbar();
    ex.ready = true;
    await applyHash(hash);
    status("");
  } catch (e) {
    status("Could not load the explorer: " + e.message);
  }
}

function wireToolbar() {
  const select = document.getElementById("case-select");
  select.addEventListener("change", () => { ex.notes = []; loadCase(select.value); });
  document.getElementById("reset-case").addEventListener("click", () => {
    ex.notes = [];
    fillFacts(ex.base);
    refresh();
  });
  document.getElementById("reset-params").addEventListener("click", () => { resetParams(); refresh(); });
  document.getElementById("copy-link").addEventListener("click", copyLink);
  document.getElementById("download-yaml").addEventListener("click", downloadYaml);
  const file = document.getElementById("upload-yaml");
  document.getElementById("upload-yaml-button").addEventListener("click", () => file.click());
  file.addEventListener("change", () => { if (file.files[0]) uploadYaml(file.files[0]); file.value = ""; });
  document.getElementById("print-handout").addEventListener("click", () => window.print());
}

async function applyHash(hash) {
  const q = hashQuery(hash);
  ex.notes = [];
  let id = q.has("case") ? q.get("case") : ((state.library[0] && state.library[0].id) || "");
  if (id && !state.library.some((c) => c.id === id)) {
    ex.notes.push(`The link names the case “${id}”, which is not in the library: starting from a blank scenario.`);
    id = "";
  }
  const meta = {};
  if (!id) for (const k of URL_META) if (q.get(k)) meta[k] = k === "sources" ? q.get(k).split(",") : q.get(k);
  await loadCase(id, { meta, evaluate: false });
  const facts = document.getElementById("facts-form");
  const paramsForm = document.getElementById("params-form");
  resetParams();
  for (const [k, v] of q.entries()) {
    if (k.startsWith("f.")) {
      const el = facts.querySelector(`[name="${CSS.escape(k.slice(2))}"]`);
      if (!el) { ex.notes.push(`The link sets “${k.slice(2)}”, which is not a fact: ignored.`); continue; }
      if (el.tagName === "SELECT" && v !== "" && ![...el.options].some((o) => o.value === v)) {
        ex.notes.push(`The link sets ${k.slice(2)} to “${v}”, which is not one of its values: ignored.`);
        continue;
      }
      el.value = v;
    } else if (k.startsWith("p.")) {
      const el = paramsForm.querySelector(`[name="${CSS.escape(k.slice(2))}"]`);
      if (!el) { ex.notes.push(`The link sets “${k.slice(2)}”, which is not a parameter: ignored.`); continue; }
      el.value = v;
    } else if (k !== "case" && !URL_META.includes(k)) {
      ex.notes.push(`The link carries “${k}”, which the explorer does not read: ignored.`);
    }
  }
  if (readParams().changed.length) document.getElementById("params-panel").open = true;
  await refresh();
}

function currentHash() {
  const q = new URLSearchParams();
  q.set("case", ex.baseId);
  // a library case is named; anything else (blank, a file) travels with its metadata and facts
  const base = ex.baseId ? ex.base : {};
  if (!ex.baseId) {
    for (const k of URL_META) if (ex.base[k]) q.set(k, Array.isArray(ex.base[k]) ? ex.base[k].join(",") : ex.base[k]);
  }
  for (const el of document.querySelectorAll("#facts-form [data-kind]")) {
    if (el.value !== rawOf(getPath(base, el.name))) q.set("f." + el.name, el.value);
  }
  for (const el of document.querySelectorAll("#params-form [data-param]")) {
    if (el.value.trim() !== el.dataset.default) q.set("p." + el.name, el.value);
  }
  return "#/explorer?" + q.toString();
}

function writeURL() {
  const hash = currentHash();
  ex.lastHash = hash;
  if (location.hash !== hash) history.replaceState(null, "", hash);
  const nav = document.querySelector('[data-nav="explorer"]');
  if (nav) nav.setAttribute("href", hash);
}

async function copyLink() {
  writeURL();
  const msg = document.getElementById("share-status");
  try {
    await navigator.clipboard.writeText(location.href);
    msg.textContent = "Link copied: it opens this screen, facts and parameters included.";
  } catch {
    msg.textContent = "Copy the address bar: it opens this screen, facts and parameters included.";
  }
}

/* ---------- the case ---------- */

async function loadCase(id, { meta = {}, evaluate = true } = {}) {
  let scenario = {};
  if (id) {
    const detail = await api("/v1/scenarios/" + encodeURIComponent(id));
    scenario = detail.note ? { ...detail.scenario, note: detail.note } : detail.scenario;
  }
  ex.baseId = id;
  ex.base = { ...meta, ...scenario };
  ex.origin = id ? "library" : (Object.keys(meta).length ? "link" : "blank");
  document.getElementById("case-select").value = id;
  fillFacts(ex.base);
  renderCaseInfo();
  if (evaluate) await refresh();
}

function renderCaseInfo() {
  const box = document.getElementById("case-info");
  box.textContent = "";
  const b = ex.base;
  const heading = b.title || (ex.origin === "blank" ? "Blank scenario" : "Your scenario");
  box.append(h("h2", { id: "case-title", text: heading }));
  const meta = [];
  if (b.date) meta.push(h("span", {}, "Date: ", h("time", { datetime: b.date, text: b.date })));
  if (b.acting_state) meta.push(h("span", { text: "Acting state: " + b.acting_state }));
  if (ex.origin.startsWith("file")) meta.push(h("span", { text: "From the " + ex.origin }));
  else if (ex.origin === "library") meta.push(h("span", {}, "Library case ", h("code", { text: ex.baseId })));
  if (meta.length) box.append(h("p", { class: "meta" }, meta.flatMap((m, i) => (i ? [" · ", m] : [m]))));
  box.append(h("p", { class: "case-summary", text: b.summary || (ex.origin === "blank"
    ? "Every fact is unknown until you set it. An unknown fact is never taken as false." : "") }));
  if (b.note) box.append(h("details", { class: "case-note" }, h("summary", { text: "A note for students" }),
    h("p", { text: b.note })));
  const srcs = b.sources || [];
  if (srcs.length) {
    box.append(h("details", { class: "case-sources" },
      h("summary", {}, h("span", { class: "lbl", text: srcs.length === 1 ? "Source: " : "Sources: " }),
        srcs.map(sourceShort).join("; ")),
      h("ul", {}, srcs.map((k) => {
        const src = state.sources[k];
        return h("li", {}, h("strong", { text: src ? src.short : k }), src ? " — " + src.citation : "");
      }))));
  }
}

/* ---------- the facts form ---------- */

function buildFactsForm() {
  const root = document.getElementById("facts-fields");
  root.textContent = "";
  for (const g of state.facts.groups) {
    const fs = h("fieldset", { class: "group" }, h("legend", { text: g.label || words(g.group) }));
    for (const f of g.facts) fs.append(factField(f));
    root.append(fs);
  }
}

function factField(f) {
  const id = "fact-" + f.name.replace(/\./g, "-");
  const glossId = id + "-gloss";
  const label = h("label", { for: id }, factLabel(f));
  let input;
  if (f.kind === "enum" || f.kind === "bool") {
    input = h("select", { id, name: f.name, "data-kind": f.kind });
    input.append(h("option", { value: "", text: "unknown" }));
    for (const v of f.values) input.append(h("option", { value: String(v), text: words(v) }));
  } else {
    // text, not type=number: what is typed is kept, so a wrong value can be shown and named
    input = h("input", { id, name: f.name, type: "text", placeholder: "unknown", autocomplete: "off",
      spellcheck: "false", "data-kind": f.kind === "number" ? "number" : "text",
      inputmode: f.kind === "number" ? "decimal" : null, maxlength: "200" });
  }
  input.setAttribute("aria-describedby", glossId);
  input.addEventListener("input", () => { clearTimeout(ex.timer); ex.timer = setTimeout(refresh, 350); });
  input.addEventListener("change", () => { clearTimeout(ex.timer); refresh(); });
  const gloss = h("button", { type: "button", class: "gloss-btn", "aria-expanded": "false",
    "aria-controls": glossId, title: "What this fact means", "aria-label": `What is ${f.name}?`, text: "?" });
  const entry = h("div", { class: "gloss", id: glossId, hidden: true }, glossaryEntry(f));
  gloss.addEventListener("click", () => {
    const open = entry.hidden;
    entry.hidden = !open;
    gloss.setAttribute("aria-expanded", String(open));
  });
  return h("div", { class: "field", "data-fact": f.name }, label,
    h("span", { class: "ctl" }, input, gloss), entry);
}

function glossaryEntry(f) {
  const parts = [h("strong", { class: "gloss-name", text: f.name }),
    f.meaning ? ": " : "", f.meaning ? h("span", { class: "meaning", text: f.meaning }) : null];
  const more = [`Takes ${factAllowed(f)}; empty means unknown.`];
  const out = [h("p", {}, ...parts), h("p", { class: "gloss-allowed", text: more.join(" ") })];
  const vm = f.value_meanings;
  if (vm && typeof vm === "object" && Object.keys(vm).length) {
    out.push(h("ul", { class: "gloss-values" }, Object.entries(vm).map(([v, m]) =>
      h("li", {}, h("strong", { text: words(v) }), m ? ": " + m : ""))));
  }
  if (f.source) {
    const src = state.sources[f.source];
    out.push(h("p", { class: "gloss-source" }, "Source: ", h("strong", { text: src ? src.short : f.source }),
      src ? " — " + src.citation : ""));
  }
  return out;
}

function buildGlossary() {
  const dl = document.getElementById("glossary-list");
  dl.textContent = "";
  for (const f of allFacts()) {
    dl.append(h("dt", { id: "glossary-" + f.name, text: f.name }), h("dd", {}, glossaryEntry(f)));
  }
}

function fillFacts(scenario) {
  for (const el of document.querySelectorAll("#facts-form [data-kind]")) el.value = rawOf(getPath(scenario, el.name));
}

/* The scenario the form shows. A number that cannot be read is sent as typed: the API then
   refuses it, naming the field, instead of the page turning it silently into "unknown". */
function readFacts() {
  const doc = {};
  for (const el of document.querySelectorAll("#facts-form [data-kind]")) {
    const [group, name] = el.name.split(".");
    let v = el.value;
    if (el.dataset.kind === "number" || el.dataset.kind === "text") v = v.trim();
    if (v === "") continue;
    if (el.dataset.kind === "bool") v = v === "true";
    else if (el.dataset.kind === "number" && NUMBER_RE.test(v)) v = Number(v);
    (doc[group] = doc[group] || {})[name] = v;
  }
  return doc;
}

function markEdited() {
  for (const field of document.querySelectorAll("#facts-form .field")) {
    const el = field.querySelector("[data-kind]");
    const edited = el.value !== rawOf(getPath(ex.base, el.name));
    field.classList.toggle("edited", edited);
  }
}

/* ---------- the parameters panel ---------- */

function buildParamsForm() {
  const root = document.getElementById("params-fields");
  root.textContent = "";
  for (const p of ex.params) root.append(paramField(p));
}

/* A parameter's control and its paragraph. `opts` lets another view (compare.js) build the
   same fields: `prefix` for the ids (default "param-"), `onEdit` run on each edit (default:
   evaluate the explorer again). */
function paramControl(p, key, def, allowed, labelText, opts = {}) {
  const name = key ? `${p.name}.${key}` : p.name;
  const id = (opts.prefix || "param-") + name.replace(/\./g, "-");
  let input;
  if (Array.isArray(allowed)) {
    input = h("select", { id, name, "data-param": p.name, "data-key": key || "", "data-default": String(def) },
      allowed.map((a) => h("option", { value: String(a), text: words(a) })));
  } else {
    input = h("input", { id, name, type: "text", inputmode: "decimal", autocomplete: "off",
      "data-param": p.name, "data-key": key || "", "data-default": String(def), maxlength: "40" });
  }
  input.value = String(def);
  input.setAttribute("aria-describedby", `${id}-about`);
  if (opts.onEdit) {
    input.addEventListener("input", opts.onEdit);
    input.addEventListener("change", opts.onEdit);
  } else {
    input.addEventListener("input", () => { clearTimeout(ex.timer); ex.timer = setTimeout(refresh, 350); });
    input.addEventListener("change", () => { clearTimeout(ex.timer); refresh(); });
  }
  const label = h("label", { for: id, text: labelText });
  return { input, label, id };
}

function paramField(p, opts = {}) {
  const box = h("div", { class: "param", "data-param-box": p.name });
  const aboutId = (k) => (opts.prefix || "param-") + (k ? `${p.name}-${k}` : p.name) + "-about";
  const src = state.sources[p.source];
  const about = (k, def, allowed) => h("p", { class: "param-about", id: aboutId(k) },
    h("code", { class: "param-name", text: k ? `${p.name}.${k}` : p.name }), " · ",
    h("span", { class: "param-default", text: `default ${def}` + (allowed && !Array.isArray(allowed) ? ` · ${allowed}` : "") }),
    h("span", { class: "changed-mark", hidden: true, text: " · changed" }));
  if (p.default !== null && typeof p.default === "object") {
    const fs = h("fieldset", { class: "param-group" }, h("legend", { text: words(p.name) }));
    for (const [k, def] of Object.entries(p.default)) {
      const allowed = p.allowed && typeof p.allowed === "object" ? p.allowed[k] : null;
      const { input, label } = paramControl(p, k, def, allowed, `when the harm is ${words(k)}`, opts);
      fs.append(h("div", { class: "param-row" }, label, input), about(k, def, allowed));
    }
    box.append(fs);
  } else {
    const { input, label } = paramControl(p, null, p.default, p.allowed, words(p.name), opts);
    box.append(h("div", { class: "param-row" }, label, input), about(null, p.default, p.allowed));
  }
  box.append(h("p", { class: "param-reason" }, p.reason || "", " ",
    h("span", { class: "param-source" }, "Source: ", h("strong", { text: src ? src.short : p.source }))));
  return box;
}

function resetParams() {
  for (const el of document.querySelectorAll("#params-form [data-param]")) el.value = el.dataset.default;
}

/* The parameter overrides the form asks for: only the values changed from their defaults
   (`root`: the element holding the fields, the explorer's form unless told). */
function readParams(root) {
  const overrides = {}, changed = [];
  for (const el of (root || document.getElementById("params-form")).querySelectorAll("[data-param]")) {
    const raw = el.value.trim();
    if (raw === el.dataset.default) continue;
    const def = el.dataset.default;
    let v = raw;
    if (el.tagName !== "SELECT" && NUMBER_RE.test(raw)) {
      v = Number(raw);
      if (NUMBER_RE.test(def) && Number(def) === v) continue;  // "72.0" is the default 72
    }
    const p = el.dataset.param, k = el.dataset.key;
    if (k) overrides[p] = { ...(overrides[p] || {}), [k]: v };
    else overrides[p] = v;
    changed.push({ name: el.name, from: def, to: raw });
  }
  return { overrides, changed };
}

function markParams(pr) {
  const changedNames = new Set(pr.changed.map((c) => c.name));
  for (const el of document.querySelectorAll("#params-form [data-param]")) {
    const on = changedNames.has(el.name);
    const row = el.closest(".param-row");
    row.classList.toggle("changed", on);
    const about = document.getElementById(el.getAttribute("aria-describedby").split(" ")[0]);
    about.querySelector(".changed-mark").hidden = !on;
  }
  for (const box of document.querySelectorAll("#params-form [data-param-box]")) {
    box.classList.toggle("changed", !!box.querySelector(".param-row.changed"));
  }
  const n = pr.changed.length;
  document.getElementById("params-count").textContent = n ? `${n} changed from the default` : "all at their defaults";
}

/* ---------- evaluating ---------- */

async function refresh() {
  clearTimeout(ex.timer);
  const seq = ++ex.seq;
  const scenario = readFacts();
  const pr = readParams();
  markEdited();
  markParams(pr);
  writeURL();
  const body = { scenario, explain: true, what_if: true };
  if (pr.changed.length) body.parameters = pr.overrides;
  const calls = [api("/v1/evaluate", post(body))];
  if (pr.changed.length) calls.push(api("/v1/evaluate", post({ scenario, explain: false })));
  document.getElementById("results").setAttribute("aria-busy", "true");
  const settled = await Promise.allSettled(calls);
  if (seq !== ex.seq) return;  // a newer edit is on its way
  document.getElementById("results").removeAttribute("aria-busy");
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) {
    const e = failed.reason;
    if (e.status === 422 && e.body && e.body.errors) {
      const names = markInvalid(e.body);
      setStale(names);
    } else {
      clearInvalid();
      setStale([], "The engine could not answer: " + e.message);
    }
    return;
  }
  clearInvalid();
  setStale(null);
  const ev = settled[0].value;
  const def = settled[1] ? settled[1].value : null;
  ex.lastGood = ev;
  renderEvaluation(ev, scenario, def, pr);
}

function clearInvalid() {
  for (const el of document.querySelectorAll("#view-explorer [aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((i) => !i.endsWith("-error"));
    el.setAttribute("aria-describedby", ids.join(" "));
  }
  for (const p of document.querySelectorAll("#view-explorer .field-error")) p.remove();
  for (const f of document.querySelectorAll("#view-explorer .invalid")) f.classList.remove("invalid");
  const general = document.getElementById("explorer-error");
  general.textContent = ex.notes.join(" ");
}

/* Mark each control the problem details name; what names no control is said at the top. */
function markInvalid(problem) {
  clearInvalid();
  const names = [];
  const loose = [];
  for (const err of problem.errors) {
    const loc = err.loc || String(err.field || "").split(".");
    let el = null, kind = "";
    if (loc[0] === "scenario") {
      el = document.querySelector(`#facts-form [name="${CSS.escape(loc.slice(1).join("."))}"]`);
      kind = "fact";
    } else if (loc[0] === "parameters") {
      el = document.querySelector(`#params-form [name="${CSS.escape(loc.slice(1).join("."))}"]`)
        || document.querySelector(`#params-form [name="${CSS.escape(String(loc[1]))}"]`);
      kind = "parameter";
    }
    const allowed = /allowed/i.test(err.msg) ? "" : allowedText(err.allowed);
    if (!el) { loose.push(`${err.field}: ${err.msg}${allowed ? ` (allowed: ${allowed})` : ""}`); continue; }
    if (el.getAttribute("aria-invalid") === "true") continue;
    const errId = el.id + "-error";
    const typed = el.value.trim();
    const msg = h("p", { class: "field-error", id: errId },
      h("strong", { text: "Not valid: " }), `${err.msg}. `,
      allowed ? `Allowed: ${allowed}` : "", kind === "fact" ? "; leave it empty if unknown." : ".",
      typed ? ` You typed “${typed}”.` : "");
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", [errId, ...(el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)].join(" "));
    const holder = el.closest(".field, .param-row");
    holder.classList.add("invalid");
    holder.after(msg);
    if (kind === "parameter") document.getElementById("params-panel").open = true;
    names.push(el.name);
  }
  if (loose.length) document.getElementById("explorer-error").textContent = [...ex.notes, ...loose].join(" ");
  return names;
}

/* Verdicts for input that is no longer on screen are marked stale, in words, not by colour. */
function setStale(names, message) {
  const stale = names !== null;
  for (const id of ["verdict-summary", "verdicts", "compare", "explanations", "windows"]) {
    const el = document.getElementById(id);
    el.classList.toggle("stale", stale);
    if (stale) el.dataset.stale = "true"; else delete el.dataset.stale;
  }
  const note = document.getElementById("stale-note");
  note.hidden = !stale;
  note.textContent = "";
  if (!stale) return;
  const what = message || (names.length
    ? `Not updated: ${names.join(", ")} ${names.length === 1 ? "is" : "are"} not valid (marked in the form).`
    : "Not updated: the input is not valid.");
  note.append(h("strong", { text: "⚠ " }), what, " ",
    ex.lastGood ? "The verdicts shown are for the last valid input." : "No verdicts yet.");
  if (names.length) {
    const jump = h("button", { type: "button", class: "secondary small", text: "Go to the field" });
    jump.addEventListener("click", () => {
      const el = document.querySelector(`#view-explorer [aria-invalid="true"]`);
      if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
    });
    note.append(" ", jump);
  }
}

/* ---------- what the doctrines say ---------- */

function routeTests(d, route) { return d.tests.filter((t) => t.route === route); }

function testTitle(id) { const t = state.tests[id]; return t && t.title ? t.title : words(id); }

function routeTitle(d, route) {
  for (const doc of Object.values(state.doctrines)) {
    for (const r of doc.route_details || []) if (r.id === route) return r.title;
  }
  return words(route);
}

/* The score in words: what share of which route's tests, and why a range. */
function scoreInfo(d) {
  const tests = routeTests(d, d.route);
  const n = tests.length;
  const k = tests.filter((t) => t.status === "satisfied").length;
  const u = tests.filter((t) => t.status === "unknown").length;
  const figure = d.score === d.score_max ? `${d.score}` : `${d.score}–${d.score_max}`;
  const raw = n ? Math.floor((100 * k) / n + 0.5) : 0;
  const parts = [`${k} of ${n} tests of its ${words(d.route)} route met`];
  if (u) parts.push(`${u} unknown`);
  const pen = raw - d.score;
  if (pen > 0 && d.reported && d.reported.status !== "satisfied") {
    parts.push(d.reported.status === "failed"
      ? `−${pen}: not reported to the Security Council (weighs on the score, never on the verdict)`
      : `−${pen} on the lower figure: whether it was reported to the Security Council is unknown`);
  }
  return { figure, text: parts.join("; "), range: d.score !== d.score_max };
}

/* The doctrine's sentence from the API; while an older server gives none, a plain one built
   from the decisive tests the API names. */
function sentenceOf(d) {
  if (d.sentence) return { text: d.sentence, fallback: false };
  const titles = d.decisive.map((t) => `${testTitle(t).replace(/\.$/, "")} (${words(t)})`);
  let text;
  if (d.verdict === "justified") text = `Justified: every test of its route “${routeTitle(d, d.route)}” is met.`;
  else if (d.verdict === "not_justified") text = `Not justified: on its best route, “${routeTitle(d, d.route)}”, this fails: ${titles.join("; ")}.`;
  else text = `Indeterminate: no route is failed, but this is unknown: ${titles.join("; ")}` + (d.missing_facts.length ? `; find out ${d.missing_facts.join(", ")}.` : ".");
  return { text, fallback: true };
}

function renderEvaluation(ev, scenario, def, pr) {
  renderSummary(ev);
  const root = document.getElementById("verdicts");
  root.textContent = "";
  const table = h("table", { class: "verdicts" },
    h("caption", { class: "visually-hidden", text: "Verdict of each doctrine, why, and its score" }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "Doctrine" }), h("th", { scope: "col", text: "Verdict" }),
      h("th", { scope: "col", text: "Why" }), h("th", { scope: "col", text: "Score (see below)" }))));
  const body = h("tbody");
  for (const [id, d] of Object.entries(ev.doctrines)) {
    const sc = scoreInfo(d);
    const sen = sentenceOf(d);
    body.append(h("tr", { "data-doctrine": id },
      h("th", { scope: "row" }, d.name, h("span", { class: "route", text: "route: " + words(d.route) })),
      h("td", {}, verdictBadge(d.verdict, { "data-testid": "verdict-" + id })),
      h("td", { class: "why" },
        h("p", { class: "sentence", "data-testid": "sentence-" + id, "data-fallback": sen.fallback ? "true" : null, text: sen.text }),
        d.decisive.length ? h("span", { class: "decisive", text: "decisive: " + d.decisive.map(words).join(", ") }) : null,
        d.missing_facts.length ? h("span", { class: "missing", text: "find out: " + d.missing_facts.join(", ") }) : null,
        d.widening.length ? h("span", { class: "missing", text: "widened past: " + d.widening.map(words).join(", ") }) : null,
        leastChangeActions(id, d)),
      h("td", { class: "score" }, h("span", { class: "num", "data-testid": "score-" + id, text: sc.figure }),
        h("span", { class: "score-what", text: sc.text }))));
  }
  table.append(body);
  root.append(h("div", { class: "table-wrap" }, table));
  renderCompare(ev, def, pr);
  const explanations = document.getElementById("explanations");
  const open = new Set([...explanations.querySelectorAll("details.explain[open]")].map((x) => x.dataset.doctrine));
  explanations.textContent = "";
  for (const [id, d] of Object.entries(ev.doctrines)) {
    const det = explainDoctrine(id, d);
    det.dataset.doctrine = id;
    const changes = (ev.what_if || {})[id] || [];
    if (changes.length) det.append(whatIfList(changes));
    if (open.has(id)) det.open = true;
    explanations.append(det);
  }
  renderWindows(ev, scenario);
  renderHandout(ev, scenario, def, pr);
}

function shortDoctrine(name) { return shortName(name, true); }

function renderSummary(ev) {
  const box = document.getElementById("summary-list");
  box.textContent = "";
  for (const [id, d] of Object.entries(ev.doctrines)) {
    box.append(h("li", { "data-testid": "summary-" + id },
      h("span", { class: "sum-name", text: shortDoctrine(d.name) }), " ", verdictBadge(d.verdict)));
  }
  const cls = document.getElementById("summary-class");
  cls.textContent = "";
  cls.append("Kind of force used: ", h("strong", { class: "badge", "data-testid": "classification", text: classLabel(ev.classification) }));
}

function renderCompare(ev, def, pr) {
  const sec = document.getElementById("compare");
  const body = document.getElementById("compare-body");
  body.textContent = "";
  if (!def || !pr.changed.length) { sec.hidden = true; return; }
  sec.hidden = false;
  const byParam = {};
  for (const p of ex.params) byParam[p.name] = p;
  body.append(h("p", { class: "compare-what" }, "What changed: ",
    pr.changed.map((c, i) => [i ? "; " : "", h("code", { text: c.name }), ` ${c.from} → ${c.to}`]).flat(), "."));
  let n = 0;
  const rows = Object.entries(ev.doctrines).map(([id, d]) => {
    const was = def.doctrines[id];
    const changed = was && was.verdict !== d.verdict;
    if (changed) n++;
    return h("tr", { "data-compare": id, class: changed ? "changed" : "" },
      h("th", { scope: "row", text: d.name }),
      h("td", { "data-label": "Default reading" }, was ? verdictBadge(was.verdict) : "—"),
      h("td", { "data-label": "This reading" }, verdictBadge(d.verdict)),
      h("td", { class: "diff", text: changed ? "changed" : "same" }));
  });
  if (def.classification !== ev.classification) {
    rows.unshift(h("tr", { class: "changed", "data-compare": "classification" }, h("th", { scope: "row", text: "Kind of force" }),
      h("td", { "data-label": "Default reading", text: classLabel(def.classification) }),
      h("td", { "data-label": "This reading", text: classLabel(ev.classification) }),
      h("td", { class: "diff", text: "changed" })));
  }
  body.append(h("div", { class: "table-wrap" }, h("table", { class: "data compare" },
    h("caption", { class: "visually-hidden", text: "Each doctrine's verdict under the default reading and under this reading" }),
    h("thead", {}, h("tr", {}, ["Doctrine", "Default reading", "This reading", ""].map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, rows))),
  h("p", { class: "compare-count", "data-testid": "compare-count",
    text: n === 0 ? "No verdict changes under this reading." : `${n} of ${rows.length - (def.classification !== ev.classification ? 1 : 0)} verdicts change under this reading.` }));
}

/* ---------- the least change (POST /v1/whatif) ----------
   Under each doctrine's answer: the fewest fact changes that would justify or reject it
   (each set with its nearest values, as the engine finds them exactly), and for an
   indeterminate doctrine what to find out. The panel opens in a row of its own under the
   doctrine's; "Try it" makes the changes in the facts form and evaluates again. */

const LEAST_CHANGE = {
  justified: { button: "Least change to justify", title: "The least change that would justify it", to: "justified" },
  not_justified: { button: "Least change to reject", title: "The least change that would reject it", to: "not_justified" },
  find_out: { button: "What to find out", title: "What to find out to decide it", to: "decided" },
};

function leastChangeActions(id, d) {
  const kinds = d.verdict === "justified" ? ["not_justified"]
    : d.verdict === "not_justified" ? ["justified"] : ["justified", "not_justified", "find_out"];
  return h("div", { class: "lc-actions", role: "group", "aria-label": `What would change the answer of ${d.name}` },
    kinds.map((kind) => {
      const b = h("button", { type: "button", class: "secondary small lc-btn", "data-lc": kind,
        "aria-expanded": "false", "aria-controls": "lc-" + id, "data-testid": `lc-${kind}-${id}`,
        "aria-label": `${LEAST_CHANGE[kind].button}: ${d.name}`, text: LEAST_CHANGE[kind].button });
      b.addEventListener("click", () => leastChangeOpen(id, d, kind, b));
      return b;
    }));
}

/* A value in words: null is unknown; a number carries its unit from /v1/facts. */
function leastChangeValue(fact, v) {
  if (v === null || v === undefined) return "unknown";
  const f = factInfo(fact);
  if (typeof v === "number" && f && f.unit === "hours") return `${v} hours`;
  if (typeof v === "string" && f && f.kind === "enum") return words(v);
  return fmt(v);
}

function leastChangeFact(fact) {
  const f = factInfo(fact);
  return [f && f.label ? h("span", { class: "lc-label", text: f.label + " " }) : null, h("code", { text: fact })];
}

function leastChangeOpen(id, d, kind, button) {
  const tr = button.closest("tr");
  const next = tr.nextElementSibling;
  let row = next && next.classList.contains("lc-row") ? next : null;
  const wasOpen = button.getAttribute("aria-expanded") === "true";
  for (const b of tr.querySelectorAll(".lc-btn")) b.setAttribute("aria-expanded", "false");
  if (wasOpen && row) { row.remove(); button.focus(); return; }
  if (!row) {
    row = h("tr", { class: "lc-row", "data-lc-row": id }, h("td", { colspan: "4" }));
    tr.after(row);
  }
  button.setAttribute("aria-expanded", "true");
  const max = h("select", { id: `lc-max-${id}`, class: "lc-max" }, [1, 2, 3, 4].map((n) => h("option", { value: String(n), text: String(n) })));
  max.value = "3";
  const body = h("div", { class: "lc-body", "aria-live": "polite" });
  const panel = h("div", { class: "lc-panel", id: "lc-" + id, role: "region", tabindex: "-1", "data-testid": "lc-panel-" + id,
    "data-kind": kind, "aria-label": `${LEAST_CHANGE[kind].title}: ${d.name}` },
    h("div", { class: "lc-head" }, h("h4", { text: `${LEAST_CHANGE[kind].title}: ${d.name}` }),
      h("span", { class: "lc-max-field" }, h("label", { for: max.id, text: "at most" }), max,
        kind === "find_out" ? " facts to find out" : " facts changed"),
      h("button", { type: "button", class: "secondary small lc-close", "aria-label": `Close: ${LEAST_CHANGE[kind].title}`, text: "Close",
        onclick: () => { row.remove(); button.setAttribute("aria-expanded", "false"); button.focus(); } })),
    body);
  row.firstChild.replaceChildren(panel);
  max.addEventListener("change", () => leastChangeRun(id, d, kind, Number(max.value), panel, body));
  leastChangeRun(id, d, kind, 3, panel, body);
}

async function leastChangeRun(id, d, kind, maxChanges, panel, body) {
  const seq = (panel.dataset.seq = String(Number(panel.dataset.seq || 0) + 1));
  panel.setAttribute("aria-busy", "true");
  body.replaceChildren(h("p", { class: "note lc-loading", text: "Searching every combination of fact changes…" }));
  const pr = readParams();
  const req = { scenario: readFacts(), doctrine: id, to: LEAST_CHANGE[kind].to, max_changes: maxChanges };
  if (pr.changed.length) req.parameters = pr.overrides;
  let res;
  try {
    res = await api("/v1/whatif", post(req));
  } catch (e) {
    if (panel.dataset.seq !== seq) return;
    panel.removeAttribute("aria-busy");
    const items = e.status === 422 && e.body && Array.isArray(e.body.errors)
      ? e.body.errors.map((x) => `${String(x.field || "").replace(/^scenario\./, "")}: ${x.msg}`) : [e.message];
    body.replaceChildren(h("p", { class: "error", role: "alert" }, "The search was refused: ", items.join("; "),
      e.status === 422 ? ". Correct the facts (marked in the form) and try again." : "."));
    return;
  }
  if (panel.dataset.seq !== seq) return;
  panel.removeAttribute("aria-busy");
  body.replaceChildren(...(kind === "find_out" ? leastChangeFindOut(res.to_find_out || [], d, maxChanges)
    : leastChangeSolutions(res.solutions || [], id, d, kind, maxChanges)));
}

function leastChangeSolutions(sols, id, d, kind, maxChanges) {
  const goal = verdictLabel(LEAST_CHANGE[kind].to);
  if (d.verdict === LEAST_CHANGE[kind].to) return [h("p", { text: `${d.name} is already ${goal}: nothing needs to change.` })];
  if (!sols.length) {
    return [h("p", { class: "lc-none", "data-testid": "lc-none" }, h("strong", { text: "No solution: " }),
      `no set of up to ${maxChanges} fact change${maxChanges === 1 ? "" : "s"} makes ${d.name} ${goal}. `,
      maxChanges < 4 ? "Allow more facts to change above, or change the facts yourself." : "Change the facts yourself.")];
  }
  const k = sols[0].changes.length;
  const intro = h("p", { class: "lc-intro" }, sols.length === 1 ? "One way" : `${sols.length} ways`,
    ` to make ${d.name} ${goal}, each changing ${k === 1 ? "one fact" : k + " facts"} (no fewer will do), the nearest values first:`);
  const list = h("ol", { class: "lc-solutions" }, sols.map((sol, i) => {
    const tryIt = h("button", { type: "button", class: "small lc-try", "data-testid": "lc-try",
      "aria-label": `Try it: ${sol.changes.map((c) => `${c.fact} to ${leastChangeValue(c.fact, c.to)}`).join(", ")}`, text: "Try it" });
    tryIt.addEventListener("click", () => leastChangeTry(id, d, sol));
    return h("li", { class: "lc-solution", "data-testid": "lc-solution", "data-index": String(i) },
      h("ul", { class: "lc-changes" }, sol.changes.map((c) => h("li", { class: "lc-change", "data-fact": c.fact,
        "data-from": JSON.stringify(c.from), "data-to": JSON.stringify(c.to) },
        ...leastChangeFact(c.fact), ": ", h("span", { class: "lc-from", text: leastChangeValue(c.fact, c.from) }), " → ",
        h("strong", { class: "lc-to", text: leastChangeValue(c.fact, c.to) })))),
      h("p", { class: "lc-gives" }, "gives ", verdictBadge(sol.verdict),
        sol.route ? ` (route: ${routeTitle(d, sol.route)})` : "", " ", tryIt));
  }));
  return [intro, list];
}

async function leastChangeTry(id, d, sol) {
  let first = null;
  for (const c of sol.changes) {
    const el = document.querySelector(`#facts-form [name="${CSS.escape(c.fact)}"]`);
    if (!el) continue;
    el.value = c.to === null || c.to === undefined ? "" : String(c.to);
    first = first || el;
  }
  await refresh();
  const now = ex.lastGood && ex.lastGood.doctrines[id];
  status(`Tried: ${sol.changes.map((c) => `${c.fact} ${leastChangeValue(c.fact, c.from)} → ${leastChangeValue(c.fact, c.to)}`).join("; ")}.` +
    (now ? ` ${d.name} is now ${verdictLabel(now.verdict)}.` : ""));
  if (first) first.focus();
}

function leastChangeFindOut(items, d, maxFacts) {
  if (d.verdict !== "indeterminate") return [h("p", { text: `${d.name} is already decided: ${verdictLabel(d.verdict)}.` })];
  if (!items.length) {
    return [h("p", { class: "lc-none", "data-testid": "lc-none" }, h("strong", { text: "Nothing found: " }),
      `no set of up to ${maxFacts} unknown fact${maxFacts === 1 ? "" : "s"} can decide ${d.name} on its own.`)];
  }
  const combos = (list) => {
    const shown = list.slice(0, 4).map((c) => Object.entries(c).map(([f, v]) => `${f} = ${leastChangeValue(f, v)}`).join(", "));
    return shown.join("; ") + (list.length > 4 ? `; or ${list.length - 4} more` : "");
  };
  return [h("p", { class: "lc-intro", text: `${d.name} is indeterminate. Finding out any one of these would decide it (the fewest unknown facts):` }),
    h("ul", { class: "lc-findout" }, items.map((it) => h("li", { class: "lc-find", "data-testid": "lc-find", "data-facts": it.facts.join(",") },
      h("p", { class: "lc-find-facts" }, "Find out ", it.facts.flatMap((f, i) => [i ? " and " : "", ...leastChangeFact(f)])),
      it.justify.length ? h("p", {}, verdictBadge("justified"), " if ", combos(it.justify)) : null,
      it.reject.length ? h("p", {}, verdictBadge("not_justified"), " if ", combos(it.reject)) : null)))];
}

/* Which single fact would change this doctrine's verdict (the engine's what-if); a button
   applies the change to the form and evaluates again. */
function whatIfList(changes) {
  const list = h("ul", { class: "whatif" });
  for (const c of changes) {
    const was = c.was === null || c.was === undefined ? "unknown" : fmt(c.was);
    const apply = h("button", { type: "button", class: "secondary small",
      "aria-label": `Try it: set ${c.fact} to ${fmt(c.value)}`, text: "Try it" });
    apply.addEventListener("click", () => {
      const el = document.querySelector(`#facts-form [name="${CSS.escape(c.fact)}"]`);
      if (el) { el.value = String(c.value); refresh(); el.focus(); }
    });
    list.append(h("li", {}, h("code", { text: c.fact }), `: ${was} → ${fmt(c.value)} gives `,
      verdictBadge(c.verdict), c.route ? ` (route ${words(c.route)}) ` : " ", apply));
  }
  return h("div", { class: "whatif-box" }, h("h4", { text: "What one fact would change the answer" }), list);
}

function passageBlock(text, kind) {
  if (!text) return null;
  const label = kind === "quotation" ? "Quotation" : kind === "summary" ? "Summary (not a quotation)" : null;
  return h("figure", { class: "passage" + (kind ? " kind-" + kind : "") },
    label ? h("figcaption", { class: "passage-kind", text: label }) : null,
    h("blockquote", { text }));
}

function testItem(t) {
  const info = state.tests[t.test] || {};
  const src = state.sources[t.source];
  const facts = Object.entries(t.facts || {}).map(([k, v]) => `${k} = ${fmt(v)}`).join("; ");
  const open = t.status !== "satisfied";
  return h("li", { class: "test " + t.status, "data-test": t.test },
    h("span", { class: "st", text: STATUS_MARK[t.status] + " " + t.status }), " ",
    h("strong", { text: info.title || words(t.test) }), " ", h("code", { class: "test-id", text: t.test }),
    t.condition ? h("p", { class: "condition" }, h("span", { class: "lbl", text: "The test: " }), t.condition) : null,
    t.because ? h("p", { class: "because" }, h("span", { class: "lbl", text: t.status === "failed" ? "Why it fails: " : "Why it is unknown: " }), t.because) : null,
    facts ? h("div", { class: "facts-read", text: "read: " + facts }) : null,
    h("details", { class: "source", open: open || null }, h("summary", {}, "Source: ", src ? src.short : t.source),
      src ? h("p", { class: "citation", text: src.citation }) : null,
      passageBlock(t.passage || info.passage, t.passage_kind || info.passage_kind),
      src && src.passage && src.passage !== (t.passage || info.passage) ? passageBlock(src.passage, src.passage_kind) : null));
}

function explainDoctrine(id, d) {
  const det = h("details", { class: "explain" }, h("summary", {}, "Why: ", d.name, " — ", verdictLabel(d.verdict)));
  det.append(h("p", { class: "sentence", text: sentenceOf(d).text }));
  if (Array.isArray(d.routes) && d.routes.length) {
    det.append(h("h4", { text: "Every route" }), h("ul", { class: "routes" }, d.routes.map((r) => {
      const rid = r.id || r.route;
      const bits = [];
      if (r.failed && r.failed.length) bits.push("failed: " + r.failed.map(words).join(", "));
      if (r.unknown && r.unknown.length) bits.push("unknown: " + r.unknown.map(words).join(", "));
      return h("li", { class: "route-line " + (r.status || "") },
        h("strong", { text: r.title || routeTitle(d, rid) }), ` (${r.code ? r.code + " " : ""}${words(rid)}): `, h("span", { class: "st", text: words(r.status || "") }),
        bits.length ? " — " + bits.join("; ") : "");
    })));
  }
  const routes = {};
  for (const t of d.tests) (routes[t.route] = routes[t.route] || []).push(t);
  const order = [d.route, ...Object.keys(routes).filter((r) => r !== d.route)];
  for (const r of order) {
    if (!routes[r]) continue;
    det.append(h("h4", { text: `Route: ${routeTitle(d, r)}` + (r === d.route ? " (the one reported)" : "") }),
      h("ul", { class: "tests" }, routes[r].map(testItem)));
  }
  if (d.reported) det.append(h("h4", { text: "Weighing factor (score only)" }), h("ul", { class: "tests" }, testItem(d.reported)));
  if (d.trace && d.trace.length) {
    det.append(h("details", { class: "trace" }, h("summary", {}, `Trace (${d.trace.length} rules fired)`),
      h("ol", {}, d.trace.map((e) => h("li", {}, h("code", { text: e.rule }), " — " + e.source)))));
  }
  return det;
}

/* ---------- the handout (print) ---------- */

function renderHandout(ev, scenario, def, pr) {
  const root = document.getElementById("handout");
  root.textContent = "";
  const b = ex.base;
  root.append(h("h2", { text: b.title || "Scenario" }));
  if (b.date || b.summary) root.append(h("p", {}, b.date ? h("strong", { text: b.date + ". " }) : null, b.summary || ""));
  if (b.note) root.append(h("p", { class: "note" }, h("strong", { text: "Note for students: " }), b.note));
  const known = [], unknown = [];
  for (const f of allFacts()) {
    const v = getPath(scenario, f.name);
    if (v === undefined) unknown.push(f.name); else known.push([f.name, v]);
  }
  root.append(h("h3", { text: "Facts" }),
    h("ul", { class: "handout-facts" }, known.map(([k, v]) => h("li", {}, h("span", { class: "k", text: k }), " = ", h("strong", { text: fmt(v) })))),
    h("p", { class: "note", text: unknown.length ? "Unknown: " + unknown.join(", ") + "." : "Every fact is known." }));
  root.append(h("h3", { text: "Interpretive parameters" }), h("p", {}, pr.changed.length
    ? ["Changed from the default: ", pr.changed.map((c) => `${c.name} ${c.from} → ${c.to}`).join("; "), "."]
    : "All at their defaults."));
  root.append(h("h3", { text: "What the doctrines say" }),
    h("p", {}, "Kind of force used: ", h("strong", { text: classLabel(ev.classification) }), "."));
  const cited = new Set(b.sources || []);
  for (const [id, d] of Object.entries(ev.doctrines)) {
    const sc = scoreInfo(d);
    const art = h("section", { class: "handout-doctrine", "data-handout": id },
      h("h4", {}, d.name, " — ", verdictBadge(d.verdict)),
      h("p", { class: "sentence", text: sentenceOf(d).text }),
      h("p", { class: "note", text: `Score ${sc.figure}: ${sc.text}.` }));
    const open = d.tests.filter((t) => t.route === d.route && t.status !== "satisfied");
    if (open.length) {
      art.append(h("ul", { class: "handout-tests" }, open.map((t) => {
        cited.add(t.source);
        return h("li", {}, h("strong", { text: `${STATUS_MARK[t.status]} ${testTitle(t.test)}` }), ` (${t.status})`,
          t.condition ? h("div", { text: "The test: " + t.condition }) : null,
          t.because ? h("div", { text: (t.status === "failed" ? "Why it fails: " : "Why it is unknown: ") + t.because }) : null,
          h("div", { class: "note", text: "Source: " + sourceShort(t.source) }));
      })));
    }
    if (def && def.doctrines[id] && def.doctrines[id].verdict !== d.verdict) {
      art.append(h("p", { class: "note", text: `Under the default reading: ${verdictLabel(def.doctrines[id].verdict)}.` }));
    }
    root.append(art);
  }
  root.append(h("h3", { text: "Sources" }), h("ol", { class: "handout-sources" }, [...cited].map((k) => {
    const src = state.sources[k];
    return h("li", {}, h("strong", { text: src ? src.short : k }), src ? ". " + src.citation : "",
      src && src.passage ? h("div", { class: "note" }, (src.passage_kind === "quotation" ? "Quotation: " : "Summary: ") + src.passage) : null);
  })));
}

/* ---------- YAML: keep and share the scenario ---------- */

function scenarioDocument() {
  const facts = readFacts();
  const edited = JSON.stringify(facts) !== JSON.stringify(readFactsOf(ex.base));
  const doc = {};
  const b = ex.base;
  const id = (b.id || ex.baseId || "my-scenario") + (edited && (b.id || ex.baseId) && !String(b.id || "").endsWith("-edited") ? "-edited" : "");
  doc.id = id;
  doc.title = (b.title || "My scenario") + (edited && b.title && !/\(edited\)$/.test(b.title) ? " (edited)" : "");
  if (b.date) doc.date = b.date;
  if (b.summary) doc.summary = b.summary;
  doc.sources = b.sources || [];
  if (b.note) doc.note = b.note;
  if (b.acting_state) doc.acting_state = b.acting_state;
  for (const g of state.facts.groups) {
    const block = {};
    for (const f of g.facts) {
      const v = getPath(facts, f.name);
      if (v !== undefined) block[f.name.split(".")[1]] = v;
    }
    if (Object.keys(block).length) doc[g.group] = block;
  }
  return doc;
}

/* The facts of a scenario object as readFacts would give them (to tell an edited one). */
function readFactsOf(scenario) {
  const doc = {};
  for (const f of allFacts()) {
    const v = getPath(scenario, f.name);
    if (v === null || v === undefined || v === "") continue;
    const [g, n] = f.name.split(".");
    (doc[g] = doc[g] || {})[n] = v;
  }
  return doc;
}

function downloadYaml() {
  const doc = scenarioDocument();
  const pr = readParams();
  const head = ["# Written by the imminence explorer in the scenario library's format (scenarios/README.md).",
    "# Check it with: imminence validate FILE; evaluate it with: imminence evaluate FILE"];
  if (pr.changed.length) {
    head.push("# It was read with these interpretive parameters (not part of the scenario; the explorer",
      "# reads these lines back on upload):");
    for (const c of pr.changed) head.push(`#   --set ${c.name}=${c.to}`);
  }
  const text = head.join("\n") + "\n" + yamlDump(doc) + "\n";
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const a = h("a", { href: url, download: `${doc.id}.yaml` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  document.getElementById("share-status").textContent = `Downloaded ${doc.id}.yaml.`;
}

async function uploadYaml(file) {
  const msg = document.getElementById("share-status");
  const err = document.getElementById("explorer-error");
  err.textContent = "";
  let doc;
  const text = await file.text();
  try {
    doc = yamlLoad(text);
  } catch (e) {
    err.textContent = `${file.name} could not be read as YAML: ${e.message}. Nothing was loaded.`;
    return;
  }
  // the API checks the whole file (unknown keys, values) before anything replaces the form
  const scenario = {};
  // `expected` and `note` are for people (scenarios/README.md): not facts, never evaluated
  for (const [k, v] of Object.entries(doc)) if (k !== "expected" && k !== "note") scenario[k] = v;
  const sets = [...text.matchAll(/^#\s*--set\s+([A-Za-z0-9_.]+)=(\S+)\s*$/gm)].map((m) => [m[1], m[2]]);
  try {
    await api("/v1/evaluate", post({ scenario, explain: false }));
  } catch (e) {
    const items = e.body && e.body.errors ? e.body.errors.map((x) => `${x.field.replace(/^scenario\./, "")}: ${x.msg}` +
      (x.allowed && !/allowed/i.test(x.msg) ? ` (allowed: ${allowedText(x.allowed)})` : "")) : [e.message];
    err.textContent = `${file.name} is not a valid scenario, nothing was loaded: ${items.join("; ")}.`;
    return;
  }
  ex.notes = [];
  ex.baseId = "";
  ex.base = {};
  for (const k of META_KEYS) if (doc[k] !== undefined && doc[k] !== null) ex.base[k] = doc[k];
  for (const g of state.facts.groups) if (doc[g.group]) ex.base[g.group] = doc[g.group];
  ex.origin = "file: " + file.name;
  document.getElementById("case-select").value = "";
  fillFacts(ex.base);
  resetParams();
  for (const [name, value] of sets) {
    const el = document.querySelector(`#params-form [name="${CSS.escape(name)}"]`);
    if (el) el.value = value; else ex.notes.push(`${file.name} sets “${name}”, which is not a parameter: ignored.`);
  }
  if (sets.length) document.getElementById("params-panel").open = true;
  renderCaseInfo();
  msg.textContent = `Loaded ${file.name}.`;
  await refresh();
}

/* The imminence windows: each doctrine's threat routes, bounded by an hours parameter whose
   value is read from the evaluation (never hard-coded), on a logarithmic time axis. */
function renderWindows(ev, scenario) {
  const hours = scenario.threat ? scenario.threat.hours_until : undefined;
  const known = typeof hours === "number";
  const params = ev.parameters;
  const doctrines = state.windows.doctrines;
  const holder = document.getElementById("windows-svg");
  const paramNames = [];
  for (const d of Object.values(doctrines)) for (const r of d.routes) {
    if (r.parameter && !paramNames.includes(r.parameter)) paramNames.push(r.parameter);
  }
  const limits = paramNames.map((p) => Number(params[p]));
  const maxH = Math.max(...limits, known ? hours : 0, 1) * 2.5;
  const W = Math.max(300, Math.min(900, holder.clientWidth || 640));
  const narrow = W < 500;
  const left = narrow ? 96 : 150, right = 12, rowH = 30, top = 26;
  const rows = Object.keys(ev.doctrines).filter((id) => doctrines[id]);
  const Hh = top + rows.length * rowH + 30;
  const x = (v) => left + (Math.log10(1 + Math.max(0, v)) / Math.log10(1 + maxH)) * (W - left - right);
  const svg = s("svg", { viewBox: `0 0 ${W} ${Hh}`, width: W, height: Hh, role: "img",
    "aria-labelledby": "windows-caption", class: "windows-svg" });
  const ticks = (narrow ? [0, 6, 72, 720, 8760] : [0, 1, 6, 24, 72, 168, 720, 2160, 8760]).filter((t) => t <= maxH);
  for (const t of ticks) {
    svg.append(s("line", { x1: x(t), x2: x(t), y1: top - 6, y2: Hh - 26, class: "tick" }));
    svg.append(s("text", { x: x(t), y: Hh - 10, class: "tick-label", "text-anchor": "middle" },
      t < 24 ? `${t}h` : t < 168 ? `${t / 24}d` : t < 720 ? `${Math.round(t / 168)}w` : t < 8760 ? `${Math.round(t / 720)}mo` : "1y"));
  }
  const summary = [];
  rows.forEach((id, i) => {
    const y = top + i * rowH;
    const d = doctrines[id];
    const name = ev.doctrines[id].name;
    svg.append(s("text", { x: left - 6, y: y + 17, class: "row-label", "text-anchor": "end" }, shortName(name, narrow)));
    if (!d.routes.length) {
      svg.append(s("text", { x: left + 4, y: y + 17, class: "none" }, narrow ? "none: attack must have begun" : "no route for a threat: an attack must have begun"));
      summary.push(`${name}: no window for a threat`);
      return;
    }
    const bounded = d.routes.filter((r) => r.parameter).map((r) => ({ r, v: Number(params[r.parameter]) }));
    const open = d.routes.filter((r) => !r.parameter);
    if (open.length) {
      svg.append(s("rect", { x: left, y: y + 6, width: W - left - right, height: 16, class: "band open" },
        s("title", {}, `${open.map((r) => r.title).join("; ")}: no time limit`)));
    }
    bounded.sort((a, b) => b.v - a.v).forEach(({ r, v }) => {
      svg.append(s("rect", { x: left, y: y + 6, width: Math.max(2, x(v) - left), height: 16,
        class: "band p" + paramNames.indexOf(r.parameter) },
        s("title", {}, `${r.title}: up to ${v} h (${r.parameter})`)));
    });
    const widest = bounded.length ? Math.max(...bounded.map((b) => b.v)) : null;
    let where;
    if (open.length) where = "no time limit on its " + open.map((r) => words(r.route)).join(", ") + " route";
    else if (!known) where = `window up to ${widest} hours`;
    else where = hours <= widest ? `inside its window of ${widest} hours` : `outside its window of ${widest} hours`;
    summary.push(`${name}: ${where}`);
  });
  if (known) {
    svg.append(s("line", { x1: x(hours), x2: x(hours), y1: top - 8, y2: Hh - 26, class: "marker" }));
    svg.append(s("text", { x: Math.min(x(hours) + 3, W - 80), y: top - 12, class: "marker-label" }, `attack in ${hours} h`));
  }
  holder.textContent = "";
  holder.append(svg);
  const legend = h("ul", { class: "legend" },
    paramNames.map((p, k) => h("li", {}, h("span", { class: "swatch p" + k }), `${p} = ${params[p]} h`)),
    h("li", {}, h("span", { class: "swatch open" }), "no time limit"),
    h("li", {}, h("span", { class: "swatch marker" }), "time to the attack"));
  holder.append(legend);
  const cap = document.getElementById("windows-caption");
  cap.textContent = known ? `The anticipated attack is ${hours} hours away. ` : "The time to the anticipated attack is unknown. ";
  cap.append("A window is necessary, not sufficient: the other tests still apply.",
    h("span", { class: "visually-hidden", text: " " + summary.join("; ") + "." }));
}

function shortName(name, narrow) {
  const short = name.replace("Anticipatory self-defence, ", "").replace(" self-defence", "")
    .replace("US National Security Strategy", "US NSS").replace("Article 51, restrictive reading", "Art 51 restrictive")
    .replace(", contextual imminence", "");
  return narrow ? short.replace("Art 51 restrictive", "Art 51").replace("Caroline test", "Caroline") : short;
}
