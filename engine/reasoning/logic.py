"""Three-valued (Kleene) logic over partially known facts, compiled once from rules/.

A condition of rules/ (see the header of rules/tests.yaml) is compiled, for one set of
interpretive parameters and one doctrine's settings, into an expression tree whose leaves
are *atoms*: one comparison over one to three stated facts. Each atom is decided by
supervaluation, as DOCTRINES §3 asks: "a comparison with an unknown fact is unknown,
unless every value the fact could take gives the same answer". For that, each fact's
values are cut into *cells* on which the comparison cannot change (enum values, true and
false, number intervals between the thresholds), and a table gives the atom's status for
every combination of known cells and unknowns. Atoms combine by Kleene's AND/OR/NOT.

The same compiled tree serves twice:
- `sat_condition`/`fail_condition` render it as durable-rules conditions (the rules the
  Rete engine runs: a test rule fires when its "satisfied" or its "failed" form matches);
- `status` evaluates it directly in Python (the fast path), from the same tables.
A differential test checks that the two agree on generated scenarios.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.errors import RulesError
from engine.law import conditions as cond
from engine.law.conditions import SettingValue
from engine.law.definitions import Law

UNKNOWN = -1


class _Absent:
    """The effective gravity of an attack that did not happen (rules/facts.yaml, `none`)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class Status(StrEnum):
    SATISFIED = "satisfied"
    FAILED = "failed"
    UNKNOWN = "unknown"


def field_name(fact: str) -> str:
    """The flat field name of a fact inside the durable-rules scenario fact."""
    return fact.replace(".", "__")


# ---------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Interval:
    lo: float
    lo_closed: bool
    hi: float  # math.inf when unbounded
    hi_closed: bool

    def contains(self, x: float) -> bool:
        above = x > self.lo or (self.lo_closed and x == self.lo)
        below = x < self.hi or (self.hi_closed and x == self.hi)
        return above and below

    def representative(self) -> float:
        if self.lo == self.hi:
            return self.lo
        if math.isinf(self.hi):
            return self.lo + 1.0
        return self.lo / 2 + self.hi / 2  # (lo + hi) / 2 overflows to inf near 1e308


@dataclass(frozen=True)
class FactCells:
    """The cells of one fact for one atom."""

    fact: str
    kind: str  # enum | bool | number
    values: tuple[Any, ...]  # enum/bool values, or Interval per cell
    domain: Interval | None = None
    phantom: int = 0  # trailing values an unknown fact may take but none can state

    @property
    def real(self) -> int:
        return len(self.values) - self.phantom

    def locate(self, value: Any) -> int:
        if value is None:
            return UNKNOWN
        if self.kind == "number":
            for i, cell in enumerate(self.values):
                if cell.contains(float(value)):
                    return i
            raise ValueError(f"{self.fact}={value!r} is outside its domain")
        return self.values.index(value)

    def representative(self, index: int) -> Any:
        cell = self.values[index]
        return cell.representative() if self.kind == "number" else cell

    # durable-rules condition for "the fact's cell is one of `indices`" (UNKNOWN included)
    def condition(self, indices: frozenset[int]) -> Cond:
        f = field_name(self.fact)
        known = sorted(i for i in indices if i != UNKNOWN)
        parts: list[Cond] = []
        if len(known) == self.real:
            if UNKNOWN in indices:
                return TRUE
            return {"$ex": {f: 1}}
        if self.kind == "number":
            for run in _runs(known):
                first, last = self.values[run[0]], self.values[run[-1]]
                assert self.domain is not None
                bounds: list[Cond] = []
                if not (first.lo == self.domain.lo and first.lo_closed):
                    bounds.append({("$gte" if first.lo_closed else "$gt"): {f: first.lo}})
                if not (math.isinf(last.hi) or (last.hi == self.domain.hi and last.hi_closed)):
                    bounds.append({("$lte" if last.hi_closed else "$lt"): {f: last.hi}})
                parts.append(c_and(bounds) if bounds else {"$ex": {f: 1}})
        else:
            excluded = [v for i, v in enumerate(self.values[:self.real]) if i not in known]
            if len(excluded) < len(known):
                # "any stated value but these": fewer terms, and no $or for durable-rules to
                # multiply out (its rules have a size limit, error 113)
                parts.append(c_and([{"$neq": {f: v}} for v in excluded]))
            else:
                parts.extend({f: self.values[i]} for i in known)
        if UNKNOWN in indices:
            parts.append({"$nex": {f: 1}})
        return c_or(parts)


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def number_cells(fact: str, lo: float, hi: float | None, thresholds: list[float]) -> FactCells:
    top = math.inf if hi is None else hi
    points = sorted({t for t in thresholds if lo <= t <= top})
    cells: list[Interval] = []
    cursor, closed = lo, True
    for p in points:
        if p > cursor:
            cells.append(Interval(cursor, closed, p, False))
        cells.append(Interval(p, True, p, True))
        cursor, closed = p, False
    if cursor < top or (cursor == top and closed):
        cells.append(Interval(cursor, closed, top, hi is not None))
    return FactCells(fact, "number", tuple(cells), Interval(lo, True, top, hi is not None))


# ---------------------------------------------------------------- durable conditions

Cond = Any  # a durable-rules condition (dict), or TRUE / FALSE
TRUE: Cond = {"$true": 1}
FALSE: Cond = {"$false": 1}


def c_and(parts: list[Cond]) -> Cond:
    parts = [p for p in parts if p is not TRUE]
    if any(p is FALSE for p in parts):
        return FALSE
    if not parts:
        return TRUE
    if len(parts) == 1:
        return parts[0]
    flat: list[Cond] = []
    for p in parts:
        flat.extend(p["$and"] if "$and" in p and len(p) == 1 else [p])
    return {"$and": flat}


def c_or(parts: list[Cond]) -> Cond:
    parts = [p for p in parts if p is not FALSE]
    if any(p is TRUE for p in parts):
        return TRUE
    if not parts:
        return FALSE
    if len(parts) == 1:
        return parts[0]
    flat: list[Cond] = []
    for p in parts:
        flat.extend(p["$or"] if "$or" in p and len(p) == 1 else [p])
    return {"$or": flat}


# ---------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Atom:
    """One comparison, decided by supervaluation over its facts' cells."""

    text: str
    cells: tuple[FactCells, ...]
    table: Mapping[tuple[int, ...], Status]
    node: cond.Node | None = None  # the comparison of rules/ it decides (for its words)

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(c.fact for c in self.cells)

    def status(self, facts: Mapping[str, Any]) -> Status:
        return self.table[tuple(c.locate(facts.get(c.fact)) for c in self.cells)]

    def condition(self, outcome: Status) -> Cond:
        terms = [key for key, st in self.table.items() if st is outcome]
        if not terms:
            return FALSE
        merged = _merge([tuple(frozenset({i}) for i in key) for key in terms])
        return c_or([c_and([fc.condition(s) for fc, s in zip(self.cells, term, strict=True)])
                     for term in merged])


def _merge(terms: list[tuple[frozenset[int], ...]]) -> list[tuple[frozenset[int], ...]]:
    """Merge product terms that differ in one position only (exact, not minimal)."""
    changed = True
    while changed:
        changed = False
        for pos in range(len(terms[0]) if terms else 0):
            groups: dict[tuple[frozenset[int], ...], set[int]] = defaultdict(set)
            for t in terms:
                groups[t[:pos] + t[pos + 1:]].update(t[pos])
            if len(groups) < len(terms):
                changed = True
            terms = [(*k[:pos], frozenset(v), *k[pos:]) for k, v in groups.items()]
    return terms


@dataclass(frozen=True)
class Const:
    value: bool
    text: str


@dataclass(frozen=True)
class All:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    part: Expr


Expr = Atom | Const | All | AnyOf | Not


def status(expr: Expr, facts: Mapping[str, Any]) -> Status:
    """Kleene evaluation of a compiled expression (the fast path)."""
    if isinstance(expr, Atom):
        return expr.status(facts)
    if isinstance(expr, Const):
        return Status.SATISFIED if expr.value else Status.FAILED
    if isinstance(expr, All):
        result = Status.SATISFIED
        for p in expr.parts:
            s = status(p, facts)
            if s is Status.FAILED:
                return Status.FAILED
            if s is Status.UNKNOWN:
                result = Status.UNKNOWN
        return result
    if isinstance(expr, AnyOf):
        result = Status.FAILED
        for p in expr.parts:
            s = status(p, facts)
            if s is Status.SATISFIED:
                return Status.SATISFIED
            if s is Status.UNKNOWN:
                result = Status.UNKNOWN
        return result
    s = status(expr.part, facts)
    return {Status.SATISFIED: Status.FAILED, Status.FAILED: Status.SATISFIED}.get(s, s)


def condition(expr: Expr, outcome: Status) -> Cond:
    """The durable-rules condition under which `expr` has `outcome` (satisfied/failed)."""
    if isinstance(expr, Atom):
        return expr.condition(outcome)
    if isinstance(expr, Const):
        return TRUE if expr.value == (outcome is Status.SATISFIED) else FALSE
    if isinstance(expr, Not):
        flip = Status.FAILED if outcome is Status.SATISFIED else Status.SATISFIED
        return condition(expr.part, flip)
    parts = [condition(p, outcome) for p in expr.parts]
    conj = isinstance(expr, All) == (outcome is Status.SATISFIED)
    return c_and(parts) if conj else c_or(parts)


def atoms(expr: Expr) -> Iterator[Atom]:
    """The comparisons of an expression, left to right (the analyses, the tables and the
    what-if candidates all read them from here)."""
    if isinstance(expr, Atom):
        yield expr
    elif isinstance(expr, All | AnyOf):
        for p in expr.parts:
            yield from atoms(p)
    elif isinstance(expr, Not):
        yield from atoms(expr.part)


def facts_read(expr: Expr) -> list[str]:
    """The stated facts an expression reads, in order, without duplicates."""
    return list(dict.fromkeys(f for atom in atoms(expr) for f in atom.facts))


# ------------------------------------------------------------------------- compiler


class Compiler:
    """Compile conditions of rules/ for one parameter set."""

    def __init__(self, law: Law, params: Mapping[str, Any]) -> None:
        self.law = law
        self.params = params

    # --- values -------------------------------------------------------------------

    def scale(self, fact: str) -> dict[str, int] | None:
        if fact in self.law.derived:
            return self.law.scales[self.law.derived[fact]["scale"]]
        name = self.law.scale_of.get(fact)
        return self.law.scales[name] if name else None

    def rank(self, fact: str, value: Any) -> int:
        """The rank of a value of an ordinal (possibly derived) fact; ABSENT ranks lowest."""
        if value is ABSENT:
            return self.law.derived_facts[fact].none_rank
        scale = self.scale(fact)
        assert scale is not None
        return scale[value]

    def bases(self, fact: str) -> list[str]:
        """The stated facts a (possibly derived) fact is computed from."""
        d = self.law.derived_facts.get(fact)
        return [fact] if d is None else d.bases()

    def value(self, fact: str, assign: Mapping[str, Any]) -> Any:
        """A (possibly derived) fact's value under a complete assignment."""
        d = self.law.derived_facts.get(fact)
        if d is None:
            return assign[fact]
        if d.none_when is not None and self.holds(d.none_when, assign):
            return ABSENT
        v = assign[d.base]
        if d.raise_when is not None and v == d.raise_from and self.holds(d.raise_when, assign):
            return d.raise_to
        return v

    def holds(self, node: cond.Node, assign: Mapping[str, Any]) -> bool:
        """Two-valued truth of a simple condition under a complete assignment."""
        if isinstance(node, cond.FactIs):
            return bool(assign[node.fact] == node.value)
        if isinstance(node, cond.FactIn) and isinstance(node.values, tuple):
            return self.value(node.fact, assign) in node.values
        raise RulesError(f"unsupported condition in a derived fact: {node}")

    def resolve(self, ref: Any, settings: Mapping[str, SettingValue]) -> Any:
        """A threshold or set: a literal, a parameter, or a doctrine setting (a choice
        parameter may override the doctrine's own setting)."""
        return cond.resolve(ref, self.params, settings, self.law.choices())

    # --- compile ------------------------------------------------------------------

    def compile(self, node: cond.Node, settings: Mapping[str, SettingValue]) -> Expr:
        """A typed condition of rules/ (engine/law/conditions.py) as an expression tree."""
        if isinstance(node, cond.All):
            return _fold(All(tuple(self.compile(n, settings) for n in node.parts)))
        if isinstance(node, cond.AnyOf):
            return _fold(AnyOf(tuple(self.compile(n, settings) for n in node.parts)))
        if isinstance(node, cond.Not):
            return Not(self.compile(node.part, settings))
        if isinstance(node, cond.DoctrineSetting):
            if node.name not in settings:
                raise RulesError(f"doctrine setting '{node.name}' is not defined")
            v = self.resolve(settings[node.name], settings)
            return Const(bool(v), f"{node.name} = {str(v).lower()}")
        return self.atom(node, settings)

    def atom(self, node: cond.Node, settings: Mapping[str, SettingValue]) -> Atom:
        if not isinstance(node, cond.FactIs | cond.FactIn | cond.AtLeast | cond.AtMost
                          | cond.AtMostFact):
            raise RulesError(f"unsupported condition: {node}")
        fact = node.fact
        facts = self.bases(fact)
        pred: Callable[[Mapping[str, Any]], bool]
        thresholds: dict[str, list[float]] = defaultdict(list)
        scale = self.scale(fact)

        if isinstance(node, cond.FactIs):
            want = node.value
            pred = lambda a: a[fact] == want  # noqa: E731
            text = f"{fact} is {str(want).lower()}"
        elif isinstance(node, cond.FactIn):
            allowed = list(self.resolve(node.values, settings))
            pred = lambda a: self.value(fact, a) in allowed  # noqa: E731
            text = f"{fact} in {{{', '.join(allowed)}}}"
        elif isinstance(node, cond.AtMostFact):
            other = node.other
            facts = list(dict.fromkeys(facts + self.bases(other)))
            s1, s2 = scale, self.scale(other)
            if s1 is None or s2 is None:
                raise RulesError(f"at_most_fact needs two ordinal facts: {node}")
            pred = lambda a: (  # noqa: E731
                self.rank(fact, self.value(fact, a)) <= self.rank(other, self.value(other, a)))
            text = f"rank({fact}) <= rank({other})"
        else:
            ge = isinstance(node, cond.AtLeast)
            ref = node.bound
            if isinstance(ref, cond.KeyedParameterRef):
                table = self.params[ref.name]
                key_fact = ref.key
                facts = list(dict.fromkeys(facts + self.bases(key_fact)))

                def keyed(a: Mapping[str, Any]) -> bool:
                    t = table.get(self.value(key_fact, a))
                    if t is None:
                        return False
                    v = self.value(fact, a)
                    return bool(v >= t) if ge else bool(v <= t)

                pred = keyed
                thresholds[fact].extend(float(v) for v in table.values())
                text = (f"{fact} {'>=' if ge else '<='} {ref.name}[{key_fact}] "
                        f"({', '.join(f'{k} {v}' for k, v in table.items())})")
            else:
                bound = self.resolve(ref, settings)
                if scale is not None:
                    if bound not in scale:
                        raise RulesError(f"{bound!r} is not on the scale of {fact}")
                    rank = scale[bound]
                    pred = (lambda a: self.rank(fact, self.value(fact, a)) >= rank) if ge else (
                        lambda a: self.rank(fact, self.value(fact, a)) <= rank)
                else:
                    num = float(bound)
                    thresholds[fact].append(num)
                    pred = (lambda a: a[fact] >= num) if ge else (lambda a: a[fact] <= num)
                label = cond.parameter_of(ref, settings) if isinstance(
                    ref, cond.ParameterRef) else ""
                shown = f"{bound}" + (f" ({label})" if label else "")
                text = f"{fact} {'>=' if ge else '<='} {shown}"

        cells = tuple(self.cells(f, thresholds.get(f, [])) for f in facts)
        return Atom(text=text, cells=cells, table=_supervaluate(cells, pred), node=node)

    def cells(self, fact: str, thresholds: list[float]) -> FactCells:
        info = self.law.facts.get(fact)
        if info is None:
            raise RulesError(f"unknown fact {fact}")
        if info["kind"] in ("enum", "bool"):
            return FactCells(fact, info["kind"], tuple(info["values"]))
        if info["kind"] == "number":
            return number_cells(fact, info["min"], info["max"], thresholds)
        raise RulesError(f"fact {fact} cannot be compared")


def _fold(expr: All | AnyOf) -> Expr:
    """Fold constants: a doctrine setting that settles a part settles it for good, and the
    facts under a settled part are no longer read (nor asked for as missing facts)."""
    settle = isinstance(expr, AnyOf)  # the constant that decides: True for any, False for all
    for p in expr.parts:
        if isinstance(p, Const) and p.value == settle:
            return p
    parts = tuple(p for p in expr.parts if not isinstance(p, Const))
    if not parts:
        return Const(not settle, "always" if not settle else "never")
    if len(parts) == 1:
        return parts[0]
    return type(expr)(parts)


def _supervaluate(cells: tuple[FactCells, ...],
                  pred: Callable[[Mapping[str, Any]], bool]) -> dict[tuple[int, ...], Status]:
    """Status of the predicate for every mix of known cells and unknown facts."""
    choices = [[UNKNOWN, *range(c.real)] for c in cells]
    table: dict[tuple[int, ...], Status] = {}
    for key in itertools.product(*choices):
        options = [range(len(c.values)) if k == UNKNOWN else (k,)
                   for c, k in zip(cells, key, strict=True)]
        outcomes = set()
        for completion in itertools.product(*options):
            assign = {c.fact: c.representative(i) for c, i in zip(cells, completion, strict=True)}
            outcomes.add(bool(pred(assign)))
            if len(outcomes) == 2:
                break
        if outcomes == {True}:
            table[key] = Status.SATISFIED
        elif outcomes == {False}:
            table[key] = Status.FAILED
        else:
            table[key] = Status.UNKNOWN
    return table


__all__ = [
    "FALSE",
    "TRUE",
    "All",
    "AnyOf",
    "Atom",
    "Compiler",
    "Const",
    "Expr",
    "Not",
    "Status",
    "atoms",
    "condition",
    "facts_read",
    "field_name",
    "status",
]
