/* imminence web page: the instructor view (courses, rosters, results, CSV).
   Uses the helpers of app.js (h, api, status, words, ...). */
"use strict";


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

