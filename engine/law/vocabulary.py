"""The fact vocabulary, read from the `facts:` section of rules/facts.yaml.

Every fact a scenario can state: its kind, values or bounds, unit, its words (a label, and
for booleans the fact stated each way) and its meaning in plain words, with a source where
one defines it, and a default rule where the law gives one. This module reads only that
file and imports nothing of the engine but the condition language, so that the pydantic
Scenario (engine/scenario.py) can apply the defaults without loading the whole law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.errors import RulesError
from engine.law.conditions import Node, holds, parse
from rules import RULES_DIR

KINDS = ("enum", "bool", "number", "text")
UNITS = ("hours", "probability")


@dataclass(frozen=True)
class Default:
    """The value a fact takes when it is not stated, when `when` holds."""

    value: Any
    when: Node


@dataclass(frozen=True)
class FactDef:
    name: str
    kind: str
    label: str
    meaning: str
    values: tuple[Any, ...] = ()  # enum values in order; (True, False) for booleans
    value_meanings: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    source: str | None = None
    if_true: str = ""
    if_false: str = ""
    say: dict[str, str] = field(default_factory=dict)
    default: Default | None = None

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]

    def catalogue(self) -> dict[str, Any]:
        """Kind and values or bounds, as the compiler and the web form read them."""
        if self.kind in ("enum", "bool"):
            return {"kind": self.kind, "values": list(self.values)}
        if self.kind == "number":
            return {"kind": "number", "min": self.minimum, "max": self.maximum}
        return {"kind": self.kind}


def _text(v: Any) -> str:
    return " ".join(str(v).split()) if v is not None else ""


def parse_fact(name: str, raw: Any) -> FactDef:
    where = f"rules/facts.yaml: fact {name}"
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: must be a mapping")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise RulesError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    for key in ("label", "meaning"):
        if not raw.get(key):
            raise RulesError(f"{where}: '{key}' is required")
    values: tuple[Any, ...] = ()
    meanings: dict[str, str] = {}
    if kind == "enum":
        vals = raw.get("values")
        if not isinstance(vals, dict) or not vals:
            raise RulesError(f"{where}: an enum lists its values, each with its meaning")
        values = tuple(str(v) for v in vals)
        meanings = {str(k): _text(v) for k, v in vals.items()}
    elif kind == "bool":
        values = (True, False)
        if not raw.get("if_true") or not raw.get("if_false"):
            raise RulesError(f"{where}: a boolean states itself each way (if_true, if_false)")
    minimum = maximum = None
    if kind == "number":
        if "min" not in raw or raw.get("unit") not in UNITS:
            raise RulesError(f"{where}: a number has a 'min' and a unit "
                             f"({', '.join(UNITS)})")
        minimum = float(raw["min"])
        maximum = float(raw["max"]) if raw.get("max") is not None else None
    say = {str(k): _text(v) for k, v in (raw.get("say") or {}).items()}
    if set(say) - set(values):
        raise RulesError(f"{where}: 'say' names values it does not have: "
                         f"{sorted(set(say) - set(values))}")
    default = None
    if raw.get("default") is not None:
        d = raw["default"]
        if not isinstance(d, dict) or set(d) != {"value", "when"}:
            raise RulesError(f"{where}: default is {{value: V, when: CONDITION}}")
        if d["value"] not in values:
            raise RulesError(f"{where}: default value {d['value']!r} is not one of its values")
        default = Default(d["value"], parse(d["when"], f"{where}.default.when"))
    return FactDef(name=name, kind=kind, label=_text(raw["label"]), meaning=_text(raw["meaning"]),
                   values=values, value_meanings=meanings, minimum=minimum, maximum=maximum,
                   unit=raw.get("unit"), source=raw.get("source"),
                   if_true=_text(raw.get("if_true")), if_false=_text(raw.get("if_false")),
                   say=say, default=default)


@lru_cache(maxsize=4)
def vocabulary(rules_dir: Path = RULES_DIR) -> dict[str, FactDef]:
    """Every stated fact, by dotted name, in the order of rules/facts.yaml."""
    path = rules_dir / "facts.yaml"
    try:
        with path.open(encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - a broken install
        raise RulesError(f"{path}: {exc}") from exc
    raw = doc.get("facts") if isinstance(doc, dict) else None
    if not isinstance(raw, dict):
        raise RulesError(f"{path}: no 'facts:' vocabulary")
    return {str(k): parse_fact(str(k), v) for k, v in raw.items()}


def apply_defaults(facts: dict[str, Any], vocab: dict[str, FactDef] | None = None) -> bool:
    """Give each unstated fact its default where its rule holds (in place); whether any was
    given. Defaults are read from the stated facts only, never from other defaults."""
    vocab = vocab if vocab is not None else vocabulary()
    given = {name: fd.default.value for name, fd in vocab.items()
             if fd.default is not None and facts.get(name) is None
             and holds(fd.default.when, facts)}
    facts.update(given)
    return bool(given)


__all__ = ["Default", "FactDef", "apply_defaults", "parse_fact", "vocabulary"]
