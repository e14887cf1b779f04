"""The law in words: where every sentence the product says about a condition is made.

- `condition(law, node, params, settings)`: what a condition asks, for one parameter set and
  one doctrine's settings ("the time until the anticipated attack is at most 72 hours
  (caroline_max_hours), the time of the anticipated attack is known, …");
- `state(law, fact, value)`: what a scenario says of one fact ("the adversary's intent is
  planning", "it is not stated whether the time of the anticipated attack is known");
- `unmet(state, need)`: one part of a test that failed or is unknown, and what it needs.

Each fact's words come from rules/facts.yaml (its label, its `if_true`/`if_false`, its
`say`), each parameter is named where it is read, so a reader can find it and override it.
Doctrine settings are applied: a setting that is true drops out, and a branch that a false
setting closes is not said (the compiled rules do not read it either); a setting that a
parameter can change is named after the condition, with that parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.law.conditions import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    AtMostFact,
    DoctrineSetting,
    FactIn,
    FactIs,
    FactKnown,
    KeyedParameterRef,
    Node,
    Not,
    SettingRef,
    SettingValue,
    parameter_of,
    resolve,
)

if TYPE_CHECKING:
    from engine.law.definitions import Law

ALWAYS = "always (nothing to show)"
NEVER = "never, on this doctrine's reading"


def number(x: Any) -> str:
    """72.0 -> "72", 0.7 -> "0.7"."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int | float):
        f = float(x)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(x)


def quantity(law: Law, fact: str, x: Any) -> str:
    unit = law.fact_defs[fact].unit
    return f"{number(x)} hours" if unit == "hours" else number(x)


def or_list(items: Sequence[str], word: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _named(param: str | None) -> str:
    return f" ({param})" if param else ""


def _values(law: Law, fact: str, values: Sequence[str]) -> str:
    fd = law.fact_defs[fact]
    if values and all(v in fd.say for v in values):
        return or_list([fd.say[v] for v in values])
    return f"{fd.label} is {or_list(list(values))}"


def _leaf(law: Law, node: Node, params: Mapping[str, Any],
          settings: Mapping[str, SettingValue]) -> str:
    if isinstance(node, FactIs):
        fd = law.fact_defs[node.fact]
        return fd.if_true if node.value else fd.if_false
    if isinstance(node, FactKnown):
        return f"{law.fact_defs[node.fact].label} is stated"
    if isinstance(node, FactIn):
        allowed = resolve(node.values, params, settings, law.choices())
        return _values(law, node.fact, list(allowed)) + _named(parameter_of(node.values, settings))
    if isinstance(node, AtMostFact):
        return (f"{law.fact_defs[node.fact].label} is no greater than "
                f"{law.fact_defs[node.other].label}")
    if isinstance(node, AtLeast | AtMost):
        fd = law.fact_defs[node.fact]
        param = parameter_of(node.bound, settings)
        word = "at least" if isinstance(node, AtLeast) else "at most"
        if isinstance(node.bound, KeyedParameterRef):
            table = params[node.bound.name]
            key = law.fact_defs[node.bound.key].label
            pairs = ", ".join(f"{k} {number(v)}" for k, v in table.items())
            return (f"{fd.label} is {word} the threshold for {key} "
                    f"({node.bound.name}: {pairs}; none for other values)")
        bound = resolve(node.bound, params, settings, law.choices())
        scale = law.scale_values(node.fact)
        if scale is not None:
            i = scale.index(bound)
            kept = scale[i:] if isinstance(node, AtLeast) else scale[:i + 1]
            return _values(law, node.fact, kept) + _named(param)
        return f"{fd.label} is {word} {quantity(law, node.fact, bound)}" + _named(param)
    raise TypeError(f"not a comparison: {node!r}")  # pragma: no cover


def _fold(node: Node, params: Mapping[str, Any], settings: Mapping[str, SettingValue],
          choices: Mapping[str, Mapping[str, Any]]) -> Node | bool:
    """The condition with the doctrine's yes/no settings applied (True/False if settled)."""
    if isinstance(node, DoctrineSetting):
        return bool(resolve(SettingRef(node.name), params, settings, choices))
    if isinstance(node, All | AnyOf):
        settle = isinstance(node, AnyOf)
        parts: list[Node] = []
        for p in node.parts:
            f = _fold(p, params, settings, choices)
            if f is settle:
                return settle
            if not isinstance(f, bool):
                parts.append(f)
        if not parts:
            return not settle
        return parts[0] if len(parts) == 1 else type(node)(tuple(parts))
    if isinstance(node, Not):
        f = _fold(node.part, params, settings, choices)
        return (not f) if isinstance(f, bool) else Not(f)
    return node


def condition(law: Law, node: Node, params: Mapping[str, Any],
              settings: Mapping[str, SettingValue]) -> str:
    """What `node` asks, in words, for one parameter set and one doctrine's settings."""
    folded = _fold(node, params, settings, law.choices())
    if folded is True:
        text = ALWAYS
    elif folded is False:
        text = NEVER
    else:
        text = _say(law, folded, params, settings, top=True)
    return text + _settings_note(law, node, params, settings)


def _settings_note(law: Law, node: Node, params: Mapping[str, Any],
                   settings: Mapping[str, SettingValue]) -> str:
    """The yes/no settings the condition applied that a parameter can change, named so a
    reader can find the parameter: " (accepts unwilling or unable: yes, unwilling_or_unable)"."""
    notes = []
    for n in node.walk():
        if isinstance(n, DoctrineSetting):
            param = parameter_of(SettingRef(n.name), settings)
            if param is not None:
                value = resolve(SettingRef(n.name), params, settings, law.choices())
                notes.append(f"{n.name.replace('_', ' ')}: {'yes' if value else 'no'}, "
                             f"{param}")
    return f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""


def _say(law: Law, node: Node, params: Mapping[str, Any],
         settings: Mapping[str, SettingValue], top: bool = False) -> str:
    if isinstance(node, All):
        parts = [_say(law, p, params, settings) for p in node.parts]
        return or_list(parts, "and") if top else " and ".join(parts)
    if isinstance(node, AnyOf):
        parts = [_say(law, p, params, settings) for p in node.parts]
        return "either " + ", or ".join(parts)
    if isinstance(node, Not):
        return f"it is not the case that {_say(law, node.part, params, settings)}"
    return _leaf(law, node, params, settings)


def fold(law: Law, node: Node, params: Mapping[str, Any],
         settings: Mapping[str, SettingValue]) -> Node | bool:
    """The condition with one doctrine's yes/no settings applied (True/False if settled):
    the part of it that words name."""
    return _fold(node, params, settings, law.choices())


def leaf(law: Law, node: Node, params: Mapping[str, Any],
         settings: Mapping[str, SettingValue]) -> str:
    """One comparison in words (the parts `because` names)."""
    return _leaf(law, node, params, settings)


def state(law: Law, fact: str, value: Any) -> str:
    """What the scenario says of one stated fact (None: unknown)."""
    fd = law.fact_defs[fact]
    if value is None:
        if fd.kind == "bool":
            return f"it is not stated whether {fd.if_true}"
        return f"{fd.label} is not stated"
    if fd.kind == "bool":
        return fd.if_true if value else fd.if_false
    if fd.kind == "number":
        return f"{fd.label} is {quantity(law, fact, value)}"
    return fd.say.get(str(value), f"{fd.label} is {value}")


def unmet(states: Sequence[str], need: str) -> str:
    """One failed or unknown part: what the facts say, and what the test needs."""
    return f"{or_list(list(states), 'and')}; this test needs: {need}"


__all__ = ["ALWAYS", "NEVER", "condition", "fold", "leaf", "number", "or_list", "state", "unmet"]
