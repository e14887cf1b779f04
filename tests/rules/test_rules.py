"""rules/ against the contract: DOCTRINES.md's vocabulary, tests, routes, doctrines,
parameters and sources, read from the specification itself where it is present."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from engine.definitions import load
from engine.errors import RulesError
from engine.scenario import fact_catalogue
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
        assert d.standing == row[5]


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
    assert keys <= set(law.sources)
    for s in law.sources.values():
        assert s.citation and s.passage and s.passage_kind in ("quotation", "summary")


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
    from engine.exercises import CLASSIFICATIONS

    assert sorted(CLASSIFICATIONS) == sorted(c.id for c in load().classes)
