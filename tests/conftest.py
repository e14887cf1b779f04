"""Shared fixtures: the scenario library, and hypothesis strategies for scenarios."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from engine.loader import LibraryEntry, library

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"

settings.register_profile(
    "default", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture(scope="session")
def scenario_library() -> tuple[LibraryEntry, ...]:
    return library(SCENARIOS)


def library_ids() -> list[str]:
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    """{'threat.intent': 'planning'} -> {'threat': {'intent': 'planning'}}."""
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        group, name = dotted.split(".", 1)
        out.setdefault(group, {})[name] = value
    return out
