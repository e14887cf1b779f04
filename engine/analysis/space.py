"""The space of scenarios, and exact counting over it, derived from the compiled network.

**The space.** Every fact the tests read is either unknown or lies in one of its *cells*:
each enum value, true or false, and for a number each interval cut by the thresholds the
compiled atoms compare it with (for several networks, the union of their thresholds). A
text fact counts as two cells, stated or unknown (only `territory.state` matters, through
the `territory.international` default, which is found by asking the Scenario model itself,
not written here). Shares count every combination of cells with equal weight, each fact
independently, unknown included.

**Counting.** Each test's status is a table over its facts' options, composed with numpy
from the atom tables of engine/logic.py (Kleene AND = min, OR = max, NOT = 2 - x over
failed 0, unknown 1, satisfied 2). Tests that share facts form components; within a
component, variable elimination (sum-product for counts, min-plus for the fewest stated
facts, with back-tracking for a witness) gives every realizable combination of test
statuses. A route's status is the Kleene AND of its tests, so each component is projected
onto its part of every route, and the components are combined by elementwise min. The
result is a small table: every realizable vector of route statuses, its exact count, and
a witness scenario with the fewest stated facts. Verdicts are read off that table with
`network.doctrine_verdict`, the one Python reading of DOCTRINES §4.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..law.definitions import load
from ..law.scenario import Scenario, fact_catalogue
from ..reasoning.logic import (
    All,
    AnyOf,
    Atom,
    Const,
    Expr,
    FactCells,
    Interval,
    Not,
    atoms,
    number_cells,
)
from ..reasoning.network import Network, doctrine_verdict, route_status
from ..reasoning.vector import CODE, FAILED, SATISFIED, STATUS_NAMES, UNKNOWN_CODE

UNKNOWN = UNKNOWN_CODE
INF = np.int64(1) << 40
TEXT_VALUE = "X"  # the stated value of a text fact in an example scenario

Int = NDArray[np.int64]


def _check_route_reading() -> None:
    """Route = Kleene AND = min over (failed 0, unknown 1, satisfied 2): checked against
    `network.route_status`, the authoritative Python reading, so a change there is caught."""
    for n in (1, 2, 3):
        for combo in itertools.product(range(3), repeat=n):
            if route_status(STATUS_NAMES[c] for c in combo) != STATUS_NAMES[min(combo)]:
                raise AssertionError("network.route_status is no longer a Kleene AND")


_check_route_reading()


# ----------------------------------------------------------------------------- facts


@dataclass
class FactAxis:
    """One fact of the space: option 0 is unknown, option i >= 1 is cell i - 1."""

    fact: str
    kind: str  # enum | bool | number | text
    cells: tuple[Any, ...]  # values, Interval per cell, or ("stated",) for text
    ranks: Mapping[Any, int] | None = None
    domain: Interval | None = None

    @property
    def size(self) -> int:
        return len(self.cells) + 1

    def option_of(self, value: Any) -> int:
        if value is None:
            return 0
        if self.kind == "text":
            return 1 if value else 0
        if self.kind == "number":
            for i, cell in enumerate(self.cells):
                if cell.contains(float(value)):
                    return i + 1
            raise ValueError(f"{self.fact}={value!r} is outside its domain")
        return self.cells.index(value) + 1

    def value(self, option: int, near: Any = None) -> Any:
        """A value in the option's cell (None for unknown), as near `near` as the cell
        allows when it is a number."""
        if option == 0:
            return None
        cell = self.cells[option - 1]
        if self.kind == "text":
            return TEXT_VALUE
        if self.kind != "number":
            return cell
        return self._fit(cell, self._number(cell, near))

    def _fit(self, cell: Interval, x: float) -> float | int:
        """x, tidied (a whole number, or 6 decimals) when that stays inside the cell."""
        if not cell.contains(x):  # a step too small for the float, or too large
            x = float(np.nextafter(cell.lo, np.inf)) if x <= cell.lo else \
                float(np.nextafter(cell.hi, -np.inf))
        tidy = _tidy(x)
        return tidy if cell.contains(float(tidy)) else x

    def _number(self, cell: Interval, near: Any) -> float:
        if isinstance(near, int | float) and not isinstance(near, bool) and cell.contains(near):
            return float(near)
        if cell.lo == cell.hi:
            return cell.lo
        step = 0.01 if self.domain is not None and self.domain.hi <= 1 else 1.0
        if isinstance(near, int | float) and not isinstance(near, bool):
            if near <= cell.lo:
                half = min(step, (cell.hi - cell.lo) / 2)
                return cell.lo if cell.lo_closed else cell.lo + half
            if not math.isinf(cell.hi):
                half = min(step, (cell.hi - cell.lo) / 2)
                return cell.hi if cell.hi_closed else cell.hi - half
        if math.isinf(cell.hi):
            return cell.lo if cell.lo_closed else cell.lo + step
        return cell.representative()

    def describe(self, option: int) -> str:
        if option == 0:
            return "unknown"
        cell = self.cells[option - 1]
        if self.kind == "text":
            return "stated"
        if self.kind == "number":
            if cell.lo == cell.hi:
                return f"= {_tidy(cell.lo)}"
            lo = f"{'≥' if cell.lo_closed else '>'} {_tidy(cell.lo)}"
            top = self.domain is not None and cell.hi == self.domain.hi and cell.hi_closed
            if math.isinf(cell.hi) or top:
                return lo if cell.lo > 0 or not cell.lo_closed else "any"
            hi = f"{'≤' if cell.hi_closed else '<'} {_tidy(cell.hi)}"
            return f"{lo} and {hi}" if (cell.lo > 0 or not cell.lo_closed) else hi
        return str(cell).lower()

    def distance(self, a: int, b: int, near: Any = None) -> float:
        """How far option b is from option a (ordinal steps; numbers: the difference)."""
        if a == b or a == 0 or b == 0:
            return 0.0
        if self.ranks is not None:
            return float(abs(self.ranks[self.cells[a - 1]] - self.ranks[self.cells[b - 1]]))
        if self.kind == "number":
            va = near if near is not None else self.value(a)
            return float(abs(float(self.value(b, va)) - float(va)))
        return 0.0


def _tidy(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 6)


def _nest(dotted: str, value: Any) -> dict[str, Any]:
    group, name = dotted.split(".", 1)
    return {group: {name: value}}


def text_fillers(read: Iterable[str]) -> dict[str, tuple[str, Any]]:
    """Facts whose unknown value the Scenario model fills from a stated text fact:
    {filled fact: (text fact, value)}, found by asking the model (DOCTRINES §2 default)."""
    read = list(read)
    out: dict[str, tuple[str, Any]] = {}
    for text, info in fact_catalogue().items():
        if info["kind"] != "text":
            continue
        facts = Scenario.model_validate(_nest(text, TEXT_VALUE)).facts()
        for f in read:
            if f != text and facts.get(f) is not None:
                out[f] = (text, facts[f])
    return out


class Space:
    """The facts read by the tests of one or more networks, with their options."""

    def __init__(self, nets: Sequence[Network]) -> None:
        law = load()
        per_fact: dict[str, list[FactCells]] = {}
        for net in nets:
            for inst in [*net.tests.values(), net.weighing]:
                for atom in atoms(inst.expr):
                    for fc in atom.cells:
                        per_fact.setdefault(fc.fact, []).append(fc)
        self.fillers = text_fillers(per_fact)
        axes: dict[str, FactAxis] = {}
        for fact, fcs in per_fact.items():
            first = fcs[0]
            scale = law.scale_of.get(fact)
            ranks = law.scales[scale] if scale else None
            if first.kind == "number":
                assert first.domain is not None
                points: set[float] = set()
                for fc in fcs:
                    # every threshold is a point cell of the atom (logic.number_cells)
                    points |= {cell.lo for cell in fc.values if cell.lo == cell.hi}
                hi = None if math.isinf(first.domain.hi) else first.domain.hi
                cells = number_cells(fact, first.domain.lo, hi, sorted(points))
                axes[fact] = FactAxis(fact, "number", cells.values, None, cells.domain)
            else:
                axes[fact] = FactAxis(fact, first.kind, first.values[:first.real], ranks)
        for text, _ in self.fillers.values():
            axes.setdefault(text, FactAxis(text, "text", ("stated",)))
        self.axes = axes
        self.facts = list(axes)
        self._atom_cache: dict[int, tuple[tuple[str, ...], NDArray[np.int8]]] = {}

    # --- test tables ------------------------------------------------------------------

    def test_facts(self, expr: Expr, defaults: bool = True) -> tuple[str, ...]:
        out: list[str] = []
        for atom in atoms(expr):
            for fc in atom.cells:
                out.append(fc.fact)
                if defaults and fc.fact in self.fillers:
                    out.append(self.fillers[fc.fact][0])
        return tuple(dict.fromkeys(out))

    def table(self, expr: Expr, defaults: bool = True
              ) -> tuple[tuple[str, ...], NDArray[np.int8]]:
        """The status (0 failed, 1 unknown, 2 satisfied) of `expr` for every combination of
        options of the facts it reads: composed from its atoms' supervaluation tables.
        With defaults=False, over the facts' effective values (no text-fact default)."""
        facts = self.test_facts(expr, defaults)
        shape = tuple(self.axes[f].size for f in facts)
        arr = self._compose(expr, facts)
        return facts, np.broadcast_to(arr, shape).astype(np.int8)

    def _compose(self, expr: Expr, facts: tuple[str, ...]) -> NDArray[np.int8]:
        if isinstance(expr, Const):
            return np.array(SATISFIED if expr.value else FAILED, dtype=np.int8)
        if isinstance(expr, Atom):
            return self._atom(expr, facts)
        if isinstance(expr, Not):
            return (2 - self._compose(expr.part, facts)).astype(np.int8)
        assert isinstance(expr, All | AnyOf)
        parts = [self._compose(p, facts) for p in expr.parts]
        op = np.minimum if isinstance(expr, All) else np.maximum
        out = parts[0]
        for p in parts[1:]:
            out = op(out, p)
        return out

    def _atom(self, atom: Atom, facts: tuple[str, ...]) -> NDArray[np.int8]:
        n = len(facts)
        base = np.empty(tuple(fc.real + 1 for fc in atom.cells), dtype=np.int8)
        for key, st in atom.table.items():
            base[tuple(k + 1 for k in key)] = CODE[st]  # UNKNOWN (-1) -> 0
        index = []
        for fc in atom.cells:
            axis = self.axes[fc.fact]
            local = np.array([0] + [fc.locate(self._probe(axis, o)) + 1
                                    for o in range(1, axis.size)], dtype=np.intp)
            shape = [1] * n
            shape[facts.index(fc.fact)] = axis.size
            idx = local.reshape(shape)
            if fc.fact in self.fillers and self.fillers[fc.fact][0] in facts:
                text, value = self.fillers[fc.fact]
                t_shape = [1] * n
                t_shape[facts.index(text)] = 2
                stated = np.array([0, 1], dtype=np.intp).reshape(t_shape)
                filled = fc.locate(value) + 1
                idx = np.where((idx == 0) & (stated == 1), filled, idx)
            index.append(idx)
        return base[tuple(index)]

    @staticmethod
    def _probe(axis: FactAxis, option: int) -> Any:
        if axis.kind == "number":
            return axis.cells[option - 1].representative()
        return axis.cells[option - 1]

    # --- scenarios --------------------------------------------------------------------

    def options_of(self, facts: Mapping[str, Any], raw: Mapping[str, Any] | None = None
                   ) -> dict[str, int]:
        """The option of every fact of the space in a scenario's facts. `raw` (the facts as
        stated, before the model's defaults) decides whether a filled fact was stated."""
        out = {}
        for f, axis in self.axes.items():
            v = (raw if raw is not None and f in self.fillers else facts).get(f)
            out[f] = axis.option_of(v)
        return out

    def document(self, options: Mapping[str, int], near: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
        """A scenario document with these options (unknown facts left out)."""
        doc: dict[str, Any] = {}
        for f, o in options.items():
            if o == 0:
                continue
            v = self.axes[f].value(o, (near or {}).get(f))
            group, name = f.split(".", 1)
            doc.setdefault(group, {})[name] = v
        return doc


# ----------------------------------------------------------------- variable elimination


@dataclass
class Factor:
    vars: tuple[str, ...]
    count: Int
    cost: Int


def _align(f: Factor, order: tuple[str, ...]) -> tuple[Int, Int]:
    """f's arrays transposed and reshaped to broadcast over `order`."""
    perm = [f.vars.index(v) for v in order if v in f.vars]
    shape = [f.count.shape[f.vars.index(v)] if v in f.vars else 1 for v in order]
    return (np.transpose(f.count, perm).reshape(shape),
            np.transpose(f.cost, perm).reshape(shape))


def _product(factors: list[Factor]) -> Factor:
    order = tuple(dict.fromkeys(v for f in factors for v in f.vars))
    count: Int | None = None
    cost: Int | None = None
    for f in factors:
        c, k = _align(f, order)
        count = c if count is None else count * c
        cost = k if cost is None else cost + k
    assert count is not None and cost is not None
    return Factor(order, count, np.minimum(cost, INF))


@dataclass
class Bucket:
    var: str
    vars: tuple[str, ...]
    cost: Int


@dataclass
class ComponentTable:
    """Every combination of a component's test statuses: count and fewest stated facts."""

    tests: tuple[str, ...]
    count: Int  # shape (3,) * len(tests)
    cost: Int
    buckets: list[Bucket]
    facts: tuple[str, ...]

    def witness(self, statuses: Sequence[int]) -> dict[str, int]:
        """The options of this component's facts in a fewest-stated-facts scenario with
        these test statuses (back-tracking through the elimination)."""
        assign: dict[str, int] = {f"s:{t}": s for t, s in zip(self.tests, statuses, strict=True)}
        for b in reversed(self.buckets):
            idx = tuple(slice(None) if v == b.var else assign[v] for v in b.vars)
            assign[b.var] = int(np.argmin(b.cost[idx]))
        return {f: assign[f] for f in self.facts}


def eliminate(space: Space, tests: Mapping[str, tuple[tuple[str, ...], NDArray[np.int8]]],
              fixed: Mapping[str, int] | None = None) -> ComponentTable:
    """Variable elimination over the facts of one component of tests (a fact in `fixed`
    takes only that option)."""
    fixed = fixed or {}
    names = tuple(tests)
    facts = tuple(dict.fromkeys(f for fs, _ in tests.values() for f in fs))
    factors: list[Factor] = []
    for t, (fs, table) in tests.items():
        onehot = (table[..., None] == np.arange(3, dtype=np.int8)).astype(np.int64)
        factors.append(Factor((*fs, f"s:{t}"), onehot, np.where(onehot == 1, 0, INF)))
    for f in facts:
        n = space.axes[f].size
        count = np.ones(n, dtype=np.int64)
        if f in fixed:
            count = (np.arange(n) == fixed[f]).astype(np.int64)
        cost = np.array([0] + [1] * (n - 1), dtype=np.int64)
        factors.append(Factor((f,), count, np.where(count == 1, cost, INF)))
    dims = {f: space.axes[f].size for f in facts} | {f"s:{t}": 3 for t in names}
    buckets: list[Bucket] = []
    todo = list(facts)
    while todo:
        def size(v: str, factors: list[Factor] = factors) -> int:
            vs = {u for fc in factors if v in fc.vars for u in fc.vars}
            return math.prod(dims[u] for u in vs)

        var = min(todo, key=size)
        todo.remove(var)
        inside = [fc for fc in factors if var in fc.vars]
        factors = [fc for fc in factors if var not in fc.vars]
        prod = _product(inside)
        axis = prod.vars.index(var)
        buckets.append(Bucket(var, prod.vars, prod.cost))
        rest = prod.vars[:axis] + prod.vars[axis + 1:]
        factors.append(Factor(rest, prod.count.sum(axis=axis), prod.cost.min(axis=axis)))
    final = _product(factors)
    order = tuple(f"s:{t}" for t in names)
    count, cost = _align(final, order)
    shape = (3,) * len(names)
    return ComponentTable(names, np.broadcast_to(count, shape).copy(),
                          np.broadcast_to(cost, shape).copy(), buckets, facts)


# ------------------------------------------------------------------ the route table


@dataclass
class Subject:
    """A doctrine under one network (one reading of the parameters)."""

    doctrine: str
    net: Network
    label: str = ""


@dataclass
class RouteVar:
    tests: tuple[str, ...]  # test ids of the analysis
    route: str  # route id (rules/routes.yaml)
    subjects: list[int] = field(default_factory=list)


class Analysis:
    """The exact table of realizable route-status vectors for some doctrines/readings."""

    def __init__(self, subjects: Sequence[Subject], fixed: Mapping[str, Any] | None = None
                 ) -> None:
        """`fixed`: facts held at a value (None: unknown); the space is then the
        combinations of the other facts."""
        self.subjects = list(subjects)
        nets: list[Network] = []
        for s in self.subjects:
            if all(s.net is not n for n in nets):
                nets.append(s.net)
        self.space = Space(nets)
        self.fixed = {f: self.space.axes[f].option_of(v) for f, v in (fixed or {}).items()
                      if f in self.space.axes}
        # tests, deduplicated by their table (two readings share what they read alike)
        self.tests: dict[str, tuple[tuple[str, ...], NDArray[np.int8]]] = {}
        self.test_info: dict[str, tuple[str, Network]] = {}  # id -> (instance key, net)
        by_table: dict[tuple[tuple[str, ...], bytes], str] = {}
        self.routes: list[RouteVar] = []
        route_by_tests: dict[tuple[str, ...], int] = {}
        self.doctrine_routes: list[list[int]] = []
        for si, s in enumerate(self.subjects):
            mine = []
            for ri in s.net.doctrines[s.doctrine].routes:
                ids = []
                for inst in ri.tests:
                    facts, table = self.space.table(inst.expr)
                    sig = (facts, table.tobytes())
                    tid = by_table.get(sig)
                    if tid is None:
                        tid = inst.key
                        if tid in self.tests:  # the same test read differently
                            tid = f"{inst.key}#{len(self.tests)}"
                        by_table[sig] = tid
                        self.tests[tid] = (facts, table)
                        self.test_info[tid] = (inst.key, s.net)
                    ids.append(tid)
                key = tuple(sorted(set(ids)))
                r = route_by_tests.get(key)
                if r is None:
                    r = route_by_tests[key] = len(self.routes)
                    self.routes.append(RouteVar(key, ri.route.id))
                if si not in self.routes[r].subjects:
                    self.routes[r].subjects.append(si)
                mine.append(r)
            self.doctrine_routes.append(mine)
        self.components = self._components()
        self.tables = [eliminate(self.space, {t: self.tests[t] for t in comp}, self.fixed)
                       for comp in self.components]
        self._combine()

    def _components(self) -> list[list[str]]:
        parent = {t: t for t in self.tests}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        owner: dict[str, str] = {}
        for t, (facts, _) in self.tests.items():
            for f in facts:
                if f in owner:
                    parent[find(t)] = find(owner[f])
                else:
                    owner[f] = t
        groups: dict[str, list[str]] = {}
        for t in self.tests:
            groups.setdefault(find(t), []).append(t)
        return list(groups.values())

    def _combine(self) -> None:
        n_routes = len(self.routes)
        vec = np.full((1, n_routes), SATISFIED, dtype=np.int8)
        counts = np.ones(1, dtype=object)
        costs = np.zeros(1, dtype=np.int64)
        wit = np.zeros((1, 0), dtype=np.int64)
        for table in self.tables:
            flat = np.flatnonzero(table.count)
            st = np.array(np.unravel_index(flat, table.count.shape)).T.reshape(len(flat), -1)
            part = np.full((len(flat), n_routes), SATISFIED, dtype=np.int8)
            for r, rv in enumerate(self.routes):
                cols = [table.tests.index(t) for t in rv.tests if t in table.tests]
                if cols:
                    part[:, r] = st[:, cols].min(axis=1)
            p_vec, p_count, p_cost, p_wit = _group(part, table.count.ravel()[flat].astype(object),
                                                   table.cost.ravel()[flat], flat[:, None])
            a, b = len(vec), len(p_vec)
            vec_x = np.minimum(np.repeat(vec, b, axis=0), np.tile(p_vec, (a, 1)))
            count_x = np.repeat(counts, b) * np.tile(p_count, a)
            cost_x = np.repeat(costs, b) + np.tile(p_cost, a)
            wit_x = np.hstack([np.repeat(wit, b, axis=0), np.tile(p_wit, (a, 1))])
            vec, counts, costs, wit = _group(vec_x, count_x, cost_x, wit_x)
        # facts no test reads (the weighing factor, or a text fact no default reads) only
        # multiply every count; a fixed one is stated (one more stated fact) or not
        read = {f for t in self.tables for f in t.facts}
        free = [a for f, a in self.space.axes.items() if f not in read]
        scale = math.prod(1 if a.fact in self.fixed else a.size for a in free)
        self.free_fixed = {a.fact: o for a in free for f, o in self.fixed.items()
                           if f == a.fact}
        costs = costs + sum(1 for o in self.free_fixed.values() if o)
        self.vectors, self.counts, self.costs, self.witnesses = vec, counts * scale, costs, wit
        self.total = math.prod(1 if f in self.fixed else a.size
                               for f, a in self.space.axes.items())
        assert sum(self.counts) == self.total, "the route table does not cover the space"
        self.verdicts = np.array(
            [[doctrine_verdict([STATUS_NAMES[int(row[r])] for r in routes])
              for routes in self.doctrine_routes] for row in vec], dtype=object)

    # --- reading the table ------------------------------------------------------------

    def witness(self, row: int) -> dict[str, int]:
        """Options of every fact in the fewest-stated-facts scenario of a table row."""
        options = dict.fromkeys(self.space.facts, 0) | self.free_fixed
        for table, flat in zip(self.tables, self.witnesses[row], strict=True):
            statuses = np.unravel_index(int(flat), table.count.shape)
            options.update(table.witness([int(s) for s in statuses]))
        return options

    def scenario(self, row: int) -> dict[str, Any]:
        return self.space.document(self.witness(row))

    def route_name(self, r: int) -> str:
        rv = self.routes[r]
        law = load()
        route = law.routes[rv.route]
        whose = ", ".join(self.subject_name(s) for s in rv.subjects)
        return f"{route.code} {route.id} ({whose})"

    def subject_name(self, si: int) -> str:
        s = self.subjects[si]
        return s.doctrine + (f" [{s.label}]" if s.label else "")


def _group(vec: NDArray[np.int8], counts: NDArray[Any], costs: Int, wit: Int
           ) -> tuple[NDArray[np.int8], NDArray[Any], Int, Int]:
    """Rows with equal vectors merged: counts summed, the cheapest witness kept."""
    if len(vec) == 0:
        return vec, counts, costs, wit
    order = np.lexsort((costs, *vec.T[::-1]))
    vec, counts, costs, wit = vec[order], counts[order], costs[order], wit[order]
    new = np.ones(len(vec), dtype=bool)
    new[1:] = np.any(vec[1:] != vec[:-1], axis=1)
    starts = np.flatnonzero(new)
    summed = np.add.reduceat(counts, starts) if len(starts) else counts
    return vec[starts], summed, costs[starts], wit[starts]


__all__ = ["FAILED", "SATISFIED", "STATUS_NAMES", "UNKNOWN", "Analysis", "FactAxis",
           "Space", "Subject", "atoms", "eliminate", "text_fillers"]
