"""`imminence sweep`: a sensitivity sweep straight from the `--vary` spec to answers.

    imminence sweep case.yaml --vary threat.hours_until=0:720:1 \
        --vary threat.probability=0:1:0.01 --out sweep.parquet

The same spec as `imminence generate` (one parser, engine.batch.generate.parse_variations), but
no scenario documents, no JSON: the template's facts become one cell per fact, each varied
field's values become cells once, and the n-th scenario of the cartesian product (the
first `--vary` changing slowest, as in `generate`) is a mixed-radix digit per field. The
vectorised engine (engine.reasoning.vector) evaluates chunks of scenarios at a time, so memory is
flat in the number of scenarios, and each chunk is written as it is done:

- `.csv` / `.parquet`: one row per scenario: `index` (0-based, as `batch` numbers its
  inputs), the varied fields, `classification`, and per doctrine `D.verdict`, `D.route`,
  `D.score`, `D.score_max`;
- `.html` / `.md`: the batch report (engine.report) with the sensitivity charts;
- with `summary=True` (`--summary`), instead of rows, one row per varied field, value and
  doctrine: the number of scenarios and of each verdict, the mean score and score_max.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.batch.generate import Variation, parse_variations
from engine.errors import ImminenceError
from engine.loader import read_document, validate_document
from engine.reasoning.vector import VERDICTS, VectorEngine, VectorResult, engine_for

ROW_FORMATS = (".csv", ".parquet")
REPORT_FORMATS = (".html", ".md")
FORMATS = ROW_FORMATS + REPORT_FORMATS
DEFAULT_CHUNK = 1 << 16
COMBO_LIMIT = 1 << 18  # cell combinations evaluated up front (see SweepPlan.combos)

I64 = npt.NDArray[np.int64]
Progress = Callable[[int, int], None]


class SweepError(ImminenceError):
    """The sweep cannot run as asked (an output format it cannot write...)."""


@dataclass
class SweepPlan:
    """Everything a worker needs to evaluate any range of the sweep (small, picklable)."""

    variations: list[Variation]
    parameters: dict[str, Any]  # resolved
    doctrines: list[str]
    base: dict[str, int]  # the template's cell per fact the rules read
    varied: list[I64 | None]  # per variation: the cells of its values (None: read by no rule)
    template_id: str | None = None
    _combos: tuple[list[I64], list[int], VectorResult] | None = field(
        default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        return math.prod(len(v.values) for v in self.variations)

    @property
    def radices(self) -> list[int]:
        return [len(v.values) for v in self.variations]

    def strides(self) -> list[int]:
        out, acc = [], 1
        for r in reversed(self.radices):
            out.append(acc)
            acc *= r
        return out[::-1]

    def digits(self, start: int, stop: int) -> list[I64]:
        """For scenarios start..stop-1: the index of each varied field's value."""
        idx = np.arange(start, stop, dtype=np.int64)
        return [(idx // s) % r for s, r in zip(self.strides(), self.radices, strict=True)]

    def engine(self) -> VectorEngine:
        return engine_for(self.parameters)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_combos"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._combos = None

    def combos(self) -> tuple[list[I64], list[int], VectorResult] | None:
        """The answers for every combination of the *cells* the varied values fall in.

        Answers depend on a scenario's cells only, and a sweep's values fall in few cells
        (a range of 1,000 hours crosses a handful of thresholds), so the whole sweep is
        these answers, looked up: (per field, value -> combination digit; the digits'
        strides; the answers). None when there are too many combinations to be worth it."""
        if self._combos is not None:
            return self._combos
        inverse: list[I64] = []
        sizes: list[int] = []
        uniques: list[I64] = []
        for vcells, var in zip(self.varied, self.variations, strict=True):
            if vcells is None:  # read by no rule: one combination whatever the value
                inverse.append(np.zeros(len(var.values), dtype=np.int64))
                uniques.append(np.zeros(1, dtype=np.int64))
            else:
                u, inv = np.unique(vcells, return_inverse=True)
                inverse.append(inv.astype(np.int64))
                uniques.append(u.astype(np.int64))
            sizes.append(len(uniques[-1]))
        m = math.prod(sizes)
        if m > COMBO_LIMIT or m * 4 > self.total:
            return None
        strides, acc = [], 1
        for r in reversed(sizes):
            strides.append(acc)
            acc *= r
        strides = strides[::-1]
        idx = np.arange(m, dtype=np.int64)
        cells: dict[str, npt.NDArray[np.int64]] = {
            f: np.broadcast_to(np.int64(c), (m,)) for f, c in self.base.items()}
        for var, vcells, u, s, r in zip(self.variations, self.varied, uniques, strides, sizes,
                                        strict=True):
            if vcells is not None:
                cells[var.field] = u[(idx // s) % r]
        # compact (int8 codes, int16 scores): what each chunk gathers, ready for Arrow
        self._combos = (inverse, strides,
                        self.engine().run(cells, m, self.doctrines).compact())
        return self._combos

    def keys(self, digits: list[I64]) -> I64 | None:
        """Each scenario's combination of cells (an index into `combos()`'s answers)."""
        combos = self.combos()
        if combos is None:
            return None
        inverse, strides, _ = combos
        key = inverse[0][digits[0]] * strides[0]
        for inv, d, s in zip(inverse[1:], digits[1:], strides[1:], strict=True):
            key = key + inv[d] * s
        return key

    def evaluate(self, start: int, stop: int) -> tuple[list[I64], VectorResult]:
        """Evaluate scenarios start..stop-1: (value indices per field, answers)."""
        digits = self.digits(start, stop)
        key = self.keys(digits)
        if key is not None:
            combos = self.combos()
            assert combos is not None
            return digits, combos[2].take(key)
        eng = self.engine()
        n = stop - start
        cells: dict[str, npt.NDArray[np.int64]] = {
            f: np.broadcast_to(np.int64(c), (n,)) for f, c in self.base.items()}
        for var, vcells, d in zip(self.variations, self.varied, digits, strict=True):
            if vcells is not None:
                cells[var.field] = vcells[d]
        return digits, eng.run(cells, n, self.doctrines)


def plan(template: str | Path, specs: list[str], overrides: Mapping[str, Any] | None = None,
         doctrines: list[str] | None = None) -> SweepPlan:
    """Read and check the template and the --vary spec (errors name the file or option)."""
    from engine.evaluate import check_doctrines
    from engine.law.parameters import resolve

    data, lines = read_document(template)
    scenario, _ = validate_document(data, lines, str(template))
    variations = parse_variations(specs)
    first = {k: v for k, v in data.items() if k != "expected"}
    for var in variations:
        group, name = var.field.split(".", 1)
        sub = first.get(group)
        first[group] = {**(sub if isinstance(sub, dict) else {}), name: var.values[0]}
    validate_document(first, {}, f"{template} (varied)")
    params = resolve(overrides, loc_prefix=("--set",))
    wanted = check_doctrines(doctrines, loc=("--doctrine",))
    eng = engine_for(params)
    facts = scenario.facts()
    base = {f: int(c[0]) for f, c in eng.encode([facts]).items()}
    varied = [eng.encode_values(v.field, list(v.values)) for v in variations]
    tid = data.get("id")
    return SweepPlan(variations, params, wanted, base, varied,
                     tid if isinstance(tid, str) else None)


# --------------------------------------------------------------------------- output


def columns(p: SweepPlan) -> list[str]:
    cols = ["index", *(v.field for v in p.variations), "classification"]
    for d in p.doctrines:
        cols += [f"{d}.verdict", f"{d}.route", f"{d}.score", f"{d}.score_max"]
    return cols


def arrow_table(p: SweepPlan, start: int, digits: list[I64], res: VectorResult) -> Any:
    """One chunk's rows as a pyarrow Table (categorical columns dictionary-encoded)."""
    import pyarrow as pa

    def cat(codes: npt.NDArray[np.integer[Any]], names: tuple[str, ...]) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8, copy=False)),
                                              pa.array(list(names)))

    arrays: list[Any] = [pa.array(np.arange(start, start + res.n, dtype=np.int64))]
    for var, d in zip(p.variations, digits, strict=True):
        arrays.append(_value_array(var).take(pa.array(d)))
    arrays.append(cat(res.classification, res.classes))
    for d_id in p.doctrines:
        a = res.doctrines[d_id]
        arrays += [cat(a.verdict, VERDICTS), cat(a.route, a.routes),
                   pa.array(a.score.astype(np.int16, copy=False)),
                   pa.array(a.score_max.astype(np.int16, copy=False))]
    return pa.Table.from_arrays(arrays, names=columns(p))


_VALUES: dict[int, Any] = {}


def _value_array(var: Variation) -> Any:
    import pyarrow as pa

    hit = _VALUES.get(id(var))
    if hit is None or hit[0] is not var:
        hit = _VALUES[id(var)] = (var, pa.array(list(var.values)))
    return hit[1]


@dataclass
class Counts:
    """What --summary and the report keep: counts per varied value (flat in scenarios)."""

    p: SweepPlan
    n: int = 0
    # [variation][doctrine] -> (values x 3) verdict counts; score sums per value
    verdicts: list[dict[str, I64]] = field(default_factory=list)
    scores: list[dict[str, I64]] = field(default_factory=list)
    score_max: list[dict[str, I64]] = field(default_factory=list)
    classes: I64 | None = None
    score_hist: dict[str, I64] = field(default_factory=dict)
    disagree: dict[tuple[str, str], int] = field(default_factory=dict)
    joint: list[I64] = field(default_factory=list)

    def add(self, digits: list[I64], res: VectorResult) -> None:
        p = self.p
        if not self.verdicts:
            for var in p.variations:
                k = len(var.values)
                self.verdicts.append({d: np.zeros(k * 3, np.int64) for d in p.doctrines})
                self.scores.append({d: np.zeros(k, np.int64) for d in p.doctrines})
                self.score_max.append({d: np.zeros(k, np.int64) for d in p.doctrines})
            self.classes = np.zeros(len(res.classes), np.int64)
            self.score_hist = {d: np.zeros(101, np.int64) for d in p.doctrines}
        self.n += res.n
        assert self.classes is not None
        self.classes += np.bincount(res.classification, minlength=len(res.classes))
        for j, (var, dig) in enumerate(zip(p.variations, digits, strict=True)):
            k = len(var.values)
            for d in p.doctrines:
                a = res.doctrines[d]
                self.verdicts[j][d] += np.bincount(dig * 3 + a.verdict, minlength=k * 3)
                self.scores[j][d] += np.bincount(dig, weights=a.score, minlength=k).astype(
                    np.int64)
                self.score_max[j][d] += np.bincount(dig, weights=a.score_max,
                                                    minlength=k).astype(np.int64)
        ds = p.doctrines
        for d in ds:
            self.score_hist[d] += np.bincount(res.doctrines[d].score, minlength=101)
        for i, da in enumerate(ds):
            for db in ds[i + 1:]:
                diff = int(np.count_nonzero(res.doctrines[da].verdict
                                            != res.doctrines[db].verdict))
                self.disagree[(da, db)] = self.disagree.get((da, db), 0) + diff

    def add_keys(self, digits: list[I64], key: I64) -> None:
        """Count a chunk by its cell combinations only (the answers are looked up once,
        in `finish`): a joint histogram (value, combination) per varied field."""
        combos = self.p.combos()
        assert combos is not None
        m = combos[2].n
        if not self.joint:
            self.joint = [np.zeros(len(v.values) * m, np.int64) for v in self.p.variations]
        self.n += len(key)
        for j, dig in enumerate(digits):
            self.joint[j] += np.bincount(dig * m + key, minlength=len(self.joint[j]))

    def finish(self) -> None:
        """Turn the joint histograms of `add_keys` into the counts of `add`."""
        if not self.joint:
            return
        combos = self.p.combos()
        assert combos is not None
        ans = combos[2]
        m = ans.n
        hist = [h.reshape(-1, m) for h in self.joint]
        weight = hist[0].sum(axis=0)  # scenarios per combination
        self.classes = np.bincount(ans.classification, weights=weight,
                                   minlength=len(ans.classes)).astype(np.int64)
        eye = np.eye(3, dtype=np.int64)
        self.verdicts, self.scores, self.score_max = [], [], []
        for h in hist:
            self.verdicts.append({d: (h @ eye[ans.doctrines[d].verdict]).ravel()
                                  for d in self.p.doctrines})
            self.scores.append({d: h @ ans.doctrines[d].score for d in self.p.doctrines})
            self.score_max.append({d: h @ ans.doctrines[d].score_max
                                   for d in self.p.doctrines})
        ds = self.p.doctrines
        self.score_hist = {d: np.bincount(ans.doctrines[d].score, weights=weight,
                                          minlength=101).astype(np.int64) for d in ds}
        for i, a in enumerate(ds):
            for b in ds[i + 1:]:
                differ = ans.doctrines[a].verdict != ans.doctrines[b].verdict
                self.disagree[(a, b)] = int(weight[differ].sum())
        self.joint = []

    def summary_rows(self) -> Iterator[list[Any]]:
        for j, var in enumerate(self.p.variations):
            for vi, value in enumerate(var.values):
                for d in self.p.doctrines:
                    c = self.verdicts[j][d][vi * 3: vi * 3 + 3] if self.verdicts else [0, 0, 0]
                    total = int(sum(c))
                    s = int(self.scores[j][d][vi]) if self.verdicts else 0
                    sm = int(self.score_max[j][d][vi]) if self.verdicts else 0
                    yield [var.field, _text(value), d, total, *(int(x) for x in c),
                           round(s / total, 3) if total else "",
                           round(sm / total, 3) if total else ""]

    def report_data(self) -> Any:
        from engine.batch.report import ReportData

        data = ReportData()
        data.scenarios = self.n
        data.doctrines = list(self.p.doctrines)
        if self.classes is None:
            return data
        names = self.p.engine().class_names
        for i, c in enumerate(self.classes):
            if c:
                data.classifications[names[i]] += int(c)
        for d in self.p.doctrines:
            for j in range(3):
                data.verdicts[d][VERDICTS[j]] += int(sum(
                    self.verdicts[0][d][j::3]))
            for s, c in enumerate(self.score_hist[d]):
                if c:
                    data.scores[d][s] += int(c)
        for pair, c in self.disagree.items():
            data.disagreements[pair] += c
        for j, var in enumerate(self.p.variations):
            for vi, value in enumerate(var.values):
                per_value = data.sweep[var.field][json.dumps(value)]
                for d in self.p.doctrines:
                    for k in range(3):
                        c = int(self.verdicts[j][d][vi * 3 + k])
                        if c:
                            per_value[d][VERDICTS[k]] += c
        return data


SUMMARY_COLUMNS = ["field", "value", "doctrine", "scenarios", *VERDICTS, "score_mean",
                   "score_max_mean"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class SweepSummary:
    scenarios: int
    seconds: float
    out: Path

    @property
    def rate(self) -> float:
        return self.scenarios / self.seconds if self.seconds > 0 else 0.0


def check_output(out: Path, summary: bool) -> None:
    allowed = ROW_FORMATS if summary else FORMATS
    if out.suffix not in allowed:
        what = "a --summary" if summary else "the sweep"
        raise SweepError(f"--out: {what} is written as {', '.join(allowed)} (chosen by the "
                         f"suffix); got {out.name!r}")


Results = Iterator[tuple[int, list[I64], VectorResult | I64]]


def local_results(p: SweepPlan, chunk: int, rows: bool = True) -> Results:
    """Each chunk: (first index, value digits, answers) or, for counts only when the
    sweep is looked up by cell combinations, (first index, digits, combination keys)."""
    for start in range(0, p.total, chunk):
        stop = min(p.total, start + chunk)
        if not rows:
            digits = p.digits(start, stop)
            key = p.keys(digits)
            if key is not None:
                yield start, digits, key
                continue
        digits, res = p.evaluate(start, stop)
        yield start, digits, res


def run_sweep(p: SweepPlan, out: Path, *, summary: bool = False, chunk: int = DEFAULT_CHUNK,
              progress: Progress | None = None, results: Results | None = None,
              charts: Path | None = None) -> SweepSummary:
    """Evaluate the whole sweep, chunk by chunk, writing `out` as it goes (atomically:
    a temporary file renamed when complete)."""
    import time

    check_output(out, summary)
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    rows = not summary and out.suffix in ROW_FORMATS
    counts = Counts(p)
    writer: Any = None
    done = 0
    stream = results if results is not None else local_results(p, chunk, rows)
    try:
        for start, digits, res in stream:
            if isinstance(res, np.ndarray):  # cell-combination keys (counts only)
                counts.add_keys(digits, res)
                done += len(res)
                if progress is not None:
                    progress(done, p.total)
                continue
            if rows:
                table = arrow_table(p, start, digits, res)
                if writer is None:
                    writer = _writer(out.suffix, tmp, table.schema, columns(p))
                writer.write_table(table)
            else:
                counts.add(digits, res)
            done += res.n
            if progress is not None:
                progress(done, p.total)
        counts.finish()
        if rows:
            if writer is None:  # pragma: no cover - a sweep has at least one scenario
                raise SweepError("nothing to write")
            writer.close()
            writer = None
        elif summary:
            _write_summary(out.suffix, tmp, counts)
        else:
            from engine.batch import report

            data = counts.report_data()
            text = report.html(data) if out.suffix == ".html" else report.markdown(data)
            tmp.write_text(text.replace("Batch report", "Sweep report", 1)
                           .replace("imminence batch report", "imminence sweep report", 1),
                           encoding="utf-8")
            if charts is not None:
                report.write_charts(data, charts)
        tmp.replace(out)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
    return SweepSummary(done, time.monotonic() - started, out)


class _CsvWriter:
    """pyarrow's CSV writer, under a plain header (no quotes around the column names)."""

    def __init__(self, path: Path, schema: Any, header: list[str]) -> None:
        import pyarrow.csv as pcsv

        self._fh = path.open("wb")
        self._fh.write((",".join(header) + "\n").encode("utf-8"))
        self._w = pcsv.CSVWriter(self._fh, schema, write_options=pcsv.WriteOptions(
            include_header=False, quoting_style="none"))

    def write_table(self, table: Any) -> None:
        self._w.write_table(table)

    def close(self) -> None:
        self._w.close()
        self._fh.close()


class _Behind:
    """Writes each table in a background thread while the next chunk is evaluated (Arrow
    writes without the GIL); one write in flight at a time, so the order is kept and
    memory stays at two chunks."""

    def __init__(self, writer: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._w = writer
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="sweep-writer")
        self._pending: Any = None

    def write_table(self, table: Any) -> None:
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._w.write_table, table)

    def close(self) -> None:
        try:
            if self._pending is not None:
                self._pending.result()
        finally:
            self._pending = None
            self._pool.shutdown(wait=True)
            self._w.close()


def _writer(suffix: str, path: Path, schema: Any, header: list[str]) -> Any:
    if suffix == ".csv":
        return _Behind(_CsvWriter(path, schema, header))
    import pyarrow.parquet as pq

    # statistics cost as much as the rest of the writing and say little of codes 0..100
    return _Behind(pq.ParquetWriter(str(path), schema, compression="snappy",
                                    write_statistics=False))


def _write_summary(suffix: str, path: Path, counts: Counts) -> None:
    rows = list(counts.summary_rows())
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(SUMMARY_COLUMNS)
            w.writerows(rows)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = list(zip(*rows, strict=True)) if rows else [() for _ in SUMMARY_COLUMNS]
    table = pa.table({name: pa.array([None if v == "" else v for v in col])
                      for name, col in zip(SUMMARY_COLUMNS, cols, strict=True)})
    pq.write_table(table, str(path))


__all__ = ["FORMATS", "SUMMARY_COLUMNS", "SweepError", "SweepPlan", "SweepSummary", "columns",
           "plan", "run_sweep"]
