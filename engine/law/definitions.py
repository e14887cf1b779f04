"""Read the law from rules/ into typed definitions, checking that it hangs together.

This is the only reader of rules/. The rules compiler (durable-rules), the fast path,
the documentation (`imminence doctrines`, `GET /v1/doctrines`) and the exercise grader
all take their law from `load()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.errors import RulesError
from engine.law.scenario import fact_catalogue
from rules import RULES_DIR


@dataclass(frozen=True)
class Source:
    key: str
    short: str
    citation: str
    passage: str
    passage_kind: str


@dataclass(frozen=True)
class ParameterDef:
    name: str
    type: str
    default: Any
    reason: str
    source: str
    keys: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)  # type choice: value -> effect


@dataclass(frozen=True)
class LegalTest:
    id: str
    title: str
    source: str
    passage: str
    condition: Any
    weighing_factor: bool = False
    # `quotation`: the passage is the source's own words; `summary`: our words, in which
    # anything between quotation marks is verbatim from a source named here.
    passage_kind: str = "summary"
    also: tuple[str, ...] = ()  # further source keys the passage relies on


PASSAGE_KINDS = ("quotation", "summary")


@dataclass(frozen=True)
class RouteDef:
    id: str
    code: str
    title: str
    source: str
    self_defence: bool
    tests: tuple[str, ...]
    widens: str | None = None
    fits: tuple[str, ...] = ()  # classes the route is the natural answer to (tie-break)


@dataclass(frozen=True)
class DoctrineDef:
    id: str
    name: str
    short_name: str
    order: int
    standing: str
    summary: str
    sources: tuple[str, ...]
    quote: dict[str, str]
    routes: tuple[str, ...]
    settings: dict[str, Any]


@dataclass(frozen=True)
class ClassDef:
    id: str
    meaning: str
    source: str
    condition: Any


@dataclass(frozen=True)
class Law:
    """Everything in rules/, cross-checked."""

    sources: dict[str, Source]
    parameters: dict[str, ParameterDef]
    scales: dict[str, dict[str, int]]
    scale_of: dict[str, str]
    wmd: tuple[str, ...]
    derived: dict[str, dict[str, Any]]
    tests: dict[str, LegalTest]
    routes: dict[str, RouteDef]
    doctrines: dict[str, DoctrineDef]
    classes: tuple[ClassDef, ...]
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def weighing_test(self) -> LegalTest:
        return next(t for t in self.tests.values() if t.weighing_factor)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - a broken install
        raise RulesError(f"{path}: {exc}") from exc


def _walk_facts(node: Any) -> list[str]:
    """Every fact name a condition mentions (including key/at_most_fact)."""
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("fact", "at_most_fact", "key"):
                out.append(v)
            else:
                out.extend(_walk_facts(v))
    elif isinstance(node, list):
        for item in node:
            out.extend(_walk_facts(item))
    return out


def _check(law: Law) -> None:
    problems: list[str] = []
    known_facts = set(law.facts) | set(law.derived)

    def need_source(where: str, key: str) -> None:
        if key not in law.sources:
            problems.append(f"{where}: unknown source '{key}'")

    for p in law.parameters.values():
        need_source(f"parameter {p.name}", p.source)
    for src in law.sources.values():
        if src.passage_kind not in PASSAGE_KINDS:
            problems.append(f"source {src.key}: passage_kind '{src.passage_kind}' is not one of "
                            f"{', '.join(PASSAGE_KINDS)}")
    for t in law.tests.values():
        need_source(f"test {t.id}", t.source)
        for key in t.also:
            need_source(f"test {t.id} (also)", key)
        if t.passage_kind not in PASSAGE_KINDS:
            problems.append(f"test {t.id}: passage_kind '{t.passage_kind}' is not one of "
                            f"{', '.join(PASSAGE_KINDS)}")
        for f in _walk_facts(t.condition):
            if f not in known_facts:
                problems.append(f"test {t.id}: unknown fact '{f}'")
    for r in law.routes.values():
        need_source(f"route {r.id}", r.source)
        for t_id in r.tests:
            if t_id not in law.tests:
                problems.append(f"route {r.id}: unknown test '{t_id}'")
        if r.widens and r.widens not in law.routes:
            problems.append(f"route {r.id}: widens unknown route '{r.widens}'")
        for cls_id in r.fits:
            if cls_id not in {cl.id for cl in law.classes}:
                problems.append(f"route {r.id}: fits unknown class '{cls_id}'")
    for d in law.doctrines.values():
        for s in d.sources:
            need_source(f"doctrine {d.id}", s)
        for r_id in d.routes:
            if r_id not in law.routes:
                problems.append(f"doctrine {d.id}: unknown route '{r_id}'")
        for name, ref in d.settings.items():
            if isinstance(ref, dict) and ref.get("parameter") not in law.parameters:
                problems.append(f"doctrine {d.id}: setting {name} names no parameter")
    for p in law.parameters.values():
        if p.type == "choice" and p.default not in p.values:
            problems.append(f"parameter {p.name}: default {p.default!r} is not one of its values")
    for c in law.classes:
        need_source(f"class {c.id}", c.source)
    for name, derived in law.derived.items():
        need_source(f"derived {name}", derived["source"])
    if sum(1 for t in law.tests.values() if t.weighing_factor) != 1:
        problems.append("exactly one test must be the weighing factor")
    if problems:
        raise RulesError("rules/ is inconsistent:\n  " + "\n  ".join(problems))


@lru_cache(maxsize=4)
def load(rules_dir: Path = RULES_DIR) -> Law:
    """Read and check rules/. Cached: the law does not change while a process runs."""
    sources = {
        k: Source(key=k, short=v["short"], citation=" ".join(v["citation"].split()),
                  passage=" ".join(v["passage"].split()), passage_kind=v["passage_kind"])
        for k, v in _read(rules_dir / "sources.yaml").items()
    }
    parameters = {
        k: ParameterDef(name=k, type=v["type"], default=v["default"],
                        reason=" ".join(v["reason"].split()), source=v["source"],
                        keys=tuple(v.get("keys", ())), values=dict(v.get("values", {})))
        for k, v in _read(rules_dir / "parameters.yaml").items()
    }
    facts_doc = _read(rules_dir / "facts.yaml")
    tests = {
        k: LegalTest(id=k, title=v["title"], source=v["source"],
                   passage=" ".join(v["passage"].split()), condition=v["condition"],
                   weighing_factor=bool(v.get("weighing_factor", False)),
                   passage_kind=v.get("passage_kind", "summary"),
                   also=tuple(v.get("also", ())))
        for k, v in _read(rules_dir / "tests.yaml").items()
    }
    routes = {
        k: RouteDef(id=k, code=v["code"], title=v["title"], source=v["source"],
                    self_defence=bool(v["self_defence"]), tests=tuple(v["tests"]),
                    widens=v.get("widens"), fits=tuple(v.get("fits", ())))
        for k, v in _read(rules_dir / "routes.yaml").items()
    }
    doctrines_list = []
    for path in sorted((rules_dir / "doctrines").glob("*.yaml")):
        v = _read(path)
        doctrines_list.append(DoctrineDef(
            id=v["id"], name=v["name"], short_name=v["short_name"], order=int(v["order"]),
            standing=v["standing"],
            summary=" ".join(v["summary"].split()), sources=tuple(v["sources"]),
            quote={"source": v["quote"]["source"], "text": " ".join(v["quote"]["text"].split())},
            routes=tuple(v["routes"]), settings=dict(v["settings"]),
        ))
    doctrines = {d.id: d for d in sorted(doctrines_list, key=lambda d: d.order)}
    classes = tuple(
        ClassDef(id=c["class"], meaning=c["meaning"], source=c["source"],
                 condition=c["condition"])
        for c in _read(rules_dir / "classification.yaml")
    )
    law = Law(
        sources=sources, parameters=parameters, scales=facts_doc["scales"],
        scale_of=facts_doc["scale_of"], wmd=tuple(facts_doc["wmd"]),
        derived=facts_doc["derived"],
        tests=tests, routes=routes,
        doctrines=doctrines,
        classes=classes, facts=fact_catalogue(),
    )
    _check(law)
    return law


__all__ = [
    "PASSAGE_KINDS",
    "ClassDef",
    "DoctrineDef",
    "Law",
    "LegalTest",
    "ParameterDef",
    "RouteDef",
    "Source",
    "load",
]
