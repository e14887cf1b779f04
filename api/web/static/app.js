/* imminence web page: explorer, exercises, instructor results. Plain JS, no build step.
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

const VIEWS = ["explorer", "exercises", "exercise", "instructor"];

function route() {
  const hash = location.hash || "#/explorer";
  const parts = hash.replace(/^#\//, "").split("/");
  let view = parts[0] || "explorer";
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

/* ---------- explorer ---------- */

let explorerReady = false;

async function showExplorer() {
  if (explorerReady) return;
  try {
    status("Loading the vocabulary…");
    await loadVocabulary();
    state.library = await api("/v1/scenarios");
    const select = document.getElementById("case-select");
    for (const c of state.library) select.append(h("option", { value: c.id, text: c.title || c.id }));
    buildFactsForm();
    select.addEventListener("change", () => loadCase(select.value));
    document.getElementById("reset-case").addEventListener("click", () => loadCase(select.value));
    explorerReady = true;
    const wanted = new URLSearchParams(location.hash.split("?")[1] || "").get("case");
    const first = wanted || (state.library[0] && state.library[0].id) || "";
    select.value = first;
    await loadCase(first);
    status("");
  } catch (e) {
    status("Could not load the explorer: " + e.message);
  }
}

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

function buildFactsForm() {
  const root = document.getElementById("facts-fields");
  root.textContent = "";
  for (const g of state.facts.groups) {
    const fs = h("fieldset", { class: "group" }, h("legend", { text: words(g.group) }));
    for (const f of g.facts) {
      const { label, input } = control(f, "fact-");
      input.addEventListener("change", () => evaluateForm());
      fs.append(h("div", { class: "field" }, label, input));
    }
    root.append(fs);
  }
}

function readForm(form) {
  const doc = {};
  for (const el of form.querySelectorAll("[data-kind]")) {
    const [group, name] = el.name.split(".");
    let v = el.value;
    if (v === "") continue;
    if (el.dataset.kind === "bool") v = v === "true";
    else if (el.dataset.kind === "number") { v = Number(v); if (!Number.isFinite(v)) continue; }
    (doc[group] = doc[group] || {})[name] = v;
  }
  return doc;
}

function fillForm(form, scenario) {
  for (const el of form.querySelectorAll("[data-kind]")) {
    const [group, name] = el.name.split(".");
    const v = scenario[group] ? scenario[group][name] : undefined;
    el.value = v === null || v === undefined ? "" : String(v);
  }
}

async function loadCase(id) {
  let scenario = {};
  if (id) {
    const detail = await api("/v1/scenarios/" + encodeURIComponent(id));
    scenario = detail.scenario;
  }
  state.base = scenario;
  fillForm(document.getElementById("facts-form"), scenario);
  await evaluateForm();
}

async function evaluateForm() {
  const seq = ++state.evalSeq;
  const scenario = readForm(document.getElementById("facts-form"));
  try {
    const ev = await api("/v1/evaluate", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scenario, explain: true, what_if: true }),
    });
    if (seq !== state.evalSeq) return;  // a newer edit is on its way
    renderEvaluation(ev, scenario);
    status("");
  } catch (e) {
    if (seq === state.evalSeq) status("The engine refused these facts: " + e.message);
  }
}

function renderEvaluation(ev, scenario) {
  const cls = document.getElementById("classification");
  cls.textContent = "";
  cls.append("Classification of the force used: ",
    h("strong", { class: "badge", "data-testid": "classification", text: ev.classification.replace(/_/g, "-") }));
  const root = document.getElementById("verdicts");
  root.textContent = "";
  const table = h("table", { class: "verdicts" },
    h("caption", { class: "visually-hidden", text: "Verdict of each doctrine" }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "Doctrine" }), h("th", { scope: "col", text: "Verdict" }),
      h("th", { scope: "col", text: "Score" }), h("th", { scope: "col", text: "Decisive" }))));
  const body = h("tbody");
  for (const [id, d] of Object.entries(ev.doctrines)) {
    const score = d.score === d.score_max ? `${d.score}` : `${d.score}–${d.score_max}`;
    body.append(h("tr", { "data-doctrine": id },
      h("th", { scope: "row" }, d.name, h("span", { class: "route", text: "route: " + words(d.route) })),
      h("td", {}, h("span", { class: "verdict " + d.verdict, "data-testid": "verdict-" + id },
        MARK[d.verdict] + " " + VERDICT[d.verdict])),
      h("td", { class: "num" }, h("meter", { min: 0, max: 100, value: d.score,
        "aria-label": `score ${score} of 100` }), " ", score),
      h("td", {}, d.decisive.map(words).join(", ") || "—",
        d.missing_facts.length ? h("span", { class: "missing", text: "find out: " + d.missing_facts.join(", ") }) : null,
        d.widening.length ? h("span", { class: "missing", text: "widened past: " + d.widening.map(words).join(", ") }) : null)));
  }
  table.append(body);
  root.append(table);
  const explanations = document.getElementById("explanations");
  const open = new Set([...explanations.querySelectorAll("details.explain[open]")].map((d) => d.dataset.doctrine));
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
      const form = document.getElementById("facts-form");
      const el = form.querySelector(`[name="${c.fact}"]`);
      if (el) { el.value = String(c.value); evaluateForm(); el.focus(); }
    });
    list.append(h("li", {}, h("code", { text: c.fact }), `: ${was} → ${fmt(c.value)} gives `,
      h("span", { class: "verdict " + c.verdict, text: MARK[c.verdict] + " " + VERDICT[c.verdict] }),
      c.route ? ` (route ${words(c.route)}) ` : " ", apply));
  }
  return h("div", { class: "whatif-box" }, h("h4", { text: "What one fact would change the answer" }), list);
}

function explainDoctrine(id, d) {
  const det = h("details", { class: "explain" },
    h("summary", {}, "Why: ", d.name));
  const routes = {};
  for (const t of d.tests) (routes[t.route] = routes[t.route] || []).push(t);
  for (const [r, tests] of Object.entries(routes)) {
    const list = h("ul", { class: "tests" });
    for (const t of tests) {
      const info = state.tests[t.test] || {};
      const src = state.sources[t.source];
      const facts = Object.entries(t.facts || {}).map(([k, v]) => `${k} = ${fmt(v)}`).join("; ");
      list.append(h("li", { class: "test " + t.status },
        h("span", { class: "st", text: STATUS_MARK[t.status] + " " + t.status }), " ",
        h("strong", { text: words(t.test) }), info.title ? " — " + info.title : "",
        facts ? h("div", { class: "facts-read", text: "read: " + facts }) : null,
        h("details", { class: "source" }, h("summary", {}, "Source: ", src ? src.short : t.source),
          src ? h("p", { class: "citation", text: src.citation }) : null,
          info.passage ? h("blockquote", { text: info.passage }) : null,
          src && src.passage ? h("blockquote", { class: "passage", text: src.passage }) : null)));
    }
    det.append(h("h4", { text: "Route " + words(r) + (r === d.route ? " (reported)" : "") }), list);
  }
  if (d.trace && d.trace.length) {
    det.append(h("details", { class: "trace" }, h("summary", {}, `Trace (${d.trace.length} rules fired)`),
      h("ol", {}, d.trace.map((e) => h("li", {}, h("code", { text: e.rule }), " — " + e.source)))));
  }
  return det;
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

/* ---------- exercises ---------- */

async function showExercises() {
  const list = document.getElementById("exercise-list");
  try {
    state.exercises = await api("/v1/exercises");
  } catch (e) { status("Could not load the exercises: " + e.message); return; }
  list.textContent = "";
  for (const ex of state.exercises) {
    list.append(h("li", { class: "card" },
      h("h2", {}, h("a", { href: "#/exercises/" + encodeURIComponent(ex.id), text: ex.title })),
      h("p", { class: "meta", text: `${ex.questions} questions · ${ex.max_marks} marks · ${ex.kinds.map(words).join(", ")}` })));
  }
}

async function showExercise(id) {
  const form = document.getElementById("attempt-form");
  document.getElementById("feedback").hidden = true;
  document.getElementById("attempt-error").textContent = "";
  let ex;
  try {
    await loadVocabulary();
    ex = await api("/v1/exercises/" + encodeURIComponent(id));
  } catch (e) { status("Could not load the exercise: " + e.message); return; }
  state.current = ex;
  state.pendingKey = null;
  document.getElementById("exercise-h").textContent = ex.title;
  document.getElementById("exercise-prompt").textContent = ex.prompt;
  const factsRoot = document.getElementById("exercise-facts");
  factsRoot.textContent = "";
  const sc = ex.scenario;
  if (sc.title || sc.summary) factsRoot.append(h("p", {}, h("strong", { text: sc.title || "" }), " ", sc.summary || ""));
  const dl = h("dl", { class: "facts-list" });
  for (const g of state.facts.groups) for (const f of g.facts) {
    const [group, name] = f.name.split(".");
    const v = sc[group] ? sc[group][name] : undefined;
    dl.append(h("dt", { text: f.name }), h("dd", { class: v === undefined || v === null ? "unknown" : "", text: fmt(v) }));
  }
  factsRoot.append(dl);
  const changed = Object.entries(ex.changed_parameters || {});
  document.getElementById("exercise-parameters").textContent = changed.length
    ? "This exercise reads the law with: " + changed.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ") + "." : "";
  const student = document.getElementById("student-id");
  student.value = localStorage.getItem("imminence.student") || "";
  const qs = document.getElementById("questions");
  qs.textContent = "";
  ex.questions.forEach((q, i) => qs.append(questionBlock(q, i + 1)));
  form.onsubmit = (e) => { e.preventDefault(); submitAttempt(ex); };
  form.oninput = () => { state.pendingKey = null; };
}

function radioGroup(name, choices, legend) {
  const fs = h("fieldset", { class: "choices" }, h("legend", {}, legend));
  choices.forEach((c, i) => {
    const id = `${name}-${i}`;
    fs.append(h("div", { class: "choice" },
      h("input", { type: "radio", id, name, value: c }), h("label", { for: id, text: words(c) })));
  });
  return fs;
}

function questionBlock(q, n) {
  const box = h("section", { class: "question", "data-question": q.id, "aria-labelledby": `q-${q.id}-h` },
    h("h2", { id: `q-${q.id}-h` }, `Question ${n} `, h("span", { class: "points", text: `(${q.points} mark${q.points === 1 ? "" : "s"})` })),
    h("p", { class: "prompt", text: q.prompt }));
  if (q.kind === "classification") {
    box.append(radioGroup(`a-${q.id}`, q.choices, "Kind of force"));
  } else if (q.kind === "verdicts") {
    for (const d of q.doctrines) box.append(radioGroup(`a-${q.id}-${d.id}`, q.choices, d.name));
  } else if (q.kind === "decisive") {
    const fs = h("fieldset", { class: "choices" }, h("legend", {}, `Tests of ${q.doctrine.name} (choose all that decide)`));
    q.choices.forEach((t, i) => {
      const id = `a-${q.id}-${i}`;
      fs.append(h("div", { class: "choice" }, h("input", { type: "checkbox", id, name: `a-${q.id}`, value: t.id }),
        h("label", { for: id }, h("strong", { text: words(t.id) }), " — " + t.title)));
    });
    box.append(fs);
  } else {
    const fs = h("fieldset", { class: "changes" }, h("legend", {}, `Your changes (at most ${q.max_changes})`));
    if (q.keep && q.keep.length) fs.append(h("p", { class: "note", text: "Keep unchanged: " + q.keep.join(", ") }));
    for (let i = 0; i < q.max_changes; i++) fs.append(changeRow(q, i));
    box.append(fs);
  }
  return box;
}

function changeRow(q, i) {
  const fid = `c-${q.id}-${i}-fact`;
  const factSel = h("select", { id: fid, class: "change-fact" }, h("option", { value: "", text: "(no change)" }));
  for (const g of state.facts.groups) {
    const og = h("optgroup", { label: words(g.group) });
    for (const f of g.facts) if (f.kind !== "text" && !(q.keep || []).includes(f.name)) og.append(h("option", { value: f.name, text: f.name }));
    factSel.append(og);
  }
  const valueHolder = h("span", { class: "change-value" });
  const row = h("div", { class: "change-row" },
    h("label", { for: fid, text: `Change ${i + 1}: fact` }), factSel, valueHolder);
  factSel.addEventListener("change", () => {
    valueHolder.textContent = "";
    const f = factInfo(factSel.value);
    if (!f) return;
    const { label, input } = control(f, `c-${q.id}-${i}-value-`);
    label.textContent = "new value";
    const current = state.current.scenario[f.name.split(".")[0]] || {};
    input.value = fmt(current[f.name.split(".")[1]]) === "unknown" ? "" : String(current[f.name.split(".")[1]]);
    valueHolder.append(label, input);
  });
  return row;
}

function collectAnswers(ex) {
  const answers = {};
  for (const q of ex.questions) {
    const box = document.querySelector(`[data-question="${q.id}"]`);
    if (q.kind === "classification") {
      const c = box.querySelector("input:checked");
      if (c) answers[q.id] = c.value;
    } else if (q.kind === "verdicts") {
      const v = {};
      for (const d of q.doctrines) {
        const c = box.querySelector(`input[name="a-${q.id}-${d.id}"]:checked`);
        if (c) v[d.id] = c.value;
      }
      if (Object.keys(v).length) answers[q.id] = v;
    } else if (q.kind === "decisive") {
      const picked = [...box.querySelectorAll("input:checked")].map((c) => c.value);
      if (picked.length) answers[q.id] = picked;
    } else {
      const changes = {};
      for (const row of box.querySelectorAll(".change-row")) {
        const fact = row.querySelector(".change-fact").value;
        const input = row.querySelector("[data-kind]");
        if (!fact || !input) continue;
        let v = input.value;
        if (v === "") v = null;
        else if (input.dataset.kind === "bool") v = v === "true";
        else if (input.dataset.kind === "number") v = Number(v);
        changes[fact] = v;
      }
      if (Object.keys(changes).length) answers[q.id] = { changes };
    }
  }
  return answers;
}

async function submitAttempt(ex) {
  const err = document.getElementById("attempt-error");
  err.textContent = "";
  const student = document.getElementById("student-id").value.trim();
  if (!student) { err.textContent = "Enter your name or student number first."; document.getElementById("student-id").focus(); return; }
  localStorage.setItem("imminence.student", student);
  const answers = collectAnswers(ex);
  // one key per set of answers: a retry after a network failure is not stored twice
  state.pendingKey = state.pendingKey || uuid();
  const button = document.getElementById("submit-attempt");
  button.disabled = true;
  status("Submitting…");
  try {
    const attempt = await api(`/v1/exercises/${encodeURIComponent(ex.id)}/attempts`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ student, answers, idempotency_key: state.pendingKey }),
    });
    renderFeedback(attempt);
    status("Your attempt is stored.");
  } catch (e) {
    err.textContent = "Not submitted: " + e.message;
    status("");
  } finally {
    button.disabled = false;
  }
}

function renderFeedback(attempt) {
  const sec = document.getElementById("feedback");
  sec.hidden = false;
  document.getElementById("feedback-score").textContent =
    `You scored ${attempt.marks} of ${attempt.max_marks}. Attempt ${attempt.id.slice(0, 8)}, stored ${new Date(attempt.created_at).toLocaleString()}.`;
  const root = document.getElementById("feedback-items");
  root.textContent = "";
  attempt.feedback.forEach((f, i) => {
    const item = h("article", { class: "fb " + (f.correct ? "right" : "wrong"), "data-feedback": f.question },
      h("h3", {}, `Question ${i + 1}: `, h("span", { class: "result", text: f.correct ? "✓ correct" : (f.marks > 0 ? "◐ partly right" : "✗ not right") }),
        ` — ${f.marks} of ${f.max_marks}`),
      h("p", { text: f.explanation }),
      h("p", { class: "key" }, "Engine's answer: ", h("code", { text: keyText(f.key) })));
    for (const d of f.details || []) {
      const det = h("details", { class: "explain" }, h("summary", {}, `Evidence: ${d.name} — ${VERDICT[d.verdict]}, route ${words(d.route)}, score ${d.score}`));
      const ul = h("ul", { class: "tests" });
      for (const e of d.decisive) {
        ul.append(h("li", { class: "test " + e.status },
          h("span", { class: "st", text: STATUS_MARK[e.status] + " " + e.status }), " ", h("strong", { text: words(e.test) }), " — " + e.title,
          h("div", { class: "facts-read", text: "read: " + Object.entries(e.facts).map(([k, v]) => `${k} = ${fmt(v)}`).join("; ") }),
          h("p", { class: "citation", text: e.citation }), h("blockquote", { text: e.passage })));
      }
      det.append(ul);
      if (d.trace.length) det.append(h("details", { class: "trace" }, h("summary", {}, "Rules fired"),
        h("ol", {}, d.trace.map((t) => h("li", {}, h("code", { text: t.rule }), " — " + t.source)))));
      item.append(det);
    }
    root.append(item);
  });
  document.getElementById("feedback-note").textContent = attempt.teaching_note || "";
  document.getElementById("feedback-h").focus();
}

function keyText(key) {
  if (key === null || key === undefined) return "—";
  if (typeof key === "string") return words(key);
  if (Array.isArray(key)) return key.map(words).join(", ") || "(none)";
  return Object.entries(key).map(([k, v]) => `${k}: ${typeof v === "string" ? words(v) : fmt(v)}`).join("; ");
}

/* ---------- instructor ---------- */

let instructorReady = false;

async function showInstructor() {
  if (instructorReady) return;
  const sel = document.getElementById("results-exercise");
  try {
    const list = await api("/v1/exercises");
    sel.append(h("option", { value: "", text: "(all exercises)" }));
    for (const ex of list) sel.append(h("option", { value: ex.id, text: ex.title }));
  } catch (e) { status("Could not load the exercises: " + e.message); return; }
  document.getElementById("token").value = sessionStorage.getItem("imminence.token") || "";
  document.getElementById("instructor-form").addEventListener("submit", (e) => { e.preventDefault(); loadResults(); });
  document.getElementById("download-csv").addEventListener("click", downloadCsv);
  instructorReady = true;
}

function authHeaders() {
  const token = document.getElementById("token").value.trim();
  sessionStorage.setItem("imminence.token", token);
  return { Authorization: "Bearer " + token };
}

async function loadResults() {
  const err = document.getElementById("instructor-error");
  const out = document.getElementById("instructor-results");
  err.textContent = "";
  out.textContent = "";
  const ex = document.getElementById("results-exercise").value;
  const student = document.getElementById("results-student").value.trim();
  try {
    if (student) {
      const r = await api(`/v1/instructor/students/${encodeURIComponent(student)}/results`, { headers: authHeaders() });
      out.append(h("h2", { text: `${r.student}: ${r.attempts} attempt(s)` }), attemptsTable(r.results, []));
    } else if (ex) {
      const r = await api(`/v1/instructor/exercises/${encodeURIComponent(ex)}/results`, { headers: authHeaders() });
      out.append(h("h2", { text: r.title }),
        h("p", { text: `${r.attempts} attempt(s) by ${r.students} student(s); mean ${r.mean ?? "—"} of ${r.max_marks}.` }));
      const qt = h("table", { class: "data" }, h("caption", { text: "Per question" }),
        h("thead", {}, h("tr", {}, ["Question", "Kind", "Full marks", "Mean"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, r.questions.map((q) => h("tr", {}, h("th", { scope: "row", text: q.id }), h("td", { text: words(q.kind) }),
          h("td", { class: "num", text: `${q.full_marks} / ${r.attempts}` }), h("td", { class: "num", text: q.mean ?? "—" })))));
      out.append(qt, attemptsTable(r.results, r.questions.map((q) => q.id)));
    } else {
      err.textContent = "Choose an exercise or enter a student.";
    }
  } catch (e) {
    err.textContent = e.message;
  }
}

function attemptsTable(rows, qids) {
  return h("div", { class: "scroll" }, h("table", { class: "data" }, h("caption", { text: "Attempts" }),
    h("thead", {}, h("tr", {}, ["When", "Student", "Exercise", "Marks", ...qids].map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("td", { text: new Date(r.created_at).toLocaleString() }), h("td", { text: r.student }),
      h("td", { text: r.exercise }), h("td", { class: "num", text: `${r.marks} / ${r.max_marks}` }),
      qids.map((q) => h("td", { class: "num", text: r.questions[q] ?? 0 })))))));
}

async function downloadCsv() {
  const err = document.getElementById("instructor-error");
  err.textContent = "";
  const ex = document.getElementById("results-exercise").value;
  const student = document.getElementById("results-student").value.trim();
  const q = new URLSearchParams();
  if (ex) q.set("exercise", ex);
  if (student) q.set("student", student);
  try {
    const resp = await fetch("/v1/instructor/results.csv?" + q, { headers: authHeaders() });
    if (!resp.ok) throw new Error(problemText(await resp.json(), resp.status));
    const url = URL.createObjectURL(await resp.blob());
    const a = h("a", { href: url, download: `imminence-results${ex ? "-" + ex : ""}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) { err.textContent = e.message; }
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", route);
