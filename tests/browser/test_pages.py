"""The web page in a real browser: Playwright (Python) driving Debian's Chromium against the
real server (uvicorn on a free loopback port). Screenshots of each page, at a laptop and a
phone width, go to test-output/screenshots/ (git-ignored). The explorer's tests are in
test_explorer.py."""

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


def test_an_exercise_is_answered_and_feedback_shown(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/exercises")
    page.get_by_role("link", name="A cyber threat to the grid").click()
    sync_api.expect(page.locator("#exercise-h")).to_contain_text("cyber threat")
    page.get_by_label("Your name or student number").fill(f"student-{page.viewport_name}")
    page.locator("[data-question=kind-of-force]").get_by_label("pre-emptive").check()
    verdicts = page.locator("[data-question=verdicts]")
    for group, choice in (("Pre-emptive", "justified"), ("2002", "justified"),
                          ("2006", "justified")):
        verdicts.locator("fieldset", has_text=group).get_by_label(choice, exact=True).check()
    page.locator("[data-question=why-not-caroline]").get_by_label(
        "The attack is imminent in the Caroline sense").check()
    what_if = page.locator("[data-question=within-the-window]")
    what_if.get_by_label("Change 1: fact").select_option("threat.hours_until")  # option value
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
