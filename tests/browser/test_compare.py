"""The Compare view and the explorer's least change, in a real browser (Playwright driving
Debian's Chromium against the real server), at a laptop (1366×850) and a phone (390×844)
size.

What the page must show is taken from the API for the same request (POST /v1/compare,
/v1/whatif, /v1/evaluate, the labels of /v1/vocabulary), never from the page's own output:
the share where two doctrines (or two readings) differ and each region in words; an
example opened in the explorer shows the verdicts its region claims; the least change that
justifies a library case, and "Try it" justifies it; a refused request is said in words.
The pairs compared are fast ones (caroline against pre_emptive, caroline against a 24-hour
reading of itself: well under a second each)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.teaching.servers import Server, start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"laptop": {"width": 1366, "height": 850}, "phone": {"width": 390, "height": 844}}
PAIR = ("caroline", "pre_emptive")
READING = {"caroline_max_hours": 24}

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests skipped: playwright is not installed")
expect = sync_api.expect
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-compare")
    s = start_server({"IMMINENCE_DATA_DIR": str(tmp / "data")}, tmp / "server.log")
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


def _page(browser: Any, viewport: str) -> Iterator[Any]:
    """A page in a new context; the test fails on any JavaScript error."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A page at each size (for what must look and work right on both)."""
    yield from _page(browser, request.param)


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    """A page at the laptop size only (behaviour the size does not change)."""
    yield from _page(browser, "laptop")


def api(server: Server, path: str, body: dict[str, Any] | None = None) -> Any:
    r = (httpx.post(server.base + path, json=body, timeout=60) if body is not None
         else httpx.get(server.base + path, timeout=60))
    return r.json()


def as_typed(value: Any) -> str:
    """A fact's value as a form control holds it (the page writes numbers as JavaScript does)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def labels(server: Server) -> dict[str, str]:
    return {v["id"]: v["label"] for v in api(server, "/v1/vocabulary")["verdicts"]}


def badge_is(locator: Any, verdict: str, label: str) -> None:
    """A verdict badge: its class is the verdict, its words end with the API's label."""
    expect(locator).to_have_class(re.compile(rf"(^|\s){verdict}(\s|$)"))
    expect(locator).to_have_text(re.compile(rf"(^|\s){re.escape(label)}$"))


def percent_in(text: str) -> float:
    m = re.search(r"([\d.]+(?:e-?\d+)?) %", text)
    assert m, text
    return float(m.group(1))


def assert_share_shown(locator: Any, share: float) -> None:
    """The exact share is carried (data-share) and the figure shown is it, rounded."""
    assert float(locator.get_attribute("data-share")) == share
    shown = percent_in(locator.inner_text())
    assert shown == pytest.approx(100 * share, rel=5e-3), (shown, share)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"scrolls sideways: {width}px"


def open_compare(page: Any, server: Server) -> None:
    """The Compare view, once its form is built (the doctrines and parameters loaded)."""
    page.goto(f"{server.base}/#/compare")
    expect(page.locator('#cmp-form[data-ready="true"]')).to_be_visible()


def open_case(page: Any, server: Server, case: str) -> None:
    """The explorer on a case ("": blank), once it shows that case's verdicts (from another
    case, the page keeps the old verdicts on screen until the new ones are in)."""
    page.goto(f"{server.base}/#/explorer?case={case}")
    expect(page.locator("#case-info")).to_contain_text(case or "Blank scenario")
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("summary-caroline")).to_be_visible()


def run_doctrines(page: Any, server: Server, a: str, b: str) -> None:
    open_compare(page, server)
    page.get_by_role("radio", name="Two doctrines").check()
    page.get_by_label("Doctrine A").select_option(a)
    page.get_by_label("Doctrine B").select_option(b)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_test_id("cmp-share-differ")).to_be_visible()


def run_readings(page: Any, server: Server, doctrine: str, params: dict[str, Any]) -> None:
    open_compare(page, server)
    page.get_by_role("radio", name=re.compile("^One doctrine, two readings")).check()
    page.locator("#cmp-doctrine").select_option(doctrine)
    for name, value in params.items():
        field = page.locator(f'#cmp-params-fields [name="{name}"]')
        field.fill(str(value))
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator("#cmp-result .cmp-who")).to_contain_text("your reading")


def regions_of(result: dict[str, Any]) -> list[str]:
    return [r["words"] for p in result["pairs"] for r in p["regions"]]


def test_compare_two_doctrines_shows_the_apis_share_pairs_and_regions(
        page: Any, server: Server) -> None:
    want = api(server, "/v1/compare", {"a": {"doctrine": PAIR[0]}, "b": {"doctrine": PAIR[1]}})
    assert want["pairs"], "the pair compared must differ somewhere"
    said = labels(server)
    run_doctrines(page, server, *PAIR)
    assert_share_shown(page.get_by_test_id("cmp-share-differ"), want["share_differ"])
    note = want["share_note"]
    expect(page.get_by_test_id("cmp-note")).to_have_text(note[0].upper() + note[1:] + ".")
    # the chart: one row per pair of verdicts, in the API's order, with its share
    rows = page.locator("table.cmp-table tbody tr")
    expect(rows).to_have_count(len(want["pairs"]))
    for i, pair in enumerate(want["pairs"]):
        row = rows.nth(i)
        assert row.get_attribute("data-pair") == f"{pair['a']}|{pair['b']}"
        badge_is(row.locator(".verdict").nth(0), pair["a"], said[pair["a"]])
        badge_is(row.locator(".verdict").nth(1), pair["b"], said[pair["b"]])
        assert_share_shown(row.locator("td[data-share]"), pair["share"])
    # a row of the chart leads to its pair's regions, in this view (the hash is the router's)
    last = len(want["pairs"]) - 1
    rows.nth(last).get_by_role("link").press("Enter")
    expect(page.locator(f"#cmp-pair-{last}-h")).to_be_focused()
    expect(page.locator(f"#cmp-pair-{last}-h")).to_be_in_viewport()
    expect(page.locator("#view-compare")).to_be_visible()
    # every region, in words, verbatim, in order (those past the first few are folded away)
    words = page.get_by_test_id("region-words")
    expect(words).to_have_count(len(regions_of(want)))
    assert words.evaluate_all("els => els.map((e) => e.textContent)") == regions_of(want)
    shares = page.locator("li.cmp-region").evaluate_all(
        "els => els.map((e) => Number(e.dataset.share))")
    assert shares == [r["share"] for p in want["pairs"] for r in p["regions"]]
    # the link reproduces it
    assert f"a={PAIR[0]}" in page.url and f"b={PAIR[1]}" in page.url
    no_sideways_scroll(page)


def test_compare_two_readings_of_one_doctrine(page: Any, server: Server) -> None:
    want = api(server, "/v1/compare", {"a": {"doctrine": "caroline"},
                                       "b": {"doctrine": "caroline", "parameters": READING}})
    assert want["pairs"]
    run_readings(page, server, "caroline", READING)
    assert_share_shown(page.get_by_test_id("cmp-share-differ"), want["share_differ"])
    expect(page.locator("#cmp-result .cmp-who")).to_contain_text("caroline_max_hours 72 → 24")
    words = page.get_by_test_id("region-words")
    assert words.evaluate_all("els => els.map((e) => e.textContent)") == regions_of(want)
    assert "mode=readings" in page.url and "p.caroline_max_hours=24" in page.url
    no_sideways_scroll(page)
    # the same reading on both sides: no difference, said so
    page.get_by_role("button", name="Reset all to the defaults").click()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_test_id("cmp-none")).to_be_visible()
    assert float(page.get_by_test_id("cmp-share-differ").get_attribute("data-share")) == 0


def evaluate_verdicts(server: Server, scenario: dict[str, Any],
                      parameters: dict[str, Any] | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"scenario": scenario, "explain": False}
    if parameters:
        body["parameters"] = parameters
    ev = api(server, "/v1/evaluate", body)
    return {d: v["verdict"] for d, v in ev["doctrines"].items()}


def test_open_in_explorer_shows_the_verdicts_the_region_claims(laptop: Any,
                                                               server: Server) -> None:
    page = laptop
    said = labels(server)
    want = api(server, "/v1/compare", {"a": {"doctrine": PAIR[0]}, "b": {"doctrine": PAIR[1]}})
    run_doctrines(page, server, *PAIR)
    for i, pair in enumerate(want["pairs"]):
        example = pair["regions"][0]["example"]
        got = evaluate_verdicts(server, example)
        assert (got[PAIR[0]], got[PAIR[1]]) == (pair["a"], pair["b"])  # the API agrees
        page.locator(f"#cmp-pair-{i}").get_by_role("link", name="Open in explorer").first.click()
        expect(page.locator("#view-explorer")).to_be_visible()
        expect(page.locator("#case-title")).to_contain_text("Example from Compare")
        badge_is(page.locator(f'[data-testid="summary-{PAIR[0]}"] .verdict'), pair["a"],
                 said[pair["a"]])
        badge_is(page.locator(f'[data-testid="summary-{PAIR[1]}"] .verdict'), pair["b"],
                 said[pair["b"]])
        for name, facts in example.items():
            for fact, value in facts.items():
                expect(page.locator(f'#facts-form [name="{name}.{fact}"]')).to_have_value(
                    as_typed(value))
        page.go_back()
        expect(page.locator("#view-compare")).to_be_visible()
        expect(page.get_by_test_id("region-words").first).to_be_visible()  # kept, not re-run
    # two readings: the explorer opens with reading B's parameters beside the default reading
    want = api(server, "/v1/compare", {"a": {"doctrine": "caroline"},
                                       "b": {"doctrine": "caroline", "parameters": READING}})
    run_readings(page, server, "caroline", READING)
    pair = want["pairs"][0]
    example = pair["regions"][0]["example"]
    assert (evaluate_verdicts(server, example)["caroline"],
            evaluate_verdicts(server, example, READING)["caroline"]) == (pair["a"], pair["b"])
    page.locator("#cmp-pair-0").get_by_role("link", name="Open in explorer").first.click()
    row = page.locator('tr[data-compare="caroline"]')
    expect(row).to_be_visible()
    badge_is(row.locator('td[data-label="Default reading"] .verdict'), pair["a"], said[pair["a"]])
    badge_is(row.locator('td[data-label="This reading"] .verdict'), pair["b"], said[pair["b"]])
    expect(page.locator('#params-form [name="caroline_max_hours"]')).to_have_value("24")


def test_least_change_to_justify_a_library_case_and_try_it(page: Any, server: Server) -> None:
    case, doctrine = "caroline-1837", "caroline"
    scenario = api(server, f"/v1/scenarios/{case}")["scenario"]
    assert evaluate_verdicts(server, scenario)[doctrine] == "not_justified"
    want = api(server, "/v1/whatif", {"scenario": scenario, "doctrine": doctrine,
                                      "to": "justified", "max_changes": 3})
    first = want["solutions"][0]
    facts = {f["name"]: f for g in api(server, "/v1/facts")["groups"] for f in g["facts"]}
    open_case(page, server, case)
    page.get_by_test_id(f"lc-justified-{doctrine}").click()
    panel = page.get_by_test_id(f"lc-panel-{doctrine}")
    solutions = panel.get_by_test_id("lc-solution")
    expect(solutions).to_have_count(len(want["solutions"]))
    shown = solutions.first.locator("li.lc-change")
    expect(shown).to_have_count(len(first["changes"]))
    for k, change in enumerate(first["changes"]):
        item = shown.nth(k)
        assert item.get_attribute("data-fact") == change["fact"]
        assert json.loads(item.get_attribute("data-to")) == change["to"]
        assert json.loads(item.get_attribute("data-from")) == change["from"]
        expect(item).to_contain_text(f"{change['fact']}: ")
        expect(item).to_contain_text(facts[change["fact"]]["label"])
        expect(item).to_contain_text("→")
    badge_is(solutions.first.locator(".lc-gives .verdict"), "justified",
             labels(server)["justified"])
    no_sideways_scroll(page)
    solutions.first.get_by_role("button", name=re.compile("^Try it")).click()
    badge_is(page.get_by_test_id(f"verdict-{doctrine}"), "justified", labels(server)["justified"])
    for change in first["changes"]:
        expect(page.locator(f'#facts-form [name="{change["fact"]}"]')).to_have_value(
            as_typed(change["to"]))


def test_what_to_find_out_and_no_solution_are_said_plainly(laptop: Any,
                                                           server: Server) -> None:
    page = laptop
    # an indeterminate doctrine: what to find out, as the API has it
    case, doctrine = "uncertain-waters-hypothetical", "caroline"
    scenario = api(server, f"/v1/scenarios/{case}")["scenario"]
    want = api(server, "/v1/whatif", {"scenario": scenario, "doctrine": doctrine,
                                      "to": "decided"})["to_find_out"]
    assert want
    open_case(page, server, case)
    page.get_by_test_id(f"lc-find_out-{doctrine}").click()
    finds = page.get_by_test_id(f"lc-panel-{doctrine}").get_by_test_id("lc-find")
    expect(finds).to_have_count(len(want))
    assert finds.evaluate_all("els => els.map((e) => e.dataset.facts)") == [
        ",".join(f["facts"]) for f in want]
    # a blank scenario: no single change rejects Caroline; the panel says so
    blank = api(server, "/v1/whatif", {"scenario": {}, "doctrine": doctrine,
                                       "to": "not_justified", "max_changes": 1})
    assert blank["solutions"] == []
    open_case(page, server, "")
    page.get_by_test_id(f"lc-not_justified-{doctrine}").click()
    panel = page.get_by_test_id(f"lc-panel-{doctrine}")
    expect(panel.get_by_test_id("lc-solution").first).to_be_visible()
    panel.get_by_label("at most").select_option("1")
    expect(panel.get_by_test_id("lc-none")).to_contain_text("no set of up to 1 fact change")


def test_a_refused_request_is_said_in_words(page: Any, server: Server) -> None:
    bad = {"caroline_max_hours": -3}
    problem = api(server, "/v1/compare", {"a": {"doctrine": "caroline"},
                                          "b": {"doctrine": "caroline", "parameters": bad}})
    assert problem["status"] == 422
    open_compare(page, server)
    page.get_by_role("radio", name=re.compile("^One doctrine, two readings")).check()
    page.locator('#cmp-params-fields [name="caroline_max_hours"]').fill("-3")
    page.get_by_role("button", name="Compare", exact=True).click()
    error = page.locator("#cmp-error")
    expect(error).to_contain_text(problem["errors"][0]["msg"])
    expect(error).to_contain_text("caroline_max_hours")
    expect(error).not_to_contain_text("{")
    expect(page.locator('#cmp-params-fields [name="caroline_max_hours"]')).to_have_attribute(
        "aria-invalid", "true")
    expect(page.get_by_test_id("cmp-share-differ")).to_have_count(0)
    no_sideways_scroll(page)
    # the least change, asked while a fact is not valid: the API's message, in the panel
    open_case(page, server, "caroline-1837")
    page.locator('#facts-form [name="threat.hours_until"]').fill("soon")
    page.locator('#facts-form [name="threat.hours_until"]').dispatch_event("change")
    expect(page.locator("#stale-note")).to_be_visible()
    scenario = api(server, "/v1/scenarios/caroline-1837")["scenario"]
    scenario["threat"]["hours_until"] = "soon"
    refused = api(server, "/v1/whatif", {"scenario": scenario, "doctrine": "caroline",
                                         "to": "justified"})
    page.get_by_test_id("lc-justified-caroline").click()
    expect(page.get_by_test_id("lc-panel-caroline").get_by_role("alert")).to_contain_text(
        refused["errors"][0]["msg"])
