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
