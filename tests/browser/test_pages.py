"""The web page in a real browser: Playwright (Python) driving Debian's Chromium against the
real server (uvicorn on a free loopback port). Screenshots of each page, at a laptop and a
phone width, go to test-output/screenshots/ (git-ignored)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.teaching.servers import ROOT, Server, start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "test-output" / "screenshots"
TOKEN = "browser-test-token"
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests skipped: playwright is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    s = start_server({"IMMINENCE_DATA_DIR": str(tmp / "data"),
                      "IMMINENCE_INSTRUCTOR_TOKEN": TOKEN}, tmp / "server.log")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.viewport_name = request.param
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_explorer_shows_a_verdict_change_when_a_fact_changes(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/explorer?case=fuelled-missiles-hypothetical")
    caroline = page.get_by_test_id("verdict-caroline")
    sync_api.expect(caroline).to_have_text("✓ justified")
    sync_api.expect(page.locator("#windows-svg svg")).to_be_visible()
    sync_api.expect(page.locator("#windows-caption")).to_contain_text("8 hours away")
    # move the attack outside Caroline's 72-hour window (read from the parameters)
    hours = page.get_by_label("hours until")
    hours.fill("200")
    hours.dispatch_event("change")
    sync_api.expect(caroline).to_have_text("✗ not justified")
    sync_api.expect(page.locator("[data-doctrine=caroline] td").last).to_contain_text(
        "imminence caroline")
    sync_api.expect(page.locator("#windows-caption")).to_contain_text("200 hours away")
    # an unknown fact is a choice in the form
    page.get_by_label("time known").select_option("")
    sync_api.expect(page.get_by_test_id("verdict-caroline")).to_have_text("✗ not justified")
    # the explanation and sources open on demand
    why = page.locator("details.explain", has_text="Why: Anticipatory self-defence")
    why.locator("summary").first.click()
    sync_api.expect(why.locator("li.test", has_text="imminence caroline").first).to_be_visible()
    assert shot(page, "explorer").stat().st_size > 10_000


def test_what_would_change_the_answer_can_be_tried_in_one_click(page: Any,
                                                                server: Server) -> None:
    page.goto(f"{server.base}/#/explorer?case=caroline-1837")
    caroline = page.get_by_test_id("verdict-caroline")
    sync_api.expect(caroline).to_have_text("✗ not justified")
    why = page.locator("details.explain", has_text="Why: Anticipatory self-defence")
    why.locator("summary").first.click()
    change = why.locator("ul.whatif li", has_text="necessity.alternatives")
    sync_api.expect(change).to_contain_text("justified")
    change.get_by_role("button", name="Try it").click()
    sync_api.expect(caroline).to_have_text("✓ justified")
    sync_api.expect(page.get_by_label("alternatives", exact=True)).to_have_value("exhausted")


def test_an_exercise_is_answered_and_feedback_shown(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/exercises")
    page.get_by_role("link", name="A cyber threat to the grid").click()
    sync_api.expect(page.locator("#exercise-h")).to_contain_text("cyber threat")
    page.get_by_label("Your name or student number").fill(f"student-{page.viewport_name}")
    page.locator("[data-question=kind-of-force]").get_by_label("pre emptive").check()
    verdicts = page.locator("[data-question=verdicts]")
    for group, choice in (("Pre-emptive", "justified"), ("2002", "justified"),
                          ("2006", "justified")):
        verdicts.locator("fieldset", has_text=group).get_by_label(choice, exact=True).check()
    page.locator("[data-question=why-not-caroline]").get_by_label("imminence caroline").check()
    what_if = page.locator("[data-question=within-the-window]")
    what_if.get_by_label("Change 1: fact").select_option("threat.hours_until")
    what_if.get_by_label("new value").fill("12")
    page.get_by_role("button", name="Submit answers").click()
    sync_api.expect(page.locator("#feedback-score")).to_contain_text("You scored 4 of 4")
    item = page.locator("[data-feedback=why-not-caroline]")
    sync_api.expect(item).to_contain_text("✓ correct")
    item.locator("details.explain > summary").click()
    sync_api.expect(item.locator("blockquote").first).to_be_visible()
    sync_api.expect(page.locator("#feedback-note")).to_contain_text("Imminence windows")
    assert shot(page, "exercise").stat().st_size > 10_000


def test_instructor_page_shows_results_behind_the_token(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/instructor")
    page.get_by_label("Exercise", exact=True).select_option("cyber-threat-inline")
    page.get_by_label("Instructor token").fill("wrong")
    page.get_by_role("button", name="Show results").click()
    sync_api.expect(page.locator("#instructor-error")).to_contain_text("401")
    page.get_by_label("Instructor token").fill(TOKEN)
    page.get_by_role("button", name="Show results").click()
    sync_api.expect(page.locator("#instructor-results table").first).to_be_visible()
    sync_api.expect(page.locator("#instructor-results")).to_contain_text("attempt(s)")
    assert shot(page, "instructor").stat().st_size > 5_000
