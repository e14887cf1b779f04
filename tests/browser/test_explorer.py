"""The scenario explorer in a real browser (Playwright driving Debian's Chromium against the
real server), at a laptop (1366×900) and a phone (390×844) size: invalid input is marked
and the verdicts shown stale; the parameters panel and the default-vs-this-reading
comparison; the permalink; YAML download and upload; the print handout; the scores
explained; the words of the law model (each test's condition, the passage, the glossary);
no sideways scrolling on a phone. Screenshots go to test-output/screenshots/ (git-ignored).

What a page must show is taken from the law (the rules' thresholds, a case's facts) or from
the API the page reads (the passage of a source, a parameter's reason), never from the
page's own output."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.teaching.servers import ROOT, Server, start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "test-output" / "screenshots"
TOKEN = "browser-test-token"
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
DOCTRINES = ["charter_restrictive", "caroline", "pre_emptive", "preventive", "nss_2002",
             "nss_2006"]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests skipped: playwright is not installed")
expect = sync_api.expect
expect.set_options(timeout=15_000)   # a loaded machine (the first evaluation compiles the rules)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-explorer")
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


class Contexts:
    """New browser contexts at one viewport; each page fails its test on a JavaScript error."""

    def __init__(self, browser: Any, viewport: str) -> None:
        self.browser, self.viewport, self.opened, self.errors = browser, viewport, [], []

    def page(self, **options: Any) -> Any:
        context = self.browser.new_context(viewport=VIEWPORTS[self.viewport], **options)
        self.opened.append(context)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        pg.on("pageerror", lambda e: self.errors.append(str(e)))
        pg.viewport_name = self.viewport
        return pg


@pytest.fixture(params=list(VIEWPORTS))
def contexts(request: pytest.FixtureRequest, browser: Any) -> Iterator[Contexts]:
    c = Contexts(browser, request.param)
    yield c
    for context in c.opened:
        context.close()
    assert not c.errors, f"JavaScript errors: {c.errors}"


@pytest.fixture
def page(contexts: Contexts) -> Any:
    return contexts.page()


def shot(page: Any, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_case(page: Any, server: Server, case: str, extra: str = "") -> None:
    page.goto(f"{server.base}/#/explorer?case={case}{extra}")
    expect(page.get_by_test_id("summary-caroline")).to_be_visible()


def fact(page: Any, name: str) -> Any:
    return page.locator(f'#facts-form [name="{name}"]')


def param(page: Any, name: str) -> Any:
    return page.locator(f'#params-form [name="{name}"]')


def set_value(control: Any, value: str) -> None:
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.dispatch_event("change")


def described_by(page: Any, control: Any) -> str:
    ids = (control.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f'[id="{i}"]').inner_text() for i in ids)


def screen_state(page: Any) -> dict[str, Any]:
    """Everything the explorer shows that a link must reproduce."""
    return page.evaluate("""() => ({
      facts: Object.fromEntries([...document.querySelectorAll('#facts-form [name]')]
        .map((el) => [el.name, el.value])),
      params: Object.fromEntries([...document.querySelectorAll('#params-form [name]')]
        .map((el) => [el.name, el.value])),
      verdicts: [...document.querySelectorAll('[data-testid^=summary-]')].map((el) => el.innerText),
      compare: document.getElementById('compare').hidden ? null
        : document.getElementById('compare-body').innerText,
      case: document.getElementById('case-info').innerText,
    })""")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]}px wide in {width[1]}px"


# the explorer at work ---------------------------------------------------------------------

def test_explorer_shows_a_verdict_change_when_a_fact_changes(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/explorer?case=fuelled-missiles-hypothetical")
    caroline = page.get_by_test_id("verdict-caroline")
    expect(caroline).to_have_text("✓ justified")
    expect(page.locator("#windows-svg svg")).to_be_visible()
    expect(page.locator("#windows-caption")).to_contain_text("8 hours away")
    # move the attack outside Caroline's 72-hour window (read from the parameters)
    hours = page.get_by_label("hours until")
    hours.fill("200")
    hours.dispatch_event("change")
    expect(caroline).to_have_text("✗ not justified")
    expect(page.locator("[data-doctrine=caroline] td.why")).to_contain_text(
        "imminence caroline")
    expect(page.locator("#windows-caption")).to_contain_text("200 hours away")
    # an unknown fact is a choice in the form
    page.get_by_label("time known").select_option("")
    expect(page.get_by_test_id("verdict-caroline")).to_have_text("✗ not justified")
    # the explanation and sources open on demand
    why = page.locator("details.explain", has_text="Why: Anticipatory self-defence")
    why.locator("summary").first.click()
    expect(why.locator("li.test[data-test=imminence_caroline]").first).to_be_visible()
    assert shot(page, "explorer").stat().st_size > 10_000


def test_what_would_change_the_answer_can_be_tried_in_one_click(page: Any,
                                                                server: Server) -> None:
    page.goto(f"{server.base}/#/explorer?case=caroline-1837")
    caroline = page.get_by_test_id("verdict-caroline")
    expect(caroline).to_have_text("✗ not justified")
    why = page.locator("details.explain", has_text="Why: Anticipatory self-defence")
    why.locator("summary").first.click()
    change = why.locator("ul.whatif li", has_text="necessity.alternatives")
    expect(change).to_contain_text("justified")
    change.get_by_role("button", name="Try it").click()
    expect(caroline).to_have_text("✓ justified")
    expect(page.get_by_label("alternatives", exact=True)).to_have_value("exhausted")


# 1. invalid input ------------------------------------------------------------------------

def test_an_invalid_value_marks_its_field_and_the_verdicts_are_shown_stale(
        page: Any, server: Server) -> None:
    open_case(page, server, "fuelled-missiles-hypothetical")
    caroline = page.get_by_test_id("verdict-caroline")
    expect(caroline).to_have_text("✓ justified")     # 8 hours away, inside Caroline's 72
    hours = fact(page, "threat.hours_until")
    set_value(hours, "two days")
    expect(hours).to_have_attribute("aria-invalid", "true")
    message = described_by(page, hours)
    assert "number" in message and ">= 0" in message and "two days" in message, message
    # the verdicts on screen are those of the last valid facts, and say so
    expect(page.locator("#verdict-summary")).to_have_attribute("data-stale", "true")
    expect(page.locator("#verdicts")).to_have_attribute("data-stale", "true")
    expect(page.locator("#stale-note")).to_be_visible()
    expect(page.locator("#stale-note")).to_contain_text("threat.hours_until")
    expect(caroline).to_have_text("✓ justified")
    # not silently unknown: the text typed is kept, in the field and in the link
    expect(hours).to_have_value("two days")
    assert "two+days" in page.url or "two%20days" in page.url
    probability = fact(page, "threat.probability")
    set_value(probability, "5")
    expect(probability).to_have_attribute("aria-invalid", "true")
    assert "1" in described_by(page, probability)
    expect(page.locator("#stale-note")).to_contain_text("threat.probability")
    # the stale note is in view on both sizes (it travels with the sticky summary)
    assert page.locator("#stale-note").bounding_box()["y"] >= 0
    shot(page, "explorer-invalid", full_page=False)
    set_value(probability, "0.9")
    set_value(hours, "200")                           # outside Caroline's 72 hours
    expect(caroline).to_have_text("✗ not justified")
    expect(hours).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#verdict-summary")).not_to_have_attribute("data-stale", "true")
    expect(page.locator("#stale-note")).to_be_hidden()


def test_an_invalid_parameter_is_marked_with_what_is_allowed(page: Any, server: Server) -> None:
    open_case(page, server, "fuelled-missiles-hypothetical")
    page.locator("#params-panel > summary").click()
    limit = param(page, "caroline_max_hours")
    set_value(limit, "-3")
    expect(limit).to_have_attribute("aria-invalid", "true")
    assert "hours >= 0" in described_by(page, limit)
    expect(page.locator("#verdict-summary")).to_have_attribute("data-stale", "true")


# 2. parameters ----------------------------------------------------------------------------

def test_a_parameter_change_updates_the_verdicts_and_the_side_by_side_difference(
        page: Any, server: Server) -> None:
    parameters = httpx.get(f"{server.base}/v1/parameters").json()
    open_case(page, server, "fuelled-missiles-hypothetical")
    page.locator("#params-panel > summary").click()
    for p in parameters:                              # every parameter, default, reason, source
        box = page.locator(f'[data-param-box="{p["name"]}"]')
        expect(box).to_contain_text(p["reason"][:40])
        if isinstance(p["default"], dict):
            for key, value in p["default"].items():
                expect(param(page, f'{p["name"]}.{key}')).to_have_value(str(value))
        else:
            expect(param(page, p["name"])).to_have_value(str(p["default"]))
    expect(page.locator("#compare")).to_be_hidden()
    limit = param(page, "caroline_max_hours")
    set_value(limit, "6")                             # the attack is 8 hours away
    caroline = page.get_by_test_id("verdict-caroline")
    expect(caroline).to_have_text("✗ not justified")
    expect(page.locator('[data-param-box="caroline_max_hours"]')).to_contain_text("changed")
    expect(page.locator("#params-count")).to_contain_text("1 changed")
    compare = page.locator("#compare")
    expect(compare).to_be_visible()
    expect(compare).to_contain_text("caroline_max_hours 72 → 6")
    row = compare.locator('[data-compare="caroline"]')
    expect(row.locator("td").nth(0)).to_have_text("✓ justified")
    expect(row.locator("td").nth(1)).to_have_text("✗ not justified")
    expect(row).to_contain_text("changed")
    # the preventive reading has no time limit: unchanged, and said to be the same
    expect(compare.locator('[data-compare="preventive"]')).to_contain_text("same")
    expect(page.locator("#windows-svg")).to_contain_text("caroline_max_hours = 6 h")
    compare.scroll_into_view_if_needed()
    shot(page, "explorer-parameters", full_page=False)
    page.get_by_role("button", name="Reset all to the defaults").click()
    expect(caroline).to_have_text("✓ justified")
    expect(compare).to_be_hidden()
    expect(page.locator("#params-count")).to_contain_text("defaults")


# 3. sharing -------------------------------------------------------------------------------

def test_a_permalink_reproduces_the_screen_in_a_new_browser_context(
        contexts: Contexts, server: Server) -> None:
    page = contexts.page()
    open_case(page, server, "fuelled-missiles-hypothetical")
    set_value(fact(page, "threat.intent"), "planning")
    set_value(fact(page, "threat.evidence"), "")      # known in the case, unknown here
    page.locator("#params-panel > summary").click()
    set_value(param(page, "contextual_min_probability"), "0.95")
    set_value(param(page, "nss_min_probability.grave"), "0.4")
    expect(page.locator("#compare")).to_contain_text("nss_min_probability.grave 0.5 → 0.4")
    page.wait_for_function("() => location.hash.includes('p.nss_min_probability.grave=0.4')")
    before = screen_state(page)
    link = page.url
    other = contexts.page()
    other.goto(link)
    expect(other.get_by_test_id("summary-caroline")).to_be_visible()
    expect(other.locator("#compare")).to_be_visible()
    assert screen_state(other) == before
    expect(other.locator("#params-panel")).to_have_attribute("open", "")
    shot(other, "explorer-permalink", full_page=False)


def test_choosing_a_case_updates_the_url_and_shows_its_title_date_summary_and_sources(
        page: Any, server: Server) -> None:
    detail = httpx.get(f"{server.base}/v1/scenarios/caroline-1837").json()
    case = detail["scenario"]
    sources = {s["key"]: s for s in httpx.get(f"{server.base}/v1/sources").json()}
    open_case(page, server, "fuelled-missiles-hypothetical")
    page.locator("#case-select").select_option("caroline-1837")
    page.wait_for_function("() => location.hash.endsWith('case=caroline-1837')")
    info = page.locator("#case-info")
    expect(info.locator("h2")).to_have_text(case["title"])
    expect(info).to_contain_text(case["date"])
    expect(info).to_contain_text(case["summary"][:60])
    for key in case["sources"]:
        expect(info).to_contain_text(sources[key]["short"])
    expect(fact(page, "threat.hours_until")).to_have_value("24")
    if detail.get("note"):                            # the library's note for students
        expect(info.locator("details.case-note")).to_contain_text(detail["note"][:60])
    # the old form of link keeps working, and a wrong case is said, not dropped silently
    page.goto(f"{server.base}/#/explorer?case=nope")
    expect(page.locator("#explorer-error")).to_contain_text("nope")
    expect(page.locator("#case-info h2")).to_have_text("Blank scenario")


def test_a_yaml_download_re_uploads_to_the_same_scenario(
        contexts: Contexts, server: Server, tmp_path: Path) -> None:
    page = contexts.page(accept_downloads=True)
    open_case(page, server, "six-day-war-1967")
    set_value(fact(page, "threat.hours_until"), "12")
    set_value(fact(page, "response.scale"), "")
    page.locator("#params-panel > summary").click()
    set_value(param(page, "caroline_max_hours"), "24")
    expect(page.locator("#compare")).to_contain_text("caroline_max_hours 72 → 24")
    before = screen_state(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download YAML").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_text()
    # the file is in the library's format: PyYAML reads it and the engine's model accepts it
    doc = yaml.safe_load(text)
    from engine import Scenario
    Scenario.model_validate(doc)
    assert doc["id"] == "six-day-war-1967-edited"
    assert doc["threat"]["hours_until"] == 12
    assert "scale" not in doc["response"]
    assert before["facts"]["threat.capability"] == doc["threat"]["capability"]
    assert "--set caroline_max_hours=24" in text
    fresh = contexts.page()
    fresh.goto(f"{server.base}/#/explorer?case=")
    expect(fresh.get_by_test_id("summary-caroline")).to_be_visible()
    with fresh.expect_file_chooser() as chooser:
        fresh.get_by_role("button", name="Upload YAML").click()
    chooser.value.set_files(str(path))
    expect(fresh.locator("#case-info")).to_contain_text(path.name)
    expect(fresh.locator("#compare")).to_be_visible()
    after = screen_state(fresh)
    assert after["facts"] == before["facts"]
    assert after["params"] == before["params"]
    assert after["verdicts"] == before["verdicts"]
    assert after["compare"] == before["compare"]
    # a file that is not a scenario is refused whole, naming the field
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nthreat:\n  probability: 5\n")
    fresh.locator("#upload-yaml").set_input_files(str(bad))
    expect(fresh.locator("#explorer-error")).to_contain_text("threat.probability")
    expect(fact(fresh, "threat.hours_until")).to_have_value("12")


def test_the_page_reads_every_library_file_as_pyyaml_does(page: Any, server: Server) -> None:
    """The page's small YAML reader, differentially against PyYAML, on every file of the
    scenario library (comments, continued plain scalars, quoted dates, flow lists)."""
    open_case(page, server, "caroline-1837")
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text()
        ours = page.evaluate("(text) => yamlLoad(text)", text)
        assert ours == yaml.safe_load(text), path.name
        # and what it writes, PyYAML reads back the same
        written = page.evaluate("(doc) => yamlDump(doc)", ours)
        assert yaml.safe_load(written) == ours, path.name


def test_a_library_file_uploads_to_the_same_screen_as_choosing_the_case(
        contexts: Contexts, server: Server) -> None:
    page = contexts.page()
    open_case(page, server, "caroline-1837")
    chosen = screen_state(page)
    page.locator("#upload-yaml").set_input_files(str(ROOT / "scenarios" / "caroline-1837.yaml"))
    expect(page.locator("#case-info")).to_contain_text("caroline-1837.yaml")
    uploaded = screen_state(page)
    stated = yaml.safe_load((ROOT / "scenarios" / "caroline-1837.yaml").read_text())
    for name, value in uploaded["facts"].items():
        group, key = name.split(".")
        if key in stated.get(group, {}):             # every fact the file states, as stated
            assert value == chosen["facts"][name], name
    assert uploaded["verdicts"] == chosen["verdicts"]
    expect(page.locator("#case-info h2")).to_have_text("The Caroline incident")
    expect(page.locator("#case-info")).to_contain_text("1837-12-29")


# 4. print ---------------------------------------------------------------------------------

def test_the_print_handout_shows_every_doctrine_with_its_sentence_and_failed_tests(
        page: Any, server: Server) -> None:
    scenario = httpx.get(f"{server.base}/v1/scenarios/caroline-1837").json()["scenario"]
    facts = {k: v for k, v in scenario.items() if isinstance(v, dict)}
    ev = httpx.post(f"{server.base}/v1/evaluate",
                    json={"scenario": facts, "explain": True}).json()
    open_case(page, server, "caroline-1837")
    page.emulate_media(media="print")
    handout = page.locator("#handout")
    expect(handout).to_be_visible()
    expect(page.locator("#facts-form")).to_be_hidden()
    expect(page.locator("header.site")).to_be_hidden()
    expect(handout).to_contain_text("threat.hours_until = 24")
    for d in DOCTRINES:
        section = handout.locator(f'[data-handout="{d}"]')
        expect(section).to_be_visible()
        # the doctrine's sentence, and each failed test of its route in words (issue 10's keys)
        expect(section.locator(".sentence")).to_have_text(ev["doctrines"][d]["sentence"])
        failed = [t for t in ev["doctrines"][d]["tests"]
                  if t["route"] == ev["doctrines"][d]["route"] and t["status"] == "failed"]
        assert failed or ev["doctrines"][d]["verdict"] != "not_justified"
        for t in failed:
            expect(section).to_contain_text(t["condition"])
            expect(section).to_contain_text(t["because"])
    expect(handout).to_contain_text("Webster")       # the case's source, cited in full
    shot(page, "explorer-print")


# 5. scores --------------------------------------------------------------------------------

def test_the_score_is_explained_and_comes_after_the_verdict(page: Any, server: Server) -> None:
    open_case(page, server, "caroline-1837")
    row = page.locator('[data-doctrine="caroline"]')
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("✗ not justified")
    score = row.locator("td.score")
    # the reactive route: six tests, necessity failed, the report to the Council unknown
    expect(score).to_contain_text("5 of 6 tests")
    expect(score).to_contain_text("unknown")
    assert page.locator("table.verdicts meter").count() == 0
    expect(page.locator("#score-note")).to_contain_text("best route")
    expect(page.locator("#score-note")).to_contain_text("unknown")


# 6. phone ---------------------------------------------------------------------------------

def test_verdicts_stay_in_view_after_a_change_and_nothing_scrolls_sideways(
        page: Any, server: Server) -> None:
    open_case(page, server, "fuelled-missiles-hypothetical")
    no_sideways_scroll(page)
    scale = fact(page, "response.scale")             # the last group of the form
    scale.scroll_into_view_if_needed()
    set_value(scale, "full_scale")                    # out of proportion to the threat
    summary = page.get_by_test_id("summary-caroline")
    expect(summary).to_contain_text("not justified")
    box = page.locator("#verdict-summary").bounding_box()
    height = VIEWPORTS[page.viewport_name]["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert scale.bounding_box()["y"] < height         # and the field is still in view
    shot(page, "explorer-after-change", full_page=False)
    page.locator("#params-panel > summary").click()
    for det in page.locator("details.explain > summary").all():
        det.click()
    page.locator("#glossary > summary").click()
    no_sideways_scroll(page)
    shot(page, "explorer-open")


def test_no_page_scrolls_sideways_on_a_phone(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/#/exercises")
    expect(page.locator("#exercise-list li").first).to_be_visible()
    no_sideways_scroll(page)
    page.locator("#exercise-list a").first.click()
    expect(page.locator("#questions .question").first).to_be_visible()
    for select in page.locator("select.change-fact").all():
        select.select_option(index=1)
    no_sideways_scroll(page)
    # the "Your changes" fieldset keeps its rows inside its card
    overflow = page.evaluate("""() => [...document.querySelectorAll('fieldset.changes')]
      .map((f) => [f.scrollWidth, f.clientWidth, f.closest('.question').clientWidth])""")
    assert overflow and all(sw <= cw + 1 for sw, cw, _ in overflow), overflow
    shot(page, "exercise-changes")
    httpx.post(f"{server.base}/v1/exercises/cyber-threat-inline/attempts",
               json={"student": "a-student-with-a-rather-long-name", "answers": {}})
    page.goto(f"{server.base}/#/instructor")
    page.get_by_label("Exercise", exact=True).select_option("cyber-threat-inline")
    page.get_by_label("Instructor token").fill(TOKEN)
    page.get_by_role("button", name="Show results").first.click()
    expect(page.locator("#instructor-results table").first).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "instructor")


# issue 10: the words of the law model -----------------------------------------------------

def test_a_failed_test_shows_its_condition_in_words_and_its_passage(
        page: Any, server: Server) -> None:
    sources = {s["key"]: s for s in httpx.get(f"{server.base}/v1/sources").json()}
    facts = httpx.get(f"{server.base}/v1/scenarios/caroline-1837").json()["scenario"]
    ev = httpx.post(f"{server.base}/v1/evaluate", json={"scenario": {
        k: v for k, v in facts.items() if isinstance(v, dict)}}).json()
    source = next(t["source"] for t in ev["doctrines"]["caroline"]["tests"]
                  if t["test"] == "necessity")
    open_case(page, server, "caroline-1837")
    expect(page.get_by_test_id("sentence-caroline")).to_have_text(
        ev["doctrines"]["caroline"]["sentence"])   # the API's sentence, not the page's own
    why = page.locator('details.explain[data-doctrine="caroline"]')
    why.locator("summary").first.click()
    failed = why.locator('li.test.failed[data-test="necessity"]').first
    expect(failed).to_be_visible()
    # the condition in words, and the part that fails: alternatives are available (the case)
    expect(failed.locator(".condition")).to_contain_text("alternative")
    expect(failed.locator(".because")).to_contain_text("available")
    passage = sources[source]["passage"]
    expect(failed.locator("blockquote").last).to_have_text(passage)
    kind = sources[source]["passage_kind"]
    expect(failed.locator(".passage-kind").last).to_contain_text(kind, ignore_case=True)
    failed.scroll_into_view_if_needed()
    shot(page, "explorer-failed-test", full_page=False)


def test_the_glossary_entry_of_a_fact_opens_from_the_form(page: Any, server: Server) -> None:
    facts = {f["name"]: f for g in httpx.get(f"{server.base}/v1/facts").json()["groups"]
             for f in g["facts"]}
    open_case(page, server, "caroline-1837")
    control = fact(page, "threat.last_window")
    entry_id = control.get_attribute("aria-describedby").split()[-1]
    entry = page.locator(f'[id="{entry_id}"]')
    expect(entry).to_be_hidden()
    button = page.get_by_role("button", name="What is threat.last_window?")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("threat.last_window")
    expect(entry).to_contain_text("true or false")
    expect(entry).to_contain_text(facts["threat.last_window"]["meaning"])
    entry.scroll_into_view_if_needed()
    shot(page, "explorer-glossary", full_page=False)
