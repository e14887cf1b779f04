/* imminence web page: the scenario explorer (#/explorer). Loaded after app.js, whose
   helpers (h, s, api, status, state, loadVocabulary, control, ...) it uses. */
"use strict";


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
