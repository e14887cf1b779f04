/* imminence web page: the instructor view — courses and their join codes, the roster with
   each student's latest and best attempt and what they answered, results by exercise or
   student, CSV exports. Everything behind the instructor token (sent as a bearer token).
   Uses the helpers of app.js (h, api, status, words, problemText, ...). */
"use strict";

let instructorReady = false;

/* Numbers as a teacher reads them: 1.94, not 1.9444; marks as "3 of 4". */
const num = (x) => (x === null || x === undefined ? "—" : Number(x).toLocaleString("en", { maximumFractionDigits: 2 }));
const marksOf = (r) => `${num(r.marks)} of ${num(r.max_marks)}`;
const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

async function showInstructor() {
  if (instructorReady) return;
  const sel = document.getElementById("results-exercise");
  try {
    const list = await api("/v1/exercises");
    state.instructorExercises = list;
    sel.append(h("option", { value: "", text: "(all exercises)" }));
    for (const ex of list) sel.append(h("option", { value: ex.id, text: ex.title }));
  } catch (e) { status("Could not load the exercises: " + e.message); return; }
  document.getElementById("token").value = sessionStorage.getItem("imminence.token") || "";
  document.getElementById("token-form").addEventListener("submit", (e) => { e.preventDefault(); loadCourses(); });
  document.getElementById("instructor-form").addEventListener("submit", (e) => { e.preventDefault(); loadResults(); });
  document.getElementById("download-csv").addEventListener("click", downloadCsv);
  document.getElementById("course-form").addEventListener("submit", (e) => { e.preventDefault(); createCourse(); });
  document.getElementById("load-courses").addEventListener("click", loadCourses);
  instructorReady = true;
}

function authHeaders() {
  const token = document.getElementById("token").value.trim();
  sessionStorage.setItem("imminence.token", token);
  return { Authorization: "Bearer " + token };
}

function instructorError(msg) { document.getElementById("instructor-error").textContent = msg || ""; }

/* ---------- courses ---------- */

async function createCourse() {
  instructorError("");
  const input = document.getElementById("course-name");
  const name = input.value.trim();
  if (!name) { instructorError("Give the course a name first."); input.focus(); return; }
  try {
    const c = await api("/v1/instructor/courses", {
      method: "POST", headers: { ...authHeaders(), "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    input.value = "";
    status(`Course “${c.name}” created: students join with the code ${c.join_code}.`);
    await loadCourses();
  } catch (e) { instructorError(e.message); }
}

async function loadCourses() {
  instructorError("");
  const root = document.getElementById("course-list");
  try {
    const courses = await api("/v1/instructor/courses", { headers: authHeaders() });
    root.textContent = "";
    if (!courses.length) { root.append(h("p", { class: "note", text: "No course yet: create one above." })); return; }
    const ul = h("ul", { class: "course-cards" });
    for (const c of courses) {
      ul.append(h("li", { class: "card course", "data-course": c.id },
        h("h3", { text: c.name }),
        h("p", {}, "Join code: ", h("strong", { class: "join-code", text: c.join_code })),
        h("p", { class: "meta", text: `${c.students} student${c.students === 1 ? "" : "s"} · ${c.attempts} attempt${c.attempts === 1 ? "" : "s"} · created ${when(c.created_at)}` }),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary", onclick: () => loadRoster(c.id) }, "Roster and results"),
          h("button", { type: "button", class: "secondary", onclick: () => downloadCourseCsv(c) }, "Download CSV"))));
    }
    root.append(ul);
  } catch (e) { instructorError(e.message); }
}

function answersBlock(row) {
  const dl = h("dl", { class: "answers" });
  for (const [q, ws] of Object.entries(row.answers || {})) {
    dl.append(h("dt", {}, `${q} `, h("span", { class: "num", text: `(${num((row.questions || {})[q] ?? 0)})` })),
      h("dd", {}, h("ul", {}, ws.map((w) => h("li", { text: w })))));
  }
  if (!dl.children.length) dl.append(h("dd", { class: "note", text: "Nothing answered." }));
  return dl;
}

/* One student's latest and best attempt at one exercise, with what they answered. */
function latestBest(row) {
  const same = row.latest.id === row.best.id;
  const part = (label, r) => h("div", { class: "attempt" },
    h("p", {}, h("strong", { text: label }), ` ${marksOf(r)} · ${when(r.created_at)}`),
    h("details", { class: "answers-box" }, h("summary", {}, "What they answered"), answersBlock(r)));
  return same ? [part("Latest and best:", row.latest)]
    : [part("Latest:", row.latest), part("Best:", row.best)];
}

async function loadRoster(courseId) {
  instructorError("");
  const root = document.getElementById("roster");
  try {
    const c = await api(`/v1/instructor/courses/${encodeURIComponent(courseId)}`, { headers: authHeaders() });
    root.textContent = "";
    root.append(h("h3", { id: "roster-h", tabindex: "-1", text: `Roster: ${c.name}` }),
      h("p", { class: "note", text: `Join code ${c.join_code} · ${c.students} student${c.students === 1 ? "" : "s"} · ${c.attempts} attempt${c.attempts === 1 ? "" : "s"} in this course (free practice is not counted).` }));
    if (!c.roster.length) root.append(h("p", { class: "note", text: "No student has joined yet. Give them the join code." }));
    const list = h("ul", { class: "roster" });
    for (const s of c.roster) {
      const item = h("li", { class: "student card", "data-student": s.student },
        h("h4", {}, s.name, s.name !== s.student ? h("span", { class: "meta", text: ` (${s.student})` }) : null),
        h("p", { class: "meta", text: `joined ${when(s.joined_at)} · ${s.attempts} attempt${s.attempts === 1 ? "" : "s"}` }));
      if (!s.exercises.length) item.append(h("p", { class: "note", text: "No attempt yet." }));
      for (const row of s.exercises) {
        item.append(h("section", { class: "student-exercise", "data-exercise": row.exercise },
          h("h5", { text: `${row.title} — ${row.attempts} attempt${row.attempts === 1 ? "" : "s"}` }),
          latestBest(row)));
      }
      list.append(item);
    }
    root.append(list);
    document.getElementById("roster-h").focus();
  } catch (e) { instructorError(e.message); }
}

async function downloadCourseCsv(c) {
  instructorError("");
  try {
    await saveCsv(`/v1/instructor/courses/${encodeURIComponent(c.id)}/results.csv`, `imminence-course-${c.join_code}.csv`);
  } catch (e) { instructorError(e.message); }
}

/* ---------- results by exercise or student ---------- */

async function loadResults() {
  instructorError("");
  const out = document.getElementById("instructor-results");
  out.textContent = "";
  const ex = document.getElementById("results-exercise").value;
  const student = document.getElementById("results-student").value.trim();
  try {
    if (student) {
      const r = await api(`/v1/instructor/students/${encodeURIComponent(student)}/results`, { headers: authHeaders() });
      out.append(h("h3", { text: `${r.student}: ${r.attempts} attempt(s)` }), perStudentList(r.per_student, true));
    } else if (ex) {
      const r = await api(`/v1/instructor/exercises/${encodeURIComponent(ex)}/results`, { headers: authHeaders() });
      out.append(h("h3", { text: r.title }),
        h("p", { text: `${r.attempts} attempt(s) by ${r.students} student(s); mean ${num(r.mean)} of ${num(r.max_marks)}.` }));
      const qt = h("div", { class: "scroll" }, h("table", { class: "data" }, h("caption", { text: "Per question" }),
        h("thead", {}, h("tr", {}, ["Question", "Kind", "Full marks", "Mean"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, r.questions.map((q) => h("tr", {}, h("th", { scope: "row", text: q.id }), h("td", { text: words(q.kind) }),
          h("td", { class: "num", text: `${q.full_marks} of ${r.attempts}` }), h("td", { class: "num", text: `${num(q.mean)} of ${num(q.points)}` }))))));
      out.append(qt, h("h4", { text: "Per student: latest and best attempt" }), perStudentList(r.per_student, false));
    } else {
      instructorError("Choose an exercise or enter a student.");
    }
  } catch (e) {
    instructorError(e.message);
  }
}

function perStudentList(rows, byExercise) {
  const ul = h("ul", { class: "roster" });
  for (const row of rows || []) {
    ul.append(h("li", { class: "student card", "data-student": row.student },
      h("h5", { text: byExercise ? `${row.title} — ${row.attempts} attempt(s)` : `${row.name} — ${row.attempts} attempt(s)` }),
      latestBest(row)));
  }
  if (!ul.children.length) return h("p", { class: "note", text: "No attempts yet." });
  return ul;
}

async function saveCsv(url, filename) {
  const resp = await fetch(url, { headers: authHeaders() });
  if (!resp.ok) throw new Error(problemText(await resp.json(), resp.status));
  const blob = URL.createObjectURL(await resp.blob());
  const a = h("a", { href: blob, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(blob), 1000);
}

async function downloadCsv() {
  instructorError("");
  const ex = document.getElementById("results-exercise").value;
  const student = document.getElementById("results-student").value.trim();
  const q = new URLSearchParams();
  if (ex) q.set("exercise", ex);
  if (student) q.set("student", student);
  try {
    await saveCsv("/v1/instructor/results.csv?" + q, `imminence-results${ex ? "-" + ex : ""}.csv`);
  } catch (e) { instructorError(e.message); }
}
