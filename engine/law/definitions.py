"""Read the law from rules/ into typed definitions, checking that it hangs together.

This is the only reader of rules/ (with engine/law/vocabulary.py for the fact vocabulary).
Conditions are parsed into the typed nodes of engine/law/conditions.py at load; no other
module reads a raw condition. The rules compiler (durable-rules), the fast path, what-if,
the documentation (`imminence doctrines`, `GET /v1/doctrines`), the web page's windows and
the exercise grader all take their law from `load()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.errors import RulesError
from engine.law.conditions import ChoiceRef, Node, ParameterRef, SettingValue, parse, parse_setting
from engine.law.vocabulary import FactDef, vocabulary
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
    condition: Node
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
    settings: dict[str, Any]  # as rules/ writes them (for display)
    setting_values: dict[str, SettingValue] = field(default_factory=dict)  # typed


@dataclass(frozen=True)
class ClassDef:
    id: str
    meaning: str
    source: str
    condition: Node
    label: str = ""


@dataclass(frozen=True)
class DerivedFact:
    """A fact computed from stated facts (rules/facts.yaml `derived:`): the value of `base`,
    none at all (rank `none_rank`) when `none_when` holds, and raised from `raise_from` to
    `raise_to` when `raise_when` holds."""

    name: str
    scale: str
    base: str
    none_when: Node | None = None
    none_rank: int = 0
    none_label: str = ""
    raise_when: Node | None = None
    raise_from: str | None = None
    raise_to: str | None = None

    def bases(self) -> list[str]:
        whens = [w for w in (self.none_when, self.raise_when) if w is not None]
        return list(dict.fromkeys([self.base, *(f for w in whens for f in w.facts())]))


def _derived(name: str, d: dict[str, Any]) -> DerivedFact:
    where = f"rules/facts.yaml: derived {name}"
    none, raise_ = d.get("none"), d.get("raise")
    return DerivedFact(
        name=name, scale=d["scale"], base=d["from"],
        none_when=parse(none["when"], f"{where}.none.when") if none else None,
        none_rank=int(none["rank"]) if none else 0,
        none_label=str(none.get("label", "")) if none else "",
        raise_when=parse(raise_["when"], f"{where}.raise.when") if raise_ else None,
        raise_from=raise_["from"] if raise_ else None,
        raise_to=raise_["to"] if raise_ else None)


@dataclass(frozen=True)
class Outcome:
    """A verdict of a doctrine, or a status of a test (rules/verdicts.yaml)."""

    id: str
    label: str
    meaning: str


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
    fact_defs: dict[str, FactDef] = field(default_factory=dict)  # stated and derived
    derived_facts: dict[str, DerivedFact] = field(default_factory=dict)
    verdicts: tuple[Outcome, ...] = ()
    statuses: tuple[Outcome, ...] = ()

    def weighing_test(self) -> LegalTest:
        return next(t for t in self.tests.values() if t.weighing_factor)

    def choices(self) -> dict[str, dict[str, Any]]:
        """Per choice parameter, what each of its values does (rules/parameters.yaml)."""
        cached: dict[str, dict[str, Any]] | None = self.__dict__.get("_choices")
        if cached is None:
            cached = {p.name: p.values for p in self.parameters.values() if p.type == "choice"}
            object.__setattr__(self, "_choices", cached)
        return cached

    def facts_stated(self) -> dict[str, FactDef]:
        """The facts a scenario can state (the derived ones left out), in order."""
        return {n: fd for n, fd in self.fact_defs.items() if n in self.facts}

    def scale_values(self, fact: str) -> list[str] | None:
        """The values of an ordinal (possibly derived) fact, lowest rank first."""
        name = self.derived[fact]["scale"] if fact in self.derived else self.scale_of.get(fact)
        if name is None:
            return None
        scale = self.scales[name]
        return sorted(scale, key=lambda v: scale[v])

    def parameters_read(self, test: LegalTest, doctrine: DoctrineDef) -> tuple[str, ...]:
        """The interpretive parameters a test reads under one doctrine's settings."""
        return test.condition.parameters(doctrine.setting_values)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - a broken install
        raise RulesError(f"{path}: {exc}") from exc


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
        for name in t.condition.parameters({}):
            if name not in law.parameters:
                problems.append(f"test {t.id}: unknown parameter '{name}'")
        for f in t.condition.facts():
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
        for k, v in d.setting_values.items():
            if isinstance(v, ParameterRef | ChoiceRef) and v.name not in law.parameters:
                problems.append(f"doctrine {d.id}: setting {k} names no parameter")
        for r_id in d.routes:
            for t_id in law.routes[r_id].tests if r_id in law.routes else ():
                test = law.tests.get(t_id)
                missing = sorted(test.condition.settings_used() - set(d.settings)) if test else []
                if missing:
                    problems.append(f"doctrine {d.id}: test {t_id} reads settings it does "
                                    f"not define: {', '.join(missing)}")
    for p in law.parameters.values():
        if p.type == "choice" and p.default not in p.values:
            problems.append(f"parameter {p.name}: default {p.default!r} is not one of its values")
    for c in law.classes:
        need_source(f"class {c.id}", c.source)
        for f in c.condition.facts():
            if f not in known_facts:
                problems.append(f"class {c.id}: unknown fact '{f}'")
    for name, fd in law.fact_defs.items():
        if fd.source is not None:
            need_source(f"fact {name}", fd.source)
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
                     passage=" ".join(v["passage"].split()),
                     condition=parse(v["condition"], f"rules/tests.yaml: {k}"),
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
            routes=tuple(v["routes"]),
            settings=dict(v["settings"]),
            setting_values={k: parse_setting(s, f"{path.name}: settings.{k}")
                            for k, s in v["settings"].items()},
        ))
    doctrines = {d.id: d for d in sorted(doctrines_list, key=lambda d: d.order)}
    classes = tuple(
        ClassDef(id=c["class"], meaning=c["meaning"], source=c["source"],
                 condition=parse(c["condition"], f"rules/classification.yaml: {c['class']}"),
                 label=c.get("label", c["class"].replace("_", " ")))
        for c in _read(rules_dir / "classification.yaml")
    )
    vocab = vocabulary(rules_dir)
    fact_defs = dict(vocab)
    for name, d in facts_doc["derived"].items():
        scale = facts_doc["scales"][d["scale"]]
        fact_defs[name] = FactDef(
            name=name, kind="enum", label=" ".join(d["label"].split()),
            meaning=" ".join(d["meaning"].split()),
            values=tuple(sorted(scale, key=lambda v: scale[v])), source=d.get("source"))
    outcomes_doc = _read(rules_dir / "verdicts.yaml")
    outcomes = {
        kind: tuple(Outcome(id=o["id"], label=o["label"], meaning=" ".join(o["meaning"].split()))
                    for o in outcomes_doc[kind])
        for kind in ("verdicts", "statuses")
    }
    law = Law(
        sources=sources, parameters=parameters, scales=facts_doc["scales"],
        scale_of=facts_doc["scale_of"], wmd=tuple(facts_doc["wmd"]),
        derived=facts_doc["derived"],
        tests=tests, routes=routes,
        doctrines=doctrines,
        classes=classes, facts={n: fd.catalogue() for n, fd in vocab.items()},
        fact_defs=fact_defs, verdicts=outcomes["verdicts"], statuses=outcomes["statuses"],
        derived_facts={k: _derived(k, v) for k, v in facts_doc["derived"].items()},
    )
    _check(law)
    return law


__all__ = [
    "PASSAGE_KINDS",
    "ClassDef",
    "DerivedFact",
    "DoctrineDef",
    "Law",
    "LegalTest",
    "Outcome",
    "ParameterDef",
    "RouteDef",
    "Source",
    "load",
]
