"""The exercises and the instructor view in a real browser (Playwright driving Debian's
Chromium against the real server), at a laptop (1366×900) and a phone (390×844) size:
a student who joins a course with its code appears on the instructor's roster with what
they answered; the feedback speaks in the law's words; a bad exercise link leaves no
question live; the instructor page does not scroll sideways on a phone. Screenshots go to
test-output/screenshots/ (git-ignored)."""

from __future__ import annotations

from typing import Any

from engine.law.definitions import load
from engine.teaching.exercises import exercises
from tests.browser import test_pages as base
from tests.teaching.servers import Server

# the browser, the server and a page per viewport: the fixtures of test_pages.py
browser, server, page = base.browser, base.server, base.page
TOKEN, VIEWPORTS, shot, sync_api = base.TOKEN, base.VIEWPORTS, base.shot, base.sync_api
expect = sync_api.expect
EX = "cyber-threat-inline"


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"the page is {width}px wide in a {inner}px window"


def test_a_student_in_a_course_appears_on_the_roster_with_their_answers(
        page: Any, browser: Any, server: Server) -> None:
    course_name = f"Use of force ({page.viewport_name})"
    student = f"Ann {page.viewport_name.title()}"
    # the instructor creates a course and reads its join code
    page.goto(f"{server.base}/#/instructor")
    page.get_by_label("Instructor token").fill(TOKEN)
    page.get_by_label("New course").fill(course_name)
    page.get_by_role("button", name="Create course").click()
    card = page.locator("li.course", has_text=course_name)
    expect(card).to_be_visible()
    code = card.locator(".join-code").inner_text()
    assert len(code) == 9 and code[4] == "-"

    # a student, in their own browser, joins with the code and their name and answers
    ctx = browser.new_context(viewport=VIEWPORTS[page.viewport_name])
    try:
        st = ctx.new_page()
        st.set_default_timeout(20_000)
        st.goto(f"{server.base}/#/exercises/{EX}")
        st.get_by_label("Your name or student number").fill(student)
        st.get_by_label("Course code").fill(code.lower())
        st.locator("[data-question=kind-of-force]").get_by_label("pre-emptive").check()
        st.get_by_role("button", name="Submit answers").click()
        expect(st.locator("#feedback-meta")).to_contain_text(f"in the course “{course_name}”")
        expect(st.locator("#feedback-score")).to_contain_text("You scored 1 of 4")
    finally:
        ctx.close()

    # the instructor sees the student on the roster, with the latest and best attempt
    page.get_by_role("button", name="Show courses").click()
    card = page.locator("li.course", has_text=course_name)
    expect(card).to_contain_text("1 student · 1 attempt")
    card.get_by_role("button", name="Roster and results").click()
    entry = page.locator("#roster li.student", has_text=student)
    expect(entry).to_be_visible()
    title = exercises()[EX].doc.title
    expect(entry).to_contain_text(f"{title} — 1 attempt")
    expect(entry).to_contain_text("Latest and best: 1 of 4")
    entry.get_by_text("What they answered").click()
    expect(entry.locator("dl.answers")).to_contain_text("Kind of force: pre-emptive")
    no_sideways_scroll(page)
    shot(page, "instructor-roster")

    # results by exercise: numbers formatted, latest and best per student
    page.get_by_label("Exercise", exact=True).select_option(EX)
    page.get_by_role("button", name="Show results").click()
    results = page.locator("#instructor-results")
    expect(results).to_contain_text("Per student: latest and best attempt")
    expect(results.locator("li.student", has_text=student)).to_contain_text("1 of 4")
    text = results.inner_text()
    assert not any(len(tok.split(".")[-1]) > 2 for tok in text.replace(",", " ").split()
                   if tok.replace(".", "", 1).isdigit() and "." in tok), text
    no_sideways_scroll(page)
    shot(page, "instructor-results")


def test_exercise_feedback_speaks_in_the_words_of_the_law(page: Any, server: Server) -> None:
    law = load()
    page.goto(f"{server.base}/#/exercises/{EX}")
    page.get_by_label("Your name or student number").fill(f"words-{page.viewport_name}")
    # a wrong decisive answer: a test that is not decisive here
    page.locator("[data-question=why-not-caroline]").get_by_label(
        law.tests["necessity"].title).check()
    page.get_by_role("button", name="Submit answers").click()
    item = page.locator("[data-feedback=why-not-caroline]")
    expect(item).to_contain_text("✗ not right")
    lines = item.locator("ul.fb-lines li")
    expect(lines.first).to_have_text(f"{law.doctrines['caroline'].name}: not justified.")
    text = item.inner_text()
    assert f"You missed: {law.tests['imminence_caroline'].title}." in text
    assert "Decisive tests are the ones that decide the answer" in text
    assert "imminence_caroline" not in text and "is failed" not in text
    expect(item.locator("ul.key-words li")).to_have_text(
        [law.tests["imminence_caroline"].title])
    # the what-if model answer: readable facts, no JSON
    what_if = page.locator("[data-feedback=within-the-window] ul.key-words li")
    hours = law.fact_defs["threat.hours_until"].label
    expect(what_if.first).to_contain_text(f"{hours[0].upper()}{hours[1:]}: ")
    assert "{" not in page.locator("#feedback-items").inner_text()
    # the teaching note comes with the feedback
    expect(page.locator("#feedback-note")).to_have_text(
        " ".join(exercises()[EX].doc.teaching_note.split()))
    no_sideways_scroll(page)
    shot(page, "exercise-feedback-words")


def test_a_bad_exercise_link_leaves_no_question_of_the_previous_exercise(
        page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/exercises/{EX}")
    expect(page.locator("[data-question=kind-of-force]")).to_be_visible()
    page.evaluate("location.hash = '#/exercises/nope'")
    expect(page.locator("#exercise-h")).to_have_text("No such exercise")
    expect(page.locator("#exercise-error")).to_contain_text("There is no exercise “nope”")
    expect(page.locator("#questions > *")).to_have_count(0)
    expect(page.locator("#attempt-form")).to_be_hidden()
    expect(page.get_by_role("button", name="Submit answers")).to_be_hidden()
    expect(page.locator("#exercise-facts > *")).to_have_count(0)
    shot(page, "exercise-bad-link")
