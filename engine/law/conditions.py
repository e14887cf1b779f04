"""The condition language of rules/ (see the header of rules/tests.yaml), as typed nodes.

A condition is parsed once, when the law is loaded, into the frozen nodes below; parsing
checks its shape and names the place of any error. Every consumer asks the nodes instead
of walking dictionaries: which facts a condition reads (`facts`), which doctrine settings
(`settings_used`) and parameters (`parameters`) it depends on, the bounds it puts on one
fact (`bounds`), and the condition in words (engine/law/words.py).

    {fact: F, is: true|false}          FactIs
    {fact: F, in: [v, ...]}            FactIn       (values, or {doctrine: SETTING})
    {fact: F, at_least: X}             AtLeast      (X: a value, or a reference below)
    {fact: F, at_most: X}              AtMost
    {fact: F, at_most_fact: G}         AtMostFact   rank(F) <= rank(G)
    {fact: F, known: true}             FactKnown    (default rules only: F is stated)
    {doctrine: SETTING}                DoctrineSetting (a yes/no setting of the doctrine)
    {all: [...]} {any: [...]} {not: C} All, AnyOf, Not

References: {parameter: P} ParameterRef, {parameter: P, key: G} KeyedParameterRef
(P's value for fact G's value), {doctrine: SETTING} SettingRef.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import RulesError

# ------------------------------------------------------------------- references


@dataclass(frozen=True)
class ParameterRef:
    """{parameter: P}: the value of an interpretive parameter."""

    name: str


@dataclass(frozen=True)
class KeyedParameterRef:
    """{parameter: P, key: G}: P's value for the value of fact G (e.g. by magnitude)."""

    name: str
    key: str


@dataclass(frozen=True)
class ChoiceRef:
    """{parameter: P, by_doctrine: V}: a doctrine setting that a choice parameter may
    override for every doctrine; V is the doctrine's own reading (P = by_doctrine)."""

    name: str
    by_doctrine: bool | str

    def pick(self, params: Mapping[str, Any],
             choices: Mapping[str, Mapping[str, Any]]) -> Any:
        effect = choices[self.name][params[self.name]]
        return self.by_doctrine if effect is None else effect


@dataclass(frozen=True)
class SettingRef:
    """{doctrine: SETTING}: a setting of the doctrine the test is evaluated for."""

    name: str


Literal_ = str | int | float | bool
Ref = Literal_ | ParameterRef | KeyedParameterRef | SettingRef
SettingValue = bool | tuple[str, ...] | ParameterRef | ChoiceRef | str


def parse_ref(raw: Any, where: str) -> Ref:
    if isinstance(raw, dict):
        if set(raw) == {"parameter"}:
            return ParameterRef(str(raw["parameter"]))
        if set(raw) == {"parameter", "key"}:
            return KeyedParameterRef(str(raw["parameter"]), str(raw["key"]))
        if set(raw) == {"doctrine"}:
            return SettingRef(str(raw["doctrine"]))
        raise RulesError(f"{where}: unsupported reference {raw}")
    if isinstance(raw, str | int | float | bool):
        return raw
    raise RulesError(f"{where}: unsupported value {raw!r}")


def parse_setting(raw: Any, where: str) -> SettingValue:
    """A doctrine setting: yes/no, a list of values, or a parameter reference."""
    if isinstance(raw, bool | str):
        return raw
    if isinstance(raw, list):
        return tuple(str(v) for v in raw)
    if isinstance(raw, dict) and set(raw) == {"parameter"}:
        return ParameterRef(str(raw["parameter"]))
    if isinstance(raw, dict) and set(raw) == {"parameter", "by_doctrine"} \
            and isinstance(raw["by_doctrine"], bool | str):
        return ChoiceRef(str(raw["parameter"]), raw["by_doctrine"])
    raise RulesError(f"{where}: unsupported doctrine setting {raw!r}")


def resolve(ref: Any, params: Mapping[str, Any], settings: Mapping[str, SettingValue],
            choices: Mapping[str, Mapping[str, Any]] | None = None) -> Any:
    """The value a reference stands for, for one parameter set and one doctrine's settings
    (a keyed parameter resolves to its whole table; `choices` gives, per choice parameter,
    what each of its values does)."""
    if isinstance(ref, SettingRef):
        if ref.name not in settings:
            raise RulesError(f"doctrine setting '{ref.name}' is not defined")
        return resolve(settings[ref.name], params, settings, choices)
    if isinstance(ref, ChoiceRef):
        if choices is None:
            raise RulesError(f"{ref.name}: a choice needs the parameters' values")
        return ref.pick(params, choices)
    if isinstance(ref, ParameterRef | KeyedParameterRef):
        return params[ref.name]
    return ref


def parameter_of(ref: Any, settings: Mapping[str, SettingValue]) -> str | None:
    """The parameter a reference reads, through a doctrine setting if need be."""
    if isinstance(ref, SettingRef):
        return parameter_of(settings.get(ref.name), settings)
    if isinstance(ref, ParameterRef | KeyedParameterRef | ChoiceRef):
        return ref.name
    return None


# ------------------------------------------------------------------------ nodes


class Node:
    """A condition. Subclasses are frozen dataclasses."""

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for c in self.children():
            yield from c.walk()

    def facts(self) -> tuple[str, ...]:
        """Every fact the condition names (derived facts by their own name), in order."""
        out: list[str] = []
        for n in self.walk():
            out.extend(n._own_facts())
        return tuple(dict.fromkeys(out))

    def _own_facts(self) -> tuple[str, ...]:
        return ()

    def refs(self) -> tuple[Any, ...]:
        return ()

    def settings_used(self) -> frozenset[str]:
        """The doctrine settings the condition reads."""
        out: set[str] = set()
        for n in self.walk():
            if isinstance(n, DoctrineSetting):
                out.add(n.name)
            out.update(r.name for r in n.refs() if isinstance(r, SettingRef))
        return frozenset(out)

    def refs_all(self) -> tuple[Any, ...]:
        """Every reference in the condition, doctrine settings as SettingRef."""
        out: list[Any] = []
        for n in self.walk():
            out.extend(n.refs())
        return tuple(out)

    def parameters(self, settings: Mapping[str, SettingValue]) -> tuple[str, ...]:
        """The interpretive parameters the condition reads, for one doctrine's settings."""
        out: list[str] = []
        for n in self.walk():
            for r in n.refs():
                p = parameter_of(r, settings)
                if p is not None:
                    out.append(p)
        return tuple(dict.fromkeys(out))

    def bounds(self, fact: str) -> tuple[tuple[str, Any], ...]:
        """The comparisons the condition makes on `fact`: ("at_least"|"at_most", ref)."""
        out: list[tuple[str, Any]] = []
        for n in self.walk():
            if isinstance(n, AtLeast | AtMost) and n.fact == fact:
                out.append((n.op, n.bound))
        return tuple(out)


@dataclass(frozen=True)
class FactIs(Node):
    fact: str
    value: bool

    def _own_facts(self) -> tuple[str, ...]:
        return (self.fact,)


@dataclass(frozen=True)
class FactKnown(Node):
    """The fact is stated (used by default rules, never by tests: unknown is a value)."""

    fact: str

    def _own_facts(self) -> tuple[str, ...]:
        return (self.fact,)


@dataclass(frozen=True)
class FactIn(Node):
    fact: str
    values: tuple[str, ...] | SettingRef

    def _own_facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def refs(self) -> tuple[Any, ...]:
        return (self.values,) if isinstance(self.values, SettingRef) else ()


@dataclass(frozen=True)
class AtLeast(Node):
    fact: str
    bound: Ref
    op = "at_least"

    def _own_facts(self) -> tuple[str, ...]:
        key = (self.bound.key,) if isinstance(self.bound, KeyedParameterRef) else ()
        return (self.fact, *key)

    def refs(self) -> tuple[Any, ...]:
        return (self.bound,)


@dataclass(frozen=True)
class AtMost(Node):
    fact: str
    bound: Ref
    op = "at_most"

    def _own_facts(self) -> tuple[str, ...]:
        key = (self.bound.key,) if isinstance(self.bound, KeyedParameterRef) else ()
        return (self.fact, *key)

    def refs(self) -> tuple[Any, ...]:
        return (self.bound,)


@dataclass(frozen=True)
class AtMostFact(Node):
    fact: str
    other: str

    def _own_facts(self) -> tuple[str, ...]:
        return (self.fact, self.other)


@dataclass(frozen=True)
class DoctrineSetting(Node):
    name: str

    def refs(self) -> tuple[Any, ...]:
        return (SettingRef(self.name),)


@dataclass(frozen=True)
class All(Node):
    parts: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.parts


@dataclass(frozen=True)
class AnyOf(Node):
    parts: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.parts


@dataclass(frozen=True)
class Not(Node):
    part: Node

    def children(self) -> tuple[Node, ...]:
        return (self.part,)


Comparison = FactIs | FactIn | AtLeast | AtMost | AtMostFact | FactKnown
Condition = Node

_LEAF_KEYS = {"is", "in", "at_least", "at_most", "at_most_fact", "known"}


def parse(raw: Any, where: str) -> Node:
    """Parse one condition of rules/; RulesError names `where` and the bad part."""
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: a condition must be a mapping, got {raw!r}")
    if set(raw) == {"all"} or set(raw) == {"any"}:
        items = raw.get("all", raw.get("any"))
        if not isinstance(items, list):
            raise RulesError(f"{where}: all/any takes a list")
        parts = tuple(parse(p, f"{where}[{i}]") for i, p in enumerate(items))
        return All(parts) if "all" in raw else AnyOf(parts)
    if set(raw) == {"not"}:
        return Not(parse(raw["not"], f"{where}.not"))
    if set(raw) == {"doctrine"}:
        return DoctrineSetting(str(raw["doctrine"]))
    if "fact" in raw:
        fact = raw["fact"]
        ops = set(raw) - {"fact"}
        if not isinstance(fact, str) or len(ops) != 1 or not ops <= _LEAF_KEYS:
            raise RulesError(f"{where}: unsupported condition {raw}")
        op = ops.pop()
        arg = raw[op]
        if op == "is":
            if not isinstance(arg, bool):
                raise RulesError(f"{where}: 'is' takes true or false, got {arg!r}")
            return FactIs(fact, arg)
        if op == "known":
            if arg is not True:
                raise RulesError(f"{where}: 'known' takes true")
            return FactKnown(fact)
        if op == "in":
            if isinstance(arg, list):
                return FactIn(fact, tuple(str(v) for v in arg))
            ref = parse_ref(arg, where)
            if not isinstance(ref, SettingRef):
                raise RulesError(f"{where}: 'in' takes a list or a doctrine setting")
            return FactIn(fact, ref)
        if op == "at_most_fact":
            return AtMostFact(fact, str(arg))
        bound = parse_ref(arg, where)
        return AtLeast(fact, bound) if op == "at_least" else AtMost(fact, bound)
    raise RulesError(f"{where}: unsupported condition {raw}")


def holds(node: Node, facts: Mapping[str, Any]) -> bool:
    """Two-valued truth of a default rule's condition over stated facts (unknown: false)."""
    if isinstance(node, FactKnown):
        return facts.get(node.fact) not in (None, "")
    if isinstance(node, FactIs):
        return facts.get(node.fact) is node.value
    if isinstance(node, FactIn) and isinstance(node.values, tuple):
        return facts.get(node.fact) in node.values
    if isinstance(node, All):
        return all(holds(p, facts) for p in node.parts)
    if isinstance(node, AnyOf):
        return any(holds(p, facts) for p in node.parts)
    if isinstance(node, Not):
        return not holds(node.part, facts)
    raise RulesError(f"unsupported condition in a default rule: {node}")


__all__ = [
    "All",
    "AnyOf",
    "AtLeast",
    "AtMost",
    "AtMostFact",
    "ChoiceRef",
    "Comparison",
    "Condition",
    "DoctrineSetting",
    "FactIn",
    "FactIs",
    "FactKnown",
    "KeyedParameterRef",
    "Node",
    "Not",
    "ParameterRef",
    "Ref",
    "SettingRef",
    "SettingValue",
    "holds",
    "parameter_of",
    "parse",
    "parse_ref",
    "parse_setting",
    "resolve",
]
