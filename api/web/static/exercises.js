/* imminence web page: the exercises (list, one exercise, the attempt and its feedback).
   Uses the helpers of app.js (h, api, state, words, control, ...). */
"use strict";


async function showExercises() {
  const list = document.getElementById("exercise-list");
  try {
    state.exercises = await api("/v1/exercises");
  } catch (e) { status("Could not load the exercises: " + e.message); return; }
  list.textContent = "";
  for (const ex of state.exercises) {
    list.append(h("li", { class: "card" },
      h("h2", {}, h("a", { href: "#/exercises/" + encodeURIComponent(ex.id), text: ex.title })),
      h("p", { class: "meta", text: `${ex.questions} questions · ${fmtMarks(ex.max_marks)} marks · ${ex.kinds.map(words).join(", ")}` })));
  }
}

/* Everything an exercise shows, emptied: a failed load must never leave the previous
   exercise's questions live under the error. */
function clearExercise() {
  document.getElementById("exercise-h").textContent = "";
  document.getElementById("exercise-prompt").textContent = "";
  document.getElementById("exercise-facts").textContent = "";
  document.getElementById("exercise-parameters").textContent = "";
  document.getElementById("questions").textContent = "";
  document.getElementById("attempt-error").textContent = "";
  document.getElementById("exercise-error").textContent = "";
  document.getElementById("exercise-error").hidden = true;
  document.getElementById("exercise-scenario").hidden = true;
  document.getElementById("feedback").hidden = true;
  document.getElementById("feedback-items").textContent = "";
  document.getElementById("feedback-note").textContent = "";
  const form = document.getElementById("attempt-form");
  form.hidden = true;
  form.onsubmit = (e) => e.preventDefault();
  state.current = null;
}

async function showExercise(id) {
  const form = document.getElementById("attempt-form");
  clearExercise();
  const seq = state.exerciseSeq = (state.exerciseSeq || 0) + 1;
  let ex;
  try {
    await loadVocabulary();
    ex = await api("/v1/exercises/" + encodeURIComponent(id));
  } catch (e) {
    if (seq !== state.exerciseSeq) return;
    document.getElementById("exercise-h").textContent = e.status === 404 ? "No such exercise" : "The exercise could not be loaded";
    const box = document.getElementById("exercise-error");
    box.hidden = false;
    box.textContent = e.status === 404
      ? `There is no exercise “${id}”. Choose one from the list of exercises.`
      : "Could not load the exercise: " + e.message;
    return;
  }
  if (seq !== state.exerciseSeq) return;  // the reader has moved on meanwhile
  state.current = ex;
  state.pendingKey = null;
  document.getElementById("exercise-h").textContent = ex.title;
  document.getElementById("exercise-prompt").textContent = ex.prompt;
  document.getElementById("exercise-scenario").hidden = false;
  const factsRoot = document.getElementById("exercise-facts");
  const sc = ex.scenario;
  if (sc.title || sc.summary) factsRoot.append(h("p", {}, h("strong", { text: sc.title || "" }), " ", sc.summary || ""));
  const dl = h("dl", { class: "facts-list" });
  for (const g of state.facts.groups) for (const f of g.facts) {
    const [group, name] = f.name.split(".");
    const v = sc[group] ? sc[group][name] : undefined;
    dl.append(h("dt", { text: exFactLabel(f.name) }), h("dd", { class: v === undefined || v === null ? "unknown" : "", text: valueWords(v) }));
  }
  factsRoot.append(dl);
  const changed = Object.entries(ex.changed_parameters || {});
  document.getElementById("exercise-parameters").textContent = changed.length
    ? "This exercise reads the law with: " + changed.map(([k, v]) => `${words(k)} = ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ") + "." : "";
  document.getElementById("student-id").value = localStorage.getItem("imminence.student") || "";
  document.getElementById("course-code").value = localStorage.getItem("imminence.course") || "";
  const qs = document.getElementById("questions");
  ex.questions.forEach((q, i) => qs.append(questionBlock(q, i + 1)));
  form.hidden = false;
  form.onsubmit = (e) => { e.preventDefault(); submitAttempt(ex); };
  form.oninput = () => { state.pendingKey = null; };
}

/* A fact's readable name (as the grader says it): "Hours until (threat)". */
function exFactLabel(dotted) {
  const f = state.facts ? factInfo(dotted) : null;
  if (f && f.label) return f.label.charAt(0).toUpperCase() + f.label.slice(1);
  const [group, name] = String(dotted).split(".");
  if (!name) return words(group);
  const n = words(name);
  return `${n.charAt(0).toUpperCase()}${n.slice(1)} (${words(group)})`;
}

function valueWords(v) {
  if (v === null || v === undefined) return "unknown";
  if (v === true) return "yes";
  if (v === false) return "no";
  return typeof v === "string" ? words(v) : String(v);
}

// the grader's words for the verdicts (engine/teaching/words.py)
const exVerdictLabel = (v) => words(v);
const exClassLabel = (c) => words(c).replace("pre emptive", "pre-emptive");

function radioGroup(name, choices, legend, label = words) {
  const fs = h("fieldset", { class: "choices" }, h("legend", {}, legend));
  choices.forEach((c, i) => {
    const id = `${name}-${i}`;
    fs.append(h("div", { class: "choice" },
      h("input", { type: "radio", id, name, value: c }), h("label", { for: id, text: label(c) })));
  });
  return fs;
}

function questionBlock(q, n) {
  const box = h("section", { class: "question", "data-question": q.id, "aria-labelledby": `q-${q.id}-h` },
    h("h2", { id: `q-${q.id}-h` }, `Question ${n} `, h("span", { class: "points", text: `(${q.points} mark${q.points === 1 ? "" : "s"})` })),
    h("p", { class: "prompt", text: q.prompt }));
  if (q.kind === "classification") {
    box.append(radioGroup(`a-${q.id}`, q.choices, "Kind of force", exClassLabel));
  } else if (q.kind === "verdicts") {
    for (const d of q.doctrines) box.append(radioGroup(`a-${q.id}-${d.id}`, q.choices, d.name, exVerdictLabel));
  } else if (q.kind === "decisive") {
    const fs = h("fieldset", { class: "choices tests-choice" }, h("legend", {}, `Tests of ${q.doctrine.name} (choose all that decide)`));
    q.choices.forEach((t, i) => {
      const id = `a-${q.id}-${i}`;
      fs.append(h("div", { class: "choice" }, h("input", { type: "checkbox", id, name: `a-${q.id}`, value: t.id }),
        h("label", { for: id, text: t.title })));
    });
    box.append(fs);
  } else {
    const fs = h("fieldset", { class: "changes" }, h("legend", {}, `Your changes (at most ${q.max_changes})`));
    if (q.keep && q.keep.length) fs.append(h("p", { class: "note", text: "Keep unchanged: " + q.keep.map(exFactLabel).join("; ") }));
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
    for (const f of g.facts) if (f.kind !== "text" && !(q.keep || []).includes(f.name)) og.append(h("option", { value: f.name, text: exFactLabel(f.name) }));
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
  const studentInput = document.getElementById("student-id");
  const student = studentInput.value.trim();
  if (!student) { err.textContent = "Enter your name or student number first."; studentInput.focus(); return; }
  const code = document.getElementById("course-code").value.trim();
  localStorage.setItem("imminence.student", student);
  localStorage.setItem("imminence.course", code);
  const answers = collectAnswers(ex);
  // one key per set of answers: a retry after a network failure is not stored twice
  state.pendingKey = state.pendingKey || uuid();
  const button = document.getElementById("submit-attempt");
  button.disabled = true;
  status("Submitting…");
  try {
    let course = null;
    if (code) {  // joining again is harmless: the first enrolment is kept
      const joined = await api("/v1/courses/join", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code, student }),
      });
      course = joined.course;
    }
    const body = { student, answers, idempotency_key: state.pendingKey };
    if (course) body.course = code;
    const attempt = await api(`/v1/exercises/${encodeURIComponent(ex.id)}/attempts`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    renderFeedback(attempt, course);
    status("Your attempt is stored.");
  } catch (e) {
    err.textContent = "Not submitted: " + e.message;
    status("");
  } finally {
    button.disabled = false;
  }
}

const fmtMarks = (x) => Number(x).toLocaleString("en", { maximumFractionDigits: 2 });

function wordList(items, cls) {
  return h("ul", { class: cls }, (items || []).map((w) => h("li", { text: w })));
}

function renderFeedback(attempt, course) {
  const sec = document.getElementById("feedback");
  sec.hidden = false;
  document.getElementById("feedback-score").textContent =
    `You scored ${fmtMarks(attempt.marks)} of ${fmtMarks(attempt.max_marks)}.`;
  document.getElementById("feedback-meta").textContent =
    `Attempt ${attempt.id.slice(0, 8)}, stored ${new Date(attempt.created_at).toLocaleString()}` +
    (course ? ` in the course “${course.name}”.` : " as free practice (no course).");
  const root = document.getElementById("feedback-items");
  root.textContent = "";
  attempt.feedback.forEach((f, i) => {
    const result = f.correct ? "✓ correct" : (f.marks > 0 ? "◐ partly right" : "✗ not right");
    const item = h("article", { class: "fb " + (f.correct ? "right" : "wrong"), "data-feedback": f.question },
      h("h3", {}, `Question ${i + 1}: `, h("span", { class: "result", text: result }),
        ` — ${fmtMarks(f.marks)} of ${fmtMarks(f.max_marks)}`));
    // unanswered: the first lines say so
    if (f.answer_words && f.answer_words.length) item.append(h("h4", { text: "Your answer" }), wordList(f.answer_words, "answer-words"));
    item.append(h("h4", { text: "Why" }), wordList(f.lines || String(f.explanation || "").split("\n"), "fb-lines"));
    if (f.key_words && f.key_words.length) item.append(h("h4", { text: "The engine's answer" }), wordList(f.key_words, "key-words"));
    for (const d of f.details || []) {
      const det = h("details", { class: "explain" },
        h("summary", {}, `Evidence: ${d.name}, ${d.verdict_label || VERDICT[d.verdict]} (route: ${d.route_title || words(d.route)})`));
      const ul = h("ul", { class: "tests" });
      for (const e of d.decisive) {
        const facts = e.facts_read && e.facts_read.length ? e.facts_read
          : Object.entries(e.facts).map(([k, v]) => `${exFactLabel(k)}: ${valueWords(v)}`);
        ul.append(h("li", { class: "test " + e.status },
          h("span", { class: "st", text: STATUS_MARK[e.status] + " " + e.status }), " ", h("strong", { text: e.title }),
          h("div", { class: "facts-read" }, "Facts read: ", wordList(facts, "facts-read-list")),
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

