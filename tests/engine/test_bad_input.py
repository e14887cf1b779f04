"""Bad input gets a clear error naming the field and the allowed values, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import InputFileError, InvalidInput, evaluate
from engine.law.definitions import load
from engine.loader import load_scenario_file
from tests.conftest import ROOT, SCENARIOS

INVALID = sorted((SCENARIOS / "invalid").glob("*.yaml"))
IMMINENCE = [sys.executable, "-m", "cli"]


def expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), path
    return first.removeprefix("# expect:").split()[0]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_is_rejected_naming_the_field(path: Path) -> None:
    with pytest.raises(InputFileError) as info:
        load_scenario_file(path)
    fields = [e.path for e in info.value.errors]
    assert expectation(path) in fields
    assert all(e.line is not None for e in info.value.errors), "every error has a line"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_cli_reports_file_line_field_message_and_exits_2(path: Path) -> None:
    proc = subprocess.run([*IMMINENCE, "evaluate", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    line = proc.stderr.strip().splitlines()[0]
    file_part, line_no, field, _message = line.split(":", 3)
    assert file_part == str(path) and line_no.isdigit()
    assert field.strip() == expectation(path)


def test_wrong_enum_lists_the_allowed_values() -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({"armed_attack": {"status": "imminent"}})
    (err,) = info.value.errors
    assert err.path == "scenario.armed_attack.status"
    assert err.allowed == ["none", "launched", "ongoing", "concluded"]


def test_a_typo_is_an_error_with_a_suggestion_not_an_unknown() -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({"threat": {"hours_untill": 5}})
    assert "did you mean 'hours_until'" in str(info.value)


@pytest.mark.parametrize("bad", [{"probability": "likely"}, {"probability": 1.5},
                                 {"hours_until": -1}, {"time_known": "yes"},
                                 {"time_known": 1}, {"probability": True}])
def test_wrong_types_and_ranges_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({"threat": bad})
    assert info.value.errors[0].path == f"scenario.threat.{next(iter(bad))}"


def test_unknown_parameter_is_named_with_a_suggestion() -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({}, {"caroline_max_hour": 24})
    (err,) = info.value.errors
    assert err.path == "parameters.caroline_max_hour"
    assert "did you mean 'caroline_max_hours'" in err.msg
    assert "caroline_max_hours" in (err.allowed or [])


@pytest.mark.parametrize(("params", "field"), [
    ({"caroline_max_hours": -1}, "parameters.caroline_max_hours"),
    ({"contextual_min_probability": 2}, "parameters.contextual_min_probability"),
    ({"gravity_threshold": "huge"}, "parameters.gravity_threshold"),
    ({"gravity_threshold": {}}, "parameters.gravity_threshold"),
    ({"caroline_max_hours": "72"}, "parameters.caroline_max_hours"),
    ({"nss_min_probability": 0.5}, "parameters.nss_min_probability"),
    ({"nss_min_probability": {"minor": 0.1}}, "parameters.nss_min_probability.minor"),
    ({"nss_min_probability": {"grave": "half"}}, "parameters.nss_min_probability.grave"),
])
def test_out_of_range_parameters_are_rejected(params: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({}, params)
    assert [e.path for e in info.value.errors] == [field]


def test_unknown_doctrine_lists_the_doctrines() -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate({}, doctrines=["bush_doctrine"])
    assert "charter_restrictive" in (info.value.errors[0].allowed or [])


def test_cli_rejects_unknown_parameter_with_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([*IMMINENCE, "evaluate", str(SCENARIOS / "caroline-1837.yaml"),
                           "--set", "caroline_max_hourz=24"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert "caroline_max_hourz" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run([*IMMINENCE, "evaluate", str(tmp_path / "nope.yaml")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nope.yaml" in proc.stderr


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
PARAMETER_NAMES = [*load().parameters, "bogus"]


@given(st.dictionaries(st.sampled_from(PARAMETER_NAMES), JSON, max_size=4))
def test_any_parameters_either_apply_or_raise_invalid_input(params: dict[str, Any]) -> None:
    try:
        evaluate({}, params, engine="fast")
    except InvalidInput as exc:
        assert all(e.path.startswith("parameters.") for e in exc.errors)


@given(st.dictionaries(st.sampled_from(["threat", "armed_attack", "response", "id", "zzz"]),
                       JSON, max_size=3))
def test_any_scenario_document_either_evaluates_or_raises_invalid_input(
        doc: dict[str, Any]) -> None:
    try:
        evaluate(doc, engine="fast")
    except InvalidInput as exc:
        assert exc.errors and all(e.path.startswith("scenario") for e in exc.errors)
