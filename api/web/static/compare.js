/* imminence web page: Compare (#/compare). Where two doctrines, or one doctrine under two
   readings (the default one against a teacher's), give different verdicts: exactly, over
   every scenario, from POST /v1/compare. Loaded after app.js and explorer.js, whose helpers
   (h, api, post, status, state, loadVocabulary, loadLabels, verdictLabel, verdictBadge,
   paramField, readParams, problemText, words) it uses. A classic script shares one global
   scope with the others: everything here lives in this function, and only showCompare is
   handed to the router (app.js).

   The URL carries the request (#/compare?a=caroline&b=nss_2002, or
   #/compare?mode=readings&doctrine=caroline&p.caroline_max_hours=24), so a link reproduces
   the comparison. Each region's example opens in the explorer through the explorer's own
   link format (#/explorer?case=&f.GROUP.FACT=VALUE&p.PARAM=VALUE). */
"use strict";

(function () {
  const cmp = {
    ready: false,
    params: [],      // /v1/parameters
    seq: 0,
    lastHash: null,  // the hash this view last wrote or ran
    shown: 3,        // regions shown per pair before "more"
  };
  const $ = (id) => document.getElementById(id);

  /* A share of the space as a percentage, three significant figures. */
  function pct(x) {
    const p = 100 * x;
    if (p === 0) return "0 %";
    if (p < 0.0001) return "< 0.0001 %";
    return `${Number(p.toPrecision(3))} %`;
  }

  function doctrineName(id) {
    const d = state.doctrines[id];
    return d && d.name ? d.name : words(id);
  }

  function sentence(text) {
    const t = String(text || "").trim();
    if (!t) return "";
    return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
  }

  /* ---------- start ---------- */

  async function showCompare() {
    const hash = location.hash || "#/compare";
    try {
      if (!cmp.ready) {
        status("Loading the doctrines and parameters…");
        await loadVocabulary();
        if (!state.labels) state.labels = await loadLabels();
        cmp.params = (typeof ex !== "undefined" && ex.params && ex.params.length) ? ex.params : await api("/v1/parameters");
        buildForm();
        cmp.ready = true;
        $("cmp-run").disabled = false;
        $("cmp-form").removeAttribute("aria-busy");
        $("cmp-form").dataset.ready = "true";
        status("");
      }
    } catch (e) {
      status("Could not load the Compare view: " + e.message);
      return;
    }
    if (hash === cmp.lastHash) return;   // back from the explorer: keep the screen
    cmp.lastHash = hash;
    const q = new URLSearchParams(hash.split("?")[1] || "");
    if ([...q.keys()].length === 0) return;   // plain #/compare: keep what the form holds
    if (applyQuery(q)) await run();
  }

  function buildForm() {
    const ids = Object.keys(state.doctrines);
    const fill = (sel, chosen) => {
      sel.textContent = "";
      for (const id of ids) sel.append(h("option", { value: id, text: doctrineName(id) }));
      if (ids.includes(chosen)) sel.value = chosen;
    };
    fill($("cmp-a"), "caroline");
    fill($("cmp-b"), "nss_2002");
    fill($("cmp-doctrine"), "caroline");
    const root = $("cmp-params-fields");
    root.textContent = "";
    for (const p of cmp.params) {
      // the explorer's field; here its reason folds away, for the form to stay short
      const box = paramField(p, { prefix: "cmp-param-", onEdit: markChanged });
      const reason = box.querySelector(".param-reason");
      if (reason) {
        const why = h("details", { class: "param-why" }, h("summary", { text: "Why this default, and its source" }));
        reason.replaceWith(why);
        why.append(reason);
      }
      root.append(box);
    }
    for (const r of document.querySelectorAll('#cmp-form input[name="cmp-mode"]')) r.addEventListener("change", showMode);
    $("cmp-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
    $("cmp-reset-params").addEventListener("click", () => {
      for (const el of root.querySelectorAll("[data-param]")) el.value = el.dataset.default;
      markChanged();
    });
    showMode();
    markChanged();
  }

  function mode() {
    const r = document.querySelector('#cmp-form input[name="cmp-mode"]:checked');
    return r ? r.value : "doctrines";
  }

  function showMode() {
    const readings = mode() === "readings";
    $("cmp-doctrines").hidden = readings;
    $("cmp-readings").hidden = !readings;
  }

  /* Mark the parameters of reading B changed from the default, in words (not colour alone). */
  function markChanged() {
    const root = $("cmp-params-fields");
    const pr = readParams(root);
    const names = new Set(pr.changed.map((c) => c.name));
    for (const el of root.querySelectorAll("[data-param]")) {
      const row = el.closest(".param-row");
      row.classList.toggle("changed", names.has(el.name));
      const about = $(el.id + "-about");
      if (about) about.querySelector(".changed-mark").hidden = !names.has(el.name);
    }
    for (const box of root.querySelectorAll("[data-param-box]")) box.classList.toggle("changed", !!box.querySelector(".param-row.changed"));
    $("cmp-params-count").textContent = pr.changed.length
      ? `${pr.changed.length} changed from the default: ` + pr.changed.map((c) => `${c.name} ${c.from} → ${c.to}`).join("; ")
      : "all at their defaults: reading B is the default reading until you change one";
  }

  /* The form from the URL; true when the URL names a comparison to run. */
  function applyQuery(q) {
    const want = q.get("mode") === "readings" ? "readings" : "doctrines";
    for (const r of document.querySelectorAll('#cmp-form input[name="cmp-mode"]')) r.checked = r.value === want;
    showMode();
    const pick = (sel, v) => { if (v && [...sel.options].some((o) => o.value === v)) sel.value = v; };
    pick($("cmp-a"), q.get("a"));
    pick($("cmp-b"), q.get("b"));
    pick($("cmp-doctrine"), q.get("doctrine"));
    const root = $("cmp-params-fields");
    for (const el of root.querySelectorAll("[data-param]")) el.value = el.dataset.default;
    for (const [k, v] of q.entries()) {
      if (!k.startsWith("p.")) continue;
      const el = root.querySelector(`[name="${CSS.escape(k.slice(2))}"]`);
      if (el) el.value = v;
    }
    markChanged();
    return want === "readings" ? q.has("doctrine") : q.has("a") && q.has("b");
  }

  /* What the form asks for: the request body, the URL, and how to name the two sides. */
  function request() {
    const q = new URLSearchParams();
    if (mode() === "readings") {
      const d = $("cmp-doctrine").value;
      const pr = readParams($("cmp-params-fields"));
      q.set("mode", "readings");
      q.set("doctrine", d);
      for (const c of pr.changed) q.set("p." + c.name, c.to);
      const b = { doctrine: d };
      if (pr.changed.length) b.parameters = pr.overrides;
      return { body: { a: { doctrine: d }, b }, query: q, readings: true, changed: pr.changed,
        sideA: `A, the default reading`, sideB: `B, ${pr.changed.length ? "your reading" : "your reading (no parameter changed yet)"}`,
        short: { a: "default reading", b: "your reading" }, doctrine: d };
    }
    const a = $("cmp-a").value, b = $("cmp-b").value;
    q.set("a", a);
    q.set("b", b);
    return { body: { a: { doctrine: a }, b: { doctrine: b } }, query: q, readings: false, changed: [],
      sideA: `A, ${doctrineName(a)}`, sideB: `B, ${doctrineName(b)}`,
      short: { a: doctrineName(a), b: doctrineName(b) } };
  }

  /* ---------- running the comparison ---------- */

  async function run() {
    const req = request();
    const hash = "#/compare?" + req.query.toString();
    cmp.lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    const nav = document.querySelector('[data-nav="compare"]');
    if (nav) nav.setAttribute("href", hash);
    clearInvalid();
    const seq = ++cmp.seq;
    const button = $("cmp-run");
    const out = $("cmp-result");
    button.disabled = true;
    button.textContent = "Comparing…";
    out.setAttribute("aria-busy", "true");
    $("cmp-error").textContent = "";
    $("cmp-loading").hidden = false;
    $("cmp-loading").textContent = `Comparing ${req.sideA} with ${req.sideB}, over every scenario…`;
    let result = null, error = null;
    try {
      result = await api("/v1/compare", post(req.body));
    } catch (e) {
      error = e;
    }
    if (seq !== cmp.seq) return;  // a newer request is on its way
    button.disabled = false;
    button.textContent = "Compare";
    out.removeAttribute("aria-busy");
    $("cmp-loading").hidden = true;
    if (error) {
      showError(error, req);
      return;
    }
    render(result, req);
  }

  function clearInvalid() {
    for (const el of document.querySelectorAll("#cmp-form [aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.setAttribute("aria-describedby", (el.getAttribute("aria-describedby") || "").split(" ").filter((i) => !i.endsWith("-error")).join(" "));
    }
    for (const p of document.querySelectorAll("#cmp-form .field-error")) p.remove();
    for (const f of document.querySelectorAll("#cmp-form .invalid")) f.classList.remove("invalid");
  }

  /* A refused request in words: each field the problem names, the side it belongs to, the
     message and what is allowed; the field itself is marked. Never a raw body or a stack. */
  function showError(e, req) {
    const box = $("cmp-error");
    box.textContent = "";
    $("cmp-result").textContent = "";
    const problem = e.body && typeof e.body === "object" ? e.body : null;
    if (e.status === 422 && problem && Array.isArray(problem.errors) && problem.errors.length) {
      const items = problem.errors.map((err) => {
        const loc = err.loc || String(err.field || "").split(".");
        const side = loc[0] === "a" ? req.sideA : loc[0] === "b" ? req.sideB : "";
        const what = loc[1] === "parameters" ? `parameter ${loc.slice(2).join(".")}` : loc.slice(1).join(".") || String(err.field || "");
        const allowed = Array.isArray(err.allowed) && !/allowed|must be/i.test(err.msg) ? ` (allowed: ${err.allowed.join(", ")})` : "";
        if (loc[1] === "parameters") markField(loc.slice(2), err.msg);
        return h("li", {}, side ? h("strong", { text: `${side}: ` }) : null, `${what}: ${err.msg}${allowed}.`);
      });
      box.append(h("span", { text: "The comparison was refused: the request is not valid." }), h("ul", { class: "cmp-errors" }, items));
      return;
    }
    const what = problem ? problemText(problem, e.status) : (e.status ? `the server answered ${e.status}` : e.message);
    box.append(`The comparison could not be made: ${what}. Nothing is shown; try again.`);
  }

  function markField(loc, msg) {
    const root = $("cmp-params-fields");
    const el = root.querySelector(`[name="${CSS.escape(loc.join("."))}"]`) || root.querySelector(`[name="${CSS.escape(String(loc[0]))}"]`);
    if (!el || el.getAttribute("aria-invalid") === "true") return;
    const errId = el.id + "-error";
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", [errId, ...(el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)].join(" "));
    const row = el.closest(".param-row");
    row.classList.add("invalid");
    row.after(h("p", { class: "field-error", id: errId }, h("strong", { text: "Not valid: " }), `${msg}.`, el.value.trim() ? ` You typed “${el.value.trim()}”.` : ""));
  }

  /* ---------- the answer ---------- */

  function pairTitle(pair, req) {
    if (req.readings) {
      const a = verdictLabel(pair.a);
      return `${a[0].toUpperCase()}${a.slice(1)} under the default reading, ${verdictLabel(pair.b)} under yours`;
    }
    return `${req.short.a} ${verdictLabel(pair.a)}, ${req.short.b} ${verdictLabel(pair.b)}`;
  }

  function render(res, req) {
    const out = $("cmp-result");
    out.textContent = "";
    const note = sentence(res.share_note || "shares count every combination of fact cells with equal weight, each fact independently, unknown included");
    const who = req.readings
      ? [h("strong", { text: doctrineName(req.doctrine) }), " under ", h("strong", { text: "A, the default reading" }), " and ",
        h("strong", { text: "B, your reading" }), req.changed.length ? ` (${req.changed.map((c) => `${c.name} ${c.from} → ${c.to}`).join("; ")})` : " (no parameter changed: the same reading)"]
      : [h("strong", { text: `A, ${req.short.a}` }), " and ", h("strong", { text: `B, ${req.short.b}` })];
    const head = h("section", { class: "cmp-summary", "aria-labelledby": "cmp-summary-h" },
      h("h2", { id: "cmp-summary-h", tabindex: "-1" }, "The verdicts differ in ",
        h("span", { class: "cmp-share-differ", "data-testid": "cmp-share-differ", "data-share": String(res.share_differ), text: pct(res.share_differ) }),
        " of all scenarios"),
      h("p", { class: "cmp-who" }, "Comparing ", ...who, "."),
      h("p", { class: "note cmp-note", "data-testid": "cmp-note", text: note }));
    out.append(head);
    const pairs = res.pairs || [];
    if (!pairs.length) {
      head.append(h("p", { class: "cmp-none", "data-testid": "cmp-none", text: req.readings
        ? "The two readings give the same verdict in every scenario."
        : "The two give the same verdict in every scenario." }));
      $("cmp-summary-h").focus();
      return;
    }
    out.append(chart(res, req));
    for (const [i, pair] of pairs.entries()) out.append(pairSection(pair, i, res, req));
    $("cmp-summary-h").focus();
  }

  /* The share of each pair of verdicts: a table (read as such by a screen reader) whose
     last column draws the share of the disagreement as a bar (hidden from assistive
     technology: the figures are in the cells before it). */
  function chart(res, req) {
    const rows = res.pairs.map((pair, i) => {
      const ofDiff = res.share_differ ? pair.share / res.share_differ : 0;
      const bar = h("span", { class: "cmp-bar-fill " + "a-" + pair.a });
      bar.style.width = `${Math.max(0.5, 100 * ofDiff)}%`;   // CSSOM: allowed by the page's CSP
      // an in-page link: the hash is the router's, so it scrolls (and moves focus) itself
      const jump = (e) => {
        e.preventDefault();
        const head = $(`cmp-pair-${i}-h`);
        head.scrollIntoView({ block: "start" });
        head.focus({ preventScroll: true });
      };
      return h("tr", { "data-pair": `${pair.a}|${pair.b}` },
        h("th", { scope: "row" }, h("a", { href: `#cmp-pair-${i}`, class: "cmp-pair-link", onclick: jump,
          "aria-label": `${pairTitle(pair, req)}: go to its regions` },
          h("span", { class: "cmp-side" }, "A ", verdictBadge(pair.a)), " ", h("span", { class: "cmp-side" }, "B ", verdictBadge(pair.b)))),
        h("td", { class: "num", "data-label": "Of all scenarios", "data-share": String(pair.share), text: pct(pair.share) }),
        h("td", { class: "num", "data-label": "Of the disagreement", text: pct(ofDiff) }),
        h("td", { class: "cmp-bar", "aria-hidden": "true" }, h("span", { class: "cmp-bar-track" }, bar)));
    });
    return h("figure", { class: "cmp-chart", "aria-labelledby": "cmp-chart-cap" },
      h("figcaption", { id: "cmp-chart-cap" }, h("h3", { text: "Where they differ, by pair of verdicts" }),
        h("p", { class: "note", text: `${req.sideA.replace(", ", ": ")}; ${req.sideB.replace(", ", ": ")}. The bar is the pair's part of the disagreement.` })),
      h("div", { class: "table-wrap" }, h("table", { class: "data cmp-table" },
        h("caption", { class: "visually-hidden", text: "Share of all scenarios and of the disagreement, for each pair of verdicts" }),
        h("thead", {}, h("tr", {}, ["Verdicts (A, B)", "Of all scenarios", "Of the disagreement", "Bar"].map((c, k) =>
          h("th", { scope: "col", class: k === 3 ? "cmp-bar-col" : null }, k === 3 ? h("span", { class: "visually-hidden", text: c }) : c)))),
        h("tbody", {}, rows))));
  }

  function pairSection(pair, i, res, req) {
    const n = pair.regions.length;
    const sec = h("section", { class: "cmp-pair", id: `cmp-pair-${i}`, "data-pair": `${pair.a}|${pair.b}`, "aria-labelledby": `cmp-pair-${i}-h` },
      h("h3", { id: `cmp-pair-${i}-h`, tabindex: "-1" }, h("span", { class: "cmp-side" }, "A ", verdictBadge(pair.a)), " ",
        h("span", { class: "cmp-side" }, "B ", verdictBadge(pair.b)), h("span", { class: "visually-hidden", text: ": " + pairTitle(pair, req) })),
      h("p", { class: "cmp-pair-what" }, pairTitle(pair, req), ": ", h("strong", { class: "num", text: pct(pair.share) }),
        " of all scenarios, in ", n === 1 ? "one region" : `${n} regions`, n > 1 ? " (the largest first)" : "", "."));
    const item = (r, k) => {
      const link = h("a", { class: "button-link", href: exampleHash(r, pair, req), "data-testid": "open-example",
        "aria-label": `Open in explorer: the example of region ${k + 1} (${pairTitle(pair, req)})` }, "Open in explorer");
      return h("li", { class: "cmp-region", "data-share": String(r.share) },
        h("p", { class: "cmp-words", "data-testid": "region-words" }, clauses(r.words)),
        h("p", { class: "cmp-region-meta" }, h("strong", { class: "num" }, pct(r.share), " of all scenarios"), " ",
          r.stated_facts !== undefined ? h("span", { text: `Example: ${r.stated_facts} fact${r.stated_facts === 1 ? "" : "s"} stated, the rest unknown.` }) : null, " ", link));
    };
    sec.append(h("ol", { class: "cmp-regions" }, pair.regions.slice(0, cmp.shown).map(item)));
    if (n > cmp.shown) {
      sec.append(h("details", { class: "cmp-more" },
        h("summary", { text: `${n - cmp.shown} more region${n - cmp.shown === 1 ? "" : "s"} (${pct(pair.regions.slice(cmp.shown).reduce((t, r) => t + r.share, 0))} of all scenarios)` }),
        h("ol", { class: "cmp-regions", start: String(cmp.shown + 1) }, pair.regions.slice(cmp.shown).map((r, k) => item(r, k + cmp.shown)))));
    }
    return sec;
  }

  /* The region's words, each "; "-part on its own line, whose doctrines in bold (the text
     stays the API's, verbatim). */
  function clauses(text) {
    const parts = String(text).split("; ");
    return parts.map((p, k) => {
      const at = p.indexOf(": ");
      const body = at > 0 ? [h("strong", { text: p.slice(0, at + 1) }), p.slice(at + 1)] : [p];
      return h("span", { class: "cmp-clause" }, ...body, k < parts.length - 1 ? "; " : "");
    });
  }

  /* The explorer link of a region's example: a blank scenario with the example's facts, and
     for two readings the parameters of reading B (the explorer then shows the default
     reading beside it). */
  function exampleHash(r, pair, req) {
    const q = new URLSearchParams();
    q.set("case", "");
    q.set("title", `Example from Compare: ${pairTitle(pair, req)}`);
    q.set("summary", `A scenario in the region where ${r.words}.`);
    for (const [group, facts] of Object.entries(r.example || {})) {
      if (!facts || typeof facts !== "object") continue;
      for (const [name, v] of Object.entries(facts)) {
        if (v === null || v === undefined) continue;
        q.set(`f.${group}.${name}`, String(v));
      }
    }
    for (const c of req.changed) q.set("p." + c.name, c.to);
    return "#/explorer?" + q.toString();
  }

  window.showCompare = showCompare;
})();
