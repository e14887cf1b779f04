"""Golden tests: every scenario in scenarios/ gives the answers its file expects.

The expected blocks were worked by hand from DOCTRINES.md (the eight shared cases by the
specification's authors), not copied from the engine's output.
"""

from __future__ import annotations

import pytest

from engine import evaluate
from engine.loader import load_scenario_file
from tests.conftest import SCENARIOS, SHARED, library_ids

FIELDS = ("verdict", "route", "score", "score_max", "decisive", "missing_facts", "widening")


@pytest.mark.parametrize("scenario_id", library_ids())
def test_library_scenario_matches_its_expected_answers(scenario_id: str) -> None:
    scenario, expected = load_scenario_file(SCENARIOS / f"{scenario_id}.yaml")
    assert expected, f"{scenario_id} has no expected answers"
    result = evaluate(scenario)
    assert result.classification == expected["classification"]
    assert set(expected["doctrines"]) == set(result.doctrines), "every doctrine is expected"
    for doctrine, want in expected["doctrines"].items():
        got = result.doctrines[doctrine]
        for field in FIELDS:
            if field in want:
                assert getattr(got, field) == want[field], f"{doctrine}.{field}"


@pytest.mark.parametrize("scenario_id", library_ids())
def test_library_file_name_is_its_id(scenario_id: str) -> None:
    scenario, _ = load_scenario_file(SCENARIOS / f"{scenario_id}.yaml")
    assert scenario.id == scenario_id


def test_library_exercises_every_route_and_every_verdict_of_every_doctrine(
        scenario_library: tuple) -> None:
    routes = set()
    seen: dict[str, set[str]] = {}
    for entry in scenario_library:
        for d, r in evaluate(entry.scenario).doctrines.items():
            routes.add(r.route)
            seen.setdefault(d, set()).add(r.verdict)
    assert routes == {"council", "reactive", "anticipatory", "pre_emptive", "preventive",
                      "nss_2002", "nss_2006"}
    for d, verdicts in seen.items():
        assert verdicts == {"justified", "not_justified", "indeterminate"}, d


def test_every_pair_of_doctrines_disagrees_somewhere_in_the_library(
        scenario_library: tuple) -> None:
    results = [evaluate(e.scenario).doctrines for e in scenario_library]
    ids = list(results[0])
    missing = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
               if all(r[a].verdict == r[b].verdict for r in results)]
    assert missing == []


SHARED_CASES = SHARED / "cases"
shared_ids = sorted(p.stem for p in SHARED_CASES.glob("*.yaml")) if SHARED_CASES.is_dir() else []
needs_shared = pytest.mark.skipif(not shared_ids, reason=f"{SHARED_CASES} is not there")


@needs_shared
@pytest.mark.parametrize("case_id", shared_ids)
@pytest.mark.parametrize("engine", ["rete", "fast"])
def test_shared_case_gives_the_answers_of_the_specification(case_id: str, engine: str) -> None:
    """The shared cases carry the expected answers of DOCTRINES v2, by its authors."""
    scenario, expected = load_scenario_file(SHARED_CASES / f"{case_id}.yaml")
    result = evaluate(scenario, engine=engine)  # type: ignore[arg-type]
    assert result.classification == expected["classification"]
    for doctrine, want in expected["doctrines"].items():
        got = result.doctrines[doctrine]
        assert {f: getattr(got, f) for f in want} == want, doctrine


@needs_shared
@pytest.mark.parametrize("case_id", shared_ids)
def test_library_copy_of_a_shared_case_has_its_facts_and_answers(case_id: str) -> None:
    shared, shared_expected = load_scenario_file(SHARED_CASES / f"{case_id}.yaml")
    mine, my_expected = load_scenario_file(SCENARIOS / f"{case_id}.yaml")
    assert mine.facts() == shared.facts()
    assert my_expected == shared_expected
