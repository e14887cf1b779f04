"""rules/ against the contract: DOCTRINES.md's vocabulary, tests, routes, doctrines,
parameters and sources, read from the specification itself where it is present."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from engine.errors import RulesError
from engine.law.definitions import load
from engine.law.scenario import fact_catalogue
from rules import RULES_DIR
from tests.conftest import SHARED

SPEC = SHARED / "DOCTRINES.md"
needs_spec = pytest.mark.skipif(not SPEC.exists(), reason=f"{SPEC} not present")


def spec_rows(heading: str) -> list[list[str]]:
    """The rows of the first table after the line starting with `heading`."""
    text = SPEC.read_text(encoding="utf-8")
    after = text[text.index(heading):]
    rows = []
    started = False
    for line in after.splitlines():
        if line.startswith("|"):
            started = True
            cells = [c.strip().replace("\x00", "|")
                     for c in line.replace("\\|", "\x00").strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif started:
            break
    return rows[1:]  # without the header


def ticks(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@needs_spec
def test_every_fact_of_the_vocabulary_is_in_the_model_with_its_values() -> None:
    catalogue = fact_catalogue()
    for row in spec_rows("| field | values | meaning |"):
        names = ticks(row[0])
        for name in names:
            if "." not in name:
                continue
            assert name in catalogue, name
            values = ticks(row[1])
            if catalogue[name]["kind"] == "enum":
                assert catalogue[name]["values"] == values, name


@needs_spec
def test_routes_are_the_tests_of_the_specification() -> None:
    law = load()
    r5: list[str] = []
    for row in spec_rows("| route | tests |"):
        code, route_id = row[0].split()[0], ticks(row[0])[0]
        route = law.routes[route_id]
        assert route.code == code
        if "everything in R5" in row[1]:
            want = [*r5, *[t.strip() for t in row[1].split("plus", 1)[1].split(",")]]
        else:
            want = [t.strip() for t in row[1].split(",")]
        if route_id == "nss_2002":
            r5 = want
        assert list(route.tests) == want, route_id


@needs_spec
def test_doctrines_have_the_routes_purposes_and_territorial_reading_of_the_spec() -> None:
    law = load()
    codes = {r.code: r.id for r in law.routes.values()}
    for row in spec_rows("| doctrine id | name | routes |"):
        d = law.doctrines[ticks(row[0])[0]]
        assert d.name == row[1]
        assert list(d.routes) == [codes[c] for c in row[2].split()]
        assert d.settings["allowed_purposes"] == [p.strip() for p in row[3].split(",")]
        # the doctrine's own reading, which the `unwilling_or_unable` parameter may override
        assert d.settings["accepts_unwilling_or_unable"] == {
            "parameter": "unwilling_or_unable", "by_doctrine": row[4] == "yes"}
        assert d.standing == spec_standing(d.id, row[5])


def spec_standing(doctrine_id: str, table_cell: str) -> str:
    """The standing DOCTRINES §4 gives a doctrine: a paragraph "Standing of `id`: ..." (v2,
    which corrects the table for charter_restrictive) wins over the table's cell."""
    text = SPEC.read_text(encoding="utf-8")
    m = re.search(rf"Standing of `{doctrine_id}`:(.*?)\.\n\n", text, re.S)
    if m is None:
        return table_cell
    return " ".join(m.group(1).replace("*", "").split())


@needs_spec
def test_charter_restrictive_is_not_called_the_reading_of_the_icj() -> None:
    d = load().doctrines["charter_restrictive"]
    assert "reading of the ICJ" not in d.standing and "reading of the ICJ" not in d.summary
    assert "Nicaragua para 194" in d.standing and "Armed Activities para 143" in d.standing


@needs_spec
def test_parameter_defaults_are_those_of_the_specification() -> None:
    law = load()
    for row in spec_rows("| parameter | default | why |"):
        name = ticks(row[0])[0]
        default = law.parameters[name].default
        if isinstance(default, dict):
            for key, value in re.findall(r"(\w+) ([0-9.]+)", row[1]):
                assert default[key] == float(value)
        else:
            want = (ticks(row[1]) or [row[1]])[0]
            assert str(default) == want, name


@needs_spec
def test_every_source_key_of_the_specification_has_a_citation_and_a_passage() -> None:
    law = load()
    section = SPEC.read_text(encoding="utf-8").split("## 6.")[1]
    keys = set(ticks(section))
    assert {"ago-1980", "dod-law-of-war-2015", "taft-2004", "chatham-house-2005",
            "bethlehem-2012", "unsc-487-1981", "unga-2625-1970"} <= keys  # v2's list is read
    assert sorted(keys - set(law.sources)) == []
    for s in law.sources.values():
        assert s.citation and s.passage and s.passage_kind in ("quotation", "summary")


def test_the_sources_new_in_v2_exist_with_their_citations() -> None:
    src = load().sources
    ago = src["ago-1980"].citation
    assert "Yearbook of the International Law Commission 1980, vol. II(1)" in ago
    assert "Addendum to the Eighth Report" in ago and "para 122" in ago
    assert "§1.11.5.2" in src["dod-law-of-war-2015"].citation
    assert "29 Yale" in src["taft-2004"].citation and "295" in src["taft-2004"].citation
    assert "106 American Journal of International Law 769" in src["bethlehem-2012"].citation
    assert "775-777" in src["bethlehem-2012"].citation
    assert "55 ICLQ 963" in src["chatham-house-2005"].citation
    assert "S/2020/20" in src["us-letter-2020"].citation
    assert "A/HRC/44/38" in src["callamard-2020"].citation
    webster = src["webster-1842"]
    assert "24 April 1841" in webster.citation and "27 July 1842" in webster.citation
    assert "6 August 1842" in webster.citation
    assert "the local authorities of Canada" in webster.passage


def _norm(text: str) -> str:
    """Compare words, not typography: curly quotes and apostrophes, dashes, spacing, case."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(a, b)
    return " ".join(text.split()).casefold()


def _quoted(text: str) -> list[str]:
    """The pieces of `text` between double quotation marks, cut at each ellipsis."""
    spans = re.findall(r'["\u201c]([^"\u201d]+)["\u201d]', text)
    return [p.strip(" .,;:") for span in spans for p in span.split("\u2026")
            if p.strip(" .,;:")]


def _verbatim_in(piece: str, keys: list[str]) -> bool:
    law = load()
    return any(law.sources[k].passage_kind == "quotation"
               and _norm(piece) in _norm(law.sources[k].passage) for k in keys)


def test_every_passage_declares_whether_it_is_a_quotation_or_a_summary() -> None:
    law = load()
    assert all(t.passage_kind in ("quotation", "summary") for t in law.tests.values())
    assert all(s.passage_kind in ("quotation", "summary") for s in law.sources.values())
    assert {"quotation", "summary"} <= {s.passage_kind for s in law.sources.values()}


def test_a_summary_source_puts_nothing_in_quotation_marks() -> None:
    # A summary must not pretend to be verbatim: its exact words were not confirmed.
    for s in load().sources.values():
        if s.passage_kind == "summary":
            assert not _quoted(s.passage), s.key


def test_words_in_quotation_marks_are_verbatim_from_a_quoted_source() -> None:
    """Every quoted piece in a test's passage, a parameter's reason, a doctrine's summary or
    quote is found, word for word, in the passage of a `quotation` source the rule names."""
    law = load()
    checked = 0
    for t in law.tests.values():
        pieces = _quoted(t.passage)
        if t.passage_kind == "quotation":
            assert pieces, f"test {t.id}: a quotation passage is in quotation marks"
        for piece in pieces:
            assert _verbatim_in(piece, [t.source, *t.also]), f"test {t.id}: {piece!r}"
            checked += 1
    for p in law.parameters.values():
        for piece in _quoted(p.reason):
            assert _verbatim_in(piece, [p.source]), f"parameter {p.name}: {piece!r}"
            checked += 1
    for d in law.doctrines.values():
        quote = _quoted(d.quote["text"])
        assert quote, f"doctrine {d.id}: the quote is in quotation marks"
        for piece in quote:
            assert _verbatim_in(piece, [d.quote["source"]]), f"doctrine {d.id} quote: {piece!r}"
        for piece in _quoted(d.summary):
            assert _verbatim_in(piece, list(d.sources)), f"doctrine {d.id}: {piece!r}"
        checked += len(quote)
    assert checked > 20


def test_a_misquotation_is_caught(tmp_path: Path) -> None:
    # The check above can fail: a word changed inside quotation marks is not found.
    law = load()
    t = law.tests["necessity_caroline"]
    assert _verbatim_in(_quoted(t.passage)[0], [t.source])
    assert not _verbatim_in("leaving no choice of means, and no time for deliberation",
                            [t.source])
    assert not _verbatim_in("leaving no choice of means, and no moment for deliberation",
                            ["bethlehem-2012"])  # a summary source never vouches for words


def test_a_test_may_name_further_sources_and_they_must_exist(tmp_path: Path) -> None:
    law = load()
    assert "unga-2625-1970" in law.tests["timely"].also
    assert law.tests["timely"].source == "ago-1980"
    assert law.tests["preventive_threat"].source == "nss-2002"
    assert "unsc-487-1981" in law.tests["preventive_threat"].also
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    tests = yaml.safe_load((copy / "tests.yaml").read_text(encoding="utf-8"))
    tests["timely"]["also"] = ["no-such-source"]
    tests["necessity"]["passage_kind"] = "paraphrase"
    (copy / "tests.yaml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    with pytest.raises(RulesError, match="no-such-source") as err:
        load(copy)
    assert "passage_kind 'paraphrase'" in str(err.value)


def test_parameters_rest_on_the_sources_of_their_reason() -> None:
    params = load().parameters
    assert params["nss_gravity_threshold"].source == "dod-law-of-war-2015"
    assert "taft-2004" in params["nss_gravity_threshold"].reason
    assert "Not in the NSS" in params["nss_gravity_threshold"].reason


def test_every_rule_cites_a_source_that_exists() -> None:
    law = load()
    cited = [t.source for t in law.tests.values()] + [r.source for r in law.routes.values()]
    cited += [p.source for p in law.parameters.values()] + [c.source for c in law.classes]
    assert cited and all(s in law.sources for s in cited)
    assert all(t.passage for t in law.tests.values())


def test_every_parameter_has_a_default_a_reason_and_a_source() -> None:
    for p in load().parameters.values():
        assert p.default is not None and len(p.reason) > 20 and p.source


def test_ordinal_scales_cover_the_values_of_their_facts() -> None:
    law = load()
    catalogue = fact_catalogue()
    for fact, scale in law.scale_of.items():
        assert list(law.scales[scale]) == catalogue[fact]["values"], fact


def test_a_rule_citing_an_unknown_source_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    tests = yaml.safe_load((copy / "tests.yaml").read_text(encoding="utf-8"))
    tests["necessity"]["source"] = "no-such-source"
    (copy / "tests.yaml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    with pytest.raises(RulesError, match="no-such-source"):
        load(copy)


def test_the_result_model_knows_exactly_the_classes_of_the_rules() -> None:
    from typing import get_args

    from engine.result import Classification

    assert list(get_args(Classification)) == [c.id for c in load().classes]


def test_exercises_offer_exactly_the_classes_of_the_rules() -> None:
    from engine.teaching.exercises import CLASSIFICATIONS

    assert sorted(CLASSIFICATIONS) == sorted(c.id for c in load().classes)
