"""The vectorised engine: arrays of scenarios in, arrays of answers out (issue 12).

Derived from the compiled rule network (engine.network.build, one per parameter set), never
a second copy of the law:

- every stated fact the network reads gets one *global* cell partition: enum and bool
  values as they are, numbers cut at every threshold any atom of the network uses (each
  atom's cells are unions of these), plus one more cell, last, for *unknown*;
- every test instance (and the weighing test, and each class) becomes one lookup table
  over the global cells of the facts it reads (the product of their cell counts, unknown
  included), filled by evaluating the compiled expression's atoms (their own
  supervaluation tables, engine.logic) with Kleene's AND = min, OR = max, NOT = 2 - x over
  the codes FAILED 0 < UNKNOWN 1 < SATISFIED 2;
- a batch of scenarios is a cell-index array per fact; each test's status is one gather
  from its table; routes, verdicts, route choice and scores follow DOCTRINES §4–§5 as
  numpy reductions over the network's routes (the doctrines' routes in their order, each
  route's tests, `self_defence`) and the parameters in force.

`VectorEngine.for_parameters(params)` gives the engine of a parameter set (cached with its
network); `encode(facts_dicts)` turns flat fact dicts (Scenario.facts()) into cells;
`encode_values(fact, values)` does it for one fact's list of values (what `sweep` uses);
`run(cells, n)` evaluates. Differential tests keep it equal to the fast path and to
durable-rules.
"""

from __future__ import annotations

import gc
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.reasoning.logic import (
    All,
    AnyOf,
    Atom,
    Const,
    Expr,
    FactCells,
    Interval,
    Not,
    Status,
    atoms,
    number_cells,
)
from engine.reasoning.network import Network, TestInstance

FAILED, UNKNOWN_CODE, SATISFIED = 0, 1, 2
STATUS_NAMES = ("failed", "unknown", "satisfied")
VERDICTS = ("justified", "not_justified", "indeterminate")
JUSTIFIED, NOT_JUSTIFIED, INDETERMINATE = 0, 1, 2
CODE = {Status.FAILED: FAILED, Status.UNKNOWN: UNKNOWN_CODE, Status.SATISFIED: SATISFIED}

# a test whose table would exceed this is evaluated atom by atom on the scenarios instead
MAX_TABLE = 2_000_000

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
Cells = Mapping[str, npt.NDArray[Any]]


# ------------------------------------------------------------------------- fact cells


@dataclass(frozen=True)
class FactSpace:
    """The global cells of one stated fact: cells 0..n-1 are stated values, n is unknown."""

    fact: str
    kind: str  # enum | bool | number
    cells: FactCells
    n: int
    index: Mapping[Any, int]  # enum/bool value -> cell (None -> unknown)
    points: npt.NDArray[np.float64]  # numbers: the thresholds, sorted
    keymap: npt.NDArray[np.int64]  # numbers: (points < x) + (points <= x) -> cell

    @property
    def unknown(self) -> int:
        return self.n

    def representative(self, cell: int) -> Any:
        return None if cell == self.n else self.cells.representative(cell)

    def locate_numbers(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Cells of an array of numbers (NaN: unknown). Values are assumed in the domain."""
        key = (np.searchsorted(self.points, x, "left")
               + np.searchsorted(self.points, x, "right"))
        out: npt.NDArray[np.int64] = self.keymap[np.minimum(key, len(self.keymap) - 1)]
        out[np.isnan(x)] = self.n
        return out

    def encode(self, values: Sequence[Any]) -> npt.NDArray[np.int64]:
        """Cells of a list of values (None: unknown)."""
        if self.kind == "number":
            x = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
            return self.locate_numbers(x)
        try:
            return np.fromiter(map(self.index.__getitem__, values), dtype=np.int64,
                               count=len(values))
        except KeyError as exc:
            raise ValueError(f"{self.fact}={exc.args[0]!r} is not one of its values") from None


def _space(fact: str, seen: list[FactCells]) -> FactSpace:
    first = seen[0]
    if first.kind != "number":
        values = first.values[: first.real]
        index: dict[Any, int] = {v: i for i, v in enumerate(values)}
        index[None] = len(values)
        if first.kind == "bool":  # True == 1 in a dict: keep bools apart from numbers
            index = {True: values.index(True), False: values.index(False), None: len(values)}
        return FactSpace(fact, first.kind, first, len(values), index,
                         np.empty(0), np.empty(0, dtype=np.int64))
    dom = first.domain
    assert dom is not None
    points = sorted({c.lo for fc in seen for c in fc.values if c.lo == c.hi})
    cells = number_cells(fact, dom.lo, None if math.isinf(dom.hi) else dom.hi, points)
    pts = np.array(points, dtype=np.float64)
    keymap = np.full(2 * len(points) + 1, -1, dtype=np.int64)
    for i, cell in enumerate(cells.values):
        x = cell.representative()
        keymap[int(np.searchsorted(pts, x, "left") + np.searchsorted(pts, x, "right"))] = i
    # keys outside the domain never occur for valid values; map them to the nearest cell
    for k in range(len(keymap)):
        if keymap[k] < 0:
            keymap[k] = keymap[k - 1] if k > 0 and keymap[k - 1] >= 0 else 0
    return FactSpace(fact, "number", cells, len(cells.values), {}, pts, keymap)


# ---------------------------------------------------------------- Kleene over arrays


def _atom_map(space: FactSpace, fc: FactCells) -> I64:
    """Global cell -> the atom's own cell index in its table (unknown -> its last)."""
    out = np.empty(space.n + 1, dtype=np.int64)
    for g in range(space.n):
        rep = space.representative(g)
        out[g] = fc.locate(rep) if fc.kind == "number" else fc.values.index(rep)
    out[space.n] = fc.real
    return out


@dataclass
class _AtomTable:
    facts: tuple[str, ...]
    maps: tuple[I64, ...]
    strides: tuple[int, ...]
    table: U8


def _atom_table(atom: Atom, spaces: Mapping[str, FactSpace]) -> _AtomTable:
    dims = [fc.real + 1 for fc in atom.cells]
    arr = np.empty(dims, dtype=np.uint8)
    for key, st in atom.table.items():
        arr[tuple(k if k >= 0 else dims[i] - 1 for i, k in enumerate(key))] = CODE[st]
    strides = tuple(int(s) for s in np.cumprod([1, *dims[::-1]])[:-1][::-1])
    maps = tuple(_atom_map(spaces[fc.fact], fc) for fc in atom.cells)
    return _AtomTable(atom.facts, maps, strides, arr.ravel())


class _Kleene:
    """Evaluates compiled expressions over arrays of global cells."""

    def __init__(self, spaces: Mapping[str, FactSpace]) -> None:
        self.spaces = spaces
        self._atoms: dict[int, _AtomTable] = {}

    def eval(self, expr: Expr, cells: Cells, n: int) -> U8:
        if isinstance(expr, Atom):
            at = self._atoms.get(id(expr))
            if at is None:
                at = self._atoms[id(expr)] = _atom_table(expr, self.spaces)
            flat = np.zeros(n, dtype=np.int64)
            for f, m, s in zip(at.facts, at.maps, at.strides, strict=True):
                flat += m[cells[f]] * s
            return at.table[flat]
        if isinstance(expr, Const):
            return np.full(n, SATISFIED if expr.value else FAILED, dtype=np.uint8)
        if isinstance(expr, All):
            out = self.eval(expr.parts[0], cells, n)
            for p in expr.parts[1:]:
                out = np.minimum(out, self.eval(p, cells, n))
            return out
        if isinstance(expr, AnyOf):
            out = self.eval(expr.parts[0], cells, n)
            for p in expr.parts[1:]:
                out = np.maximum(out, self.eval(p, cells, n))
            return out
        assert isinstance(expr, Not)
        return (SATISFIED - self.eval(expr.part, cells, n)).astype(np.uint8)


@dataclass
class TestTable:
    """One test instance (or class) as a lookup table over its facts' global cells."""

    key: str
    expr: Expr
    facts: tuple[str, ...]
    strides: tuple[int, ...]
    table: U8 | None  # None: too large, evaluated atom by atom

    @property
    def size(self) -> int:
        return 0 if self.table is None else int(self.table.size)


def _test_table(key: str, expr: Expr, spaces: Mapping[str, FactSpace], k: _Kleene) -> TestTable:
    facts = tuple(dict.fromkeys(a for atom in atoms(expr) for a in atom.facts))
    dims = [spaces[f].n + 1 for f in facts]
    size = math.prod(dims)
    strides = tuple(int(s) for s in np.cumprod([1, *dims[::-1]])[:-1][::-1])
    if size > MAX_TABLE:
        return TestTable(key, expr, facts, strides, None)
    grid = np.indices(dims, dtype=np.int64).reshape(len(dims), size) if dims else np.zeros(
        (0, 1), dtype=np.int64)
    table = k.eval(expr, {f: grid[i] for i, f in enumerate(facts)}, max(size, 1))
    return TestTable(key, expr, facts, strides, table)


# ------------------------------------------------------------------------- the engine


@dataclass
class VectorResult:
    """Answers for n scenarios: codes into the name tuples."""

    n: int
    classes: tuple[str, ...]
    classification: npt.NDArray[np.integer[Any]]
    tests: dict[str, U8]  # test instance key -> status codes
    doctrines: dict[str, DoctrineArrays]

    def take(self, idx: npt.NDArray[np.int64]) -> VectorResult:
        """The answers of scenarios `idx` (test statuses included)."""
        return VectorResult(len(idx), self.classes, self.classification[idx],
                            {k: v[idx] for k, v in self.tests.items()},
                            {d: a.take(idx) for d, a in self.doctrines.items()})

    def compact(self) -> VectorResult:
        """The same answers in small integers and without test statuses (to send between
        processes or machines: 26 bytes a scenario for six doctrines)."""
        return VectorResult(self.n, self.classes, self.classification.astype(np.int8), {},
                            {d: DoctrineArrays(a.routes, a.verdict.astype(np.int8),
                                               a.route.astype(np.int8),
                                               a.score.astype(np.int16),
                                               a.score_max.astype(np.int16))
                             for d, a in self.doctrines.items()})

    def record(self, i: int) -> dict[str, Any]:
        """Scenario i as plain values (for tests and the batch runner)."""
        return {"classification": self.classes[int(self.classification[i])],
                "doctrines": {d: a.record(i) for d, a in self.doctrines.items()}}


@dataclass
class DoctrineArrays:
    routes: tuple[str, ...]  # route ids, in the doctrine's order
    verdict: npt.NDArray[np.integer[Any]]  # into VERDICTS
    route: npt.NDArray[np.integer[Any]]  # into routes
    score: npt.NDArray[np.integer[Any]]
    score_max: npt.NDArray[np.integer[Any]]

    def take(self, idx: npt.NDArray[np.int64]) -> DoctrineArrays:
        return DoctrineArrays(self.routes, self.verdict[idx], self.route[idx], self.score[idx],
                              self.score_max[idx])

    def record(self, i: int) -> dict[str, Any]:
        return {"verdict": VERDICTS[int(self.verdict[i])],
                "route": self.routes[int(self.route[i])],
                "score": int(self.score[i]), "score_max": int(self.score_max[i])}


class VectorEngine:
    """The compiled network of one parameter set, as lookup tables over cells."""

    def __init__(self, net: Network) -> None:
        self.net = net
        exprs: list[Expr] = [t.expr for t in net.tests.values()]
        exprs += [net.weighing.expr, *(c.expr for c in net.classes)]
        seen: dict[str, list[FactCells]] = {}
        for e in exprs:
            for atom in atoms(e):
                for fc in atom.cells:
                    seen.setdefault(fc.fact, []).append(fc)
        self.spaces: dict[str, FactSpace] = {f: _space(f, fcs) for f, fcs in seen.items()}
        self.facts: tuple[str, ...] = tuple(self.spaces)
        k = _Kleene(self.spaces)
        self._kleene = k
        instances: list[TestInstance] = [*net.tests.values(), net.weighing]
        self.tests = {t.key: _test_table(t.key, t.expr, self.spaces, k) for t in instances}
        self.class_tables = [_test_table(c.cls.id, c.expr, self.spaces, k) for c in net.classes]
        self.class_names = tuple(c.cls.id for c in net.classes)
        self.penalty = _penalty(net)
        self._tables: Tables | None = None

    @staticmethod
    def for_parameters(params: Mapping[str, Any]) -> VectorEngine:
        from engine.evaluate import network_for

        return _engine_of(network_for(dict(params)))

    # --- input --------------------------------------------------------------------

    def encode(self, facts: Sequence[Mapping[str, Any]]) -> dict[str, I64]:
        """Cells of flat fact dicts (dotted names, None or absent for unknown)."""
        if not facts:
            return {f: np.empty(0, dtype=np.int64) for f in self.facts}
        getter = operator.itemgetter(*self.facts)
        # the row tuples are garbage at once and hold no cycles: without the collector
        # scanning every live object as they pile up, the conversion is 3x faster
        paused = gc.isenabled()
        gc.disable()
        try:
            try:  # one C-level pass per dict when every fact is a key (Scenario.facts())
                rows = list(map(getter, facts))
            except KeyError:
                rows = [tuple(d.get(f) for f in self.facts) for d in facts]
            columns = zip(*rows, strict=True) if len(self.facts) > 1 else ([r] for r in [rows])
            return {f: self.spaces[f].encode(col)
                    for f, col in zip(self.facts, columns, strict=True)}
        finally:
            if paused:
                gc.enable()

    def encode_values(self, fact: str, values: Sequence[Any]) -> I64 | None:
        """Cells of one fact's values, or None if no rule reads the fact."""
        sp = self.spaces.get(fact)
        return None if sp is None else sp.encode(values)

    def unknown_cells(self, n: int) -> dict[str, I64]:
        return {f: np.full(n, sp.unknown, dtype=np.int64) for f, sp in self.spaces.items()}

    # --- evaluation ---------------------------------------------------------------

    def _status(self, t: TestTable, cells: Cells, n: int) -> U8:
        if t.table is None:
            return self._kleene.eval(t.expr, cells, n)
        if not t.facts:
            return np.full(n, t.table[0], dtype=np.uint8)
        flat = cells[t.facts[0]] * t.strides[0]
        for f, s in zip(t.facts[1:], t.strides[1:], strict=True):
            flat = flat + cells[f] * s
        got: U8 = t.table[flat]
        return got

    def run(self, cells: Cells, n: int, doctrines: Iterable[str] | None = None) -> VectorResult:
        """Evaluate n scenarios given as cells (one int array of length n per fact)."""
        net = self.net
        st = {k: self._status(t, cells, n) for k, t in self.tests.items()}
        # classification: the first class satisfied (the last class is the catch-all)
        cls = np.full(n, len(self.class_names) - 1, dtype=np.int64)
        undecided = np.ones(n, dtype=bool)
        for i, t in enumerate(self.class_tables):
            hit = undecided & (self._status(t, cells, n) == SATISFIED)
            cls[hit] = i
            undecided &= ~hit
        reported = st[net.weighing.key]
        wanted = list(net.doctrines) if doctrines is None else list(doctrines)
        out: dict[str, DoctrineArrays] = {}
        for d_id in wanted:
            out[d_id] = self._doctrine(d_id, st, reported, cls, n)
        return VectorResult(n, self.class_names, cls, st, out)

    def decisive(self, res: VectorResult, d_id: str, i: int) -> list[str]:
        """The decisive tests of scenario i under a doctrine (DOCTRINES §5): for
        not_justified the failed tests of the route reported; for indeterminate the unknown
        tests of the routes without a failed test; for justified none."""
        plan = self.net.doctrines[d_id]
        a = res.doctrines[d_id]
        verdict = int(a.verdict[i])
        out: list[str] = []
        if verdict == NOT_JUSTIFIED:
            chosen = plan.routes[int(a.route[i])]
            out = [t.test.id for t in chosen.tests if res.tests[t.key][i] == FAILED]
        elif verdict == INDETERMINATE:
            for ri in plan.routes:
                codes = [int(res.tests[t.key][i]) for t in ri.tests]
                if FAILED not in codes:
                    out += [t.test.id for t, c in zip(ri.tests, codes, strict=True)
                            if c == UNKNOWN_CODE]
        return list(dict.fromkeys(out))

    def _doctrine(self, d_id: str, st: Mapping[str, U8], reported: U8,
                  cls: npt.NDArray[np.int64], n: int) -> DoctrineArrays:
        plan = self.net.doctrines[d_id]
        r = len(plan.routes)
        route_st = np.empty((r, n), dtype=np.uint8)
        sat = np.empty((r, n), dtype=np.int64)
        unk = np.empty((r, n), dtype=np.int64)
        sizes = np.array([len(ri.tests) for ri in plan.routes], dtype=np.int64)
        selfdef = np.array([ri.route.self_defence for ri in plan.routes], dtype=bool)
        for j, ri in enumerate(plan.routes):
            stack = np.stack([st[t.key] for t in ri.tests])
            route_st[j] = stack.min(axis=0)  # Kleene AND
            sat[j] = (stack == SATISFIED).sum(axis=0)
            unk[j] = (stack == UNKNOWN_CODE).sum(axis=0)
        best_route_st = route_st.max(axis=0)
        verdict = np.where(best_route_st == SATISFIED, JUSTIFIED,
                           np.where(best_route_st == FAILED, NOT_JUSTIFIED, INDETERMINATE))
        # justified: the earliest satisfied route; else most satisfied tests, ties first to
        # a route that fits the classification (route `fits`), then to the earliest
        first_sat = np.argmax(route_st == SATISFIED, axis=0)
        fits = np.array([[c in ri.route.fits for c in self.class_names] for ri in plan.routes],
                        dtype=np.int64)
        most = np.argmax(2 * sat + fits[:, cls], axis=0)
        best = np.where(verdict == JUSTIFIED, first_sat, most)
        cols = np.arange(n)
        k, u, size = sat[best, cols], unk[best, cols], sizes[best]
        score = (200 * k + size) // (2 * size)  # floor(100k/n + 1/2)
        score_max = (200 * (k + u) + size) // (2 * size)
        p = self.penalty
        on_sd = selfdef[best]
        failed = on_sd & (reported == FAILED)
        unknown = on_sd & (reported == UNKNOWN_CODE)
        score = np.where(failed | unknown, _less(score, p), score)
        score_max = np.where(failed, _less(score_max, p), score_max)
        return DoctrineArrays(tuple(ri.route.id for ri in plan.routes), verdict, best,
                              score, score_max)


class Tables:
    """The per-test tables read one scenario at a time (the fast path's statuses): a cell
    per fact by a dict lookup or a bisection, then one table lookup per test, in place of
    the recursive Kleene interpreter (engine.reasoning.logic.status)."""

    def __init__(self, eng: VectorEngine) -> None:
        self.facts = eng.facts
        pos = {f: i for i, f in enumerate(self.facts)}
        self._spaces = [eng.spaces[f] for f in self.facts]
        self._enum: list[Mapping[Any, int] | None] = [
            None if sp.kind == "number" else sp.index for sp in self._spaces]
        self._points = [[float(x) for x in sp.points] for sp in self._spaces]
        self._keymap = [[int(x) for x in sp.keymap] for sp in self._spaces]
        self._tests = [(t.key, _getter([pos[f] for f in t.facts]), t.strides,
                        None if t.table is None else t.table.tobytes(), t.expr)
                       for t in eng.tests.values()]
        self._classes = [(name, _getter([pos[f] for f in t.facts]), t.strides,
                          None if t.table is None else t.table.tobytes(), t.expr)
                         for name, t in zip(eng.class_names, eng.class_tables, strict=True)]
        self.keys = tuple(t.key for t in eng.tests.values())  # the order of signatures()
        self._eng = eng
        self._culprit_tables: dict[int, tuple[list[tuple[Atom, bool]], list[int]] | None] = {}
        self._culprit_sets: dict[tuple[int, int], tuple[tuple[Atom, bool], ...]] = {}
        self._sigs = [(_getter([pos[f] for f in t.facts]), t.strides,
                       None if t.table is None else _signature_table(t, eng.spaces),
                       t.expr, t.facts)
                      for t in eng.tests.values()]

    def cells(self, facts: Mapping[str, Any]) -> list[int]:
        from bisect import bisect_left, bisect_right

        out = []
        for f, sp, enum, pts, km in zip(self.facts, self._spaces, self._enum, self._points,
                                        self._keymap, strict=True):
            v = facts.get(f)
            if v is None:
                out.append(sp.n)
            elif enum is not None:
                out.append(enum[v])
            else:
                x = float(v)
                out.append(km[min(bisect_left(pts, x) + bisect_right(pts, x), len(km) - 1)])
        return out

    def evaluate(self, facts: Mapping[str, Any]) -> tuple[dict[str, str], str]:
        """(test instance key -> status, classification) for one scenario's flat facts."""
        from engine.reasoning.logic import status

        c = self.cells(facts)
        names = STATUS_NAMES
        mul = operator.mul
        tests: dict[str, str] = {}
        for key, get, strides, table, expr in self._tests:
            if table is None:
                tests[key] = status(expr, facts).value
            else:
                tests[key] = names[table[sum(map(mul, get(c), strides))]]
        for name, get, strides, table, expr in self._classes:
            if table is None:
                hit = status(expr, facts) is Status.SATISFIED
            else:
                hit = table[sum(map(mul, get(c), strides))] == SATISFIED
            if hit:
                return tests, name
        return tests, self._classes[-1][0]


    def signatures(self, facts: Mapping[str, Any]) -> tuple[list[int], list[int], str]:
        """(a signature per test instance, in the order of `keys`; each test's cell in its
        table, -1 for a test without a table; the classification).

        A signature is the test's status code (FAILED, UNKNOWN_CODE, SATISFIED), plus, when
        the test is unknown, 3 times the mask of which facts it reads are unknown (what the
        answer names as missing facts): `sig % 3` is the status, and two scenarios with the
        same signatures for a doctrine's tests get the same answer from it but for the
        stated values themselves (the fast path's answers are cached on them,
        engine/fast.py). Which parts of a test fail depends only on its cell."""
        from engine.reasoning.logic import status

        c = self.cells(facts)
        mul = operator.mul
        sigs: list[int] = []
        cells: list[int] = []
        for get, strides, table, expr, names in self._sigs:
            if table is None:
                code = CODE[status(expr, facts)]
                mask = sum(1 << j for j, f in enumerate(names) if facts.get(f) is None)
                sigs.append(code + 3 * mask if code == UNKNOWN_CODE else code)
                cells.append(-1)
            else:
                i = sum(map(mul, get(c), strides))
                sigs.append(table[i])
                cells.append(i)
        for name, get, strides, ctable, expr in self._classes:
            if ctable is None:
                hit = status(expr, facts) is Status.SATISFIED
            else:
                hit = ctable[sum(map(mul, get(c), strides))] == SATISFIED
            if hit:
                return sigs, cells, name
        return sigs, cells, self._classes[-1][0]


    def culprits(self, p: int, cell: int) -> tuple[tuple[Atom, bool], ...] | None:
        """The comparisons that make test `p` (in the order of `keys`) come out as it does in
        `cell`, failed or unknown, each with whether it stands under a negation: what
        engine.explain._culprits finds by walking the expression, read from a table (None:
        no table for this test, walk it)."""
        if cell < 0:
            return None
        if p not in self._culprit_tables:
            t = list(self._eng.tests.values())[p]
            self._culprit_tables[p] = (None if t.table is None else
                                       _culprit_table(t, self._eng.spaces, self._eng._kleene))
        made = self._culprit_tables[p]
        if made is None:
            return None
        order, masks = made
        mask = masks[cell]
        found = self._culprit_sets.get((p, mask))
        if found is None:
            found = self._culprit_sets[(p, mask)] = tuple(
                a for j, a in enumerate(order) if mask >> j & 1)
        return found


def _culprit_table(t: TestTable, spaces: Mapping[str, FactSpace],
                   k: _Kleene) -> tuple[list[tuple[Atom, bool]], list[int]] | None:
    """Per cell of a test's table, a bit mask over its comparisons (in the order they stand
    in the expression): set for each comparison that makes the test fail (or be unknown)
    there. The same walk as engine.explain._culprits, over every cell at once: a comparison
    counts when it comes out as the test does and so does every part above it, a negation
    flipping failed and satisfied."""
    assert t.table is not None
    dims = [spaces[f].n + 1 for f in t.facts]
    size = int(t.table.size)
    grid = np.indices(dims, dtype=np.int64).reshape(len(dims), size) if dims else np.zeros(
        (0, 1), dtype=np.int64)
    cells = {f: grid[i] for i, f in enumerate(t.facts)}
    order: list[tuple[Atom, bool]] = []
    masks = np.zeros(size, dtype=np.int64)
    flip = np.array([SATISFIED, UNKNOWN_CODE, FAILED], dtype=np.uint8)

    def walk(e: Expr, want: U8, active: npt.NDArray[np.bool_], negated: bool) -> None:
        nonlocal masks
        if isinstance(e, Atom):
            if len(order) >= 62:
                raise OverflowError
            masks |= (active & (k.eval(e, cells, size) == want)).astype(np.int64) << len(order)
            order.append((e, negated))
        elif isinstance(e, Not):
            walk(e.part, flip[want], active, not negated)
        elif isinstance(e, All | AnyOf):
            for part in e.parts:
                walk(part, want, active & (k.eval(part, cells, size) == want), negated)

    want = t.table
    try:
        walk(t.expr, want, want != SATISFIED, False)
    except OverflowError:
        return None
    out: list[int] = masks.tolist()
    return order, out


def _signature_table(t: TestTable, spaces: Mapping[str, FactSpace]) -> list[int]:
    """Cell index -> status code, + 3 * (bit j set when the test's fact j is unknown) for
    an unknown test."""
    assert t.table is not None
    idx = np.arange(t.table.size, dtype=np.int64)
    mask = np.zeros(t.table.size, dtype=np.int64)
    for j, (f, stride) in enumerate(zip(t.facts, t.strides, strict=True)):
        unknown = spaces[f].n  # the last cell of each fact, its dimension less one
        mask += ((idx // stride) % (unknown + 1) == unknown).astype(np.int64) << j
    sig = t.table.astype(np.int64) + np.where(t.table == UNKNOWN_CODE, 3 * mask, 0)
    out: list[int] = sig.tolist()
    return out


def _getter(idx: list[int]) -> Any:
    """The cells at `idx`, always as a tuple (itemgetter alone gives a scalar for one)."""
    if not idx:
        return lambda c: ()
    if len(idx) == 1:
        i = idx[0]
        return lambda c: (c[i],)
    return operator.itemgetter(*idx)


def tables_for(net: Network) -> Tables:
    """The scalar tables of a network (built once with its vector engine)."""
    eng = _engine_of(net)
    if eng._tables is None:
        eng._tables = Tables(eng)
    return eng._tables


def _penalty(net: Network) -> float:
    """Points a self-defence route loses when the force was not reported (DOCTRINES §5,
    the parameter `unreported_penalty`)."""
    return float(net.params["unreported_penalty"])


def _less(score: npt.NDArray[np.int64], penalty: float) -> npt.NDArray[np.int64]:
    """A score less a penalty: rounded half up, not below 0 (as floor(x + 0.5) in floats,
    so that a fractional penalty rounds exactly as the scalar engines round it)."""
    out: npt.NDArray[np.int64]
    if float(penalty).is_integer():
        out = np.maximum(0, score - int(penalty))
    else:
        out = np.maximum(0, np.floor((score - penalty) + 0.5)).astype(np.int64)
    return out


_ENGINES: dict[int, tuple[Network, VectorEngine]] = {}


def _engine_of(net: Network) -> VectorEngine:
    hit = _ENGINES.get(id(net))
    if hit is not None and hit[0] is net:
        return hit[1]
    eng = VectorEngine(net)
    if len(_ENGINES) >= 16:
        _ENGINES.pop(next(iter(_ENGINES)))
    _ENGINES[id(net)] = (net, eng)
    return eng


def engine_for(params: Mapping[str, Any]) -> VectorEngine:
    """The vector engine of a (resolved) parameter set, cached with its network."""
    return VectorEngine.for_parameters(params)


__all__ = ["CODE", "FAILED", "SATISFIED", "STATUS_NAMES", "UNKNOWN_CODE", "VERDICTS",
           "DoctrineArrays", "FactSpace", "Interval", "Tables", "TestTable", "VectorEngine",
           "VectorResult", "engine_for", "tables_for"]
