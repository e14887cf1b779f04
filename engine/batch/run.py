"""Batch runs: many scenarios, in worker processes, in input order, resumable.

    run_batch(BatchConfig(inputs=["scenarios/", "sweep.jsonl"], out=Path("out.csv")))

Inputs are YAML/JSON scenario files, folders of them (their .yaml/.yml/.json/.jsonl/.csv
files, not subfolders), JSONL files (one scenario a line) and CSV files (one scenario a
row, columns named by the dotted facts of DOCTRINES §2: `threat.hours_until`, ...).
Every input scenario has a stable key (`file` for a scenario file, `file:line` for a line
of JSONL or a row of CSV) and an index (its position in the whole batch, from 0).

The durable record is a JSONL *journal*, one line per valid scenario, written in input
order and flushed as each result arrives (fsync'd at least once a second), so that a
killed run loses at most the scenarios in flight:

- for a `.jsonl` output the journal is the output itself: each line is the full §5
  result plus an `input` key: `{"input": {"key", "index", "vary"?}, "scenario_id", ...}`;
- for `.csv`, `.md` and `.html` the journal is the sidecar `OUT.partial.jsonl` holding a
  compact record per scenario (verdict, route, score, score_max, decisive per doctrine);
  when the run ends the output is written from it (one streaming pass) and it is removed.

`--resume` reads the journal: the last complete line gives the last index done (a torn
last line is cut off); the indices missing below it are the invalid scenarios, which are
validated again, to be reported again. Invalid scenarios are never evaluated and never
written. Evaluation happens in worker processes (each with its own durable-rules engine);
chunks are submitted through a bounded window and collected in submission order, so the
results are in input order and memory stays flat whatever the number of scenarios.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from engine.errors import EngineError, ErrorItem, ImminenceError, InputFileError, InvalidInput
from engine.evaluate import evaluate
from engine.law.scenario import fact_catalogue
from engine.loader import parse_json, read_document, validate_document

VARY_KEY = "_vary"  # envelope key written by `imminence generate`: the varied values
FORMATS = (".jsonl", ".csv", ".md", ".html")
INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
Kind = Literal["doc", "jsonl", "csv", "text"]  # text: a scenario file's (name, text)
BatchEngine = Literal["rete", "fast", "vector"]


class BatchError(ImminenceError):
    """The batch cannot run as asked (bad output name, a journal from other inputs...)."""


class OutputError(BatchError):
    """The output or its journal cannot be written (disk full, no permission...)."""


def _output_error(path: Path, exc: OSError, done: int, resumable: bool) -> OutputError:
    reason = exc.strerror or str(exc)
    then = (f"the {done} scenarios done are kept in {path}: free some space (or fix the "
            "cause) and rerun with --resume to continue") if resumable else \
        "choose another --out or fix the cause, then run again"
    return OutputError(f"cannot write {path}: {reason}; {then}")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Task:
    """One input scenario, small enough to send to a worker: its raw text or cells."""

    index: int
    key: str
    kind: Kind
    file: str
    line: int
    payload: Any  # doc: the file path; jsonl: the line's text; csv: {column: cell}


def input_files(paths: list[str | Path], exclude: frozenset[Path] = frozenset()
                ) -> Iterator[Path]:
    """Files named, and the scenario files directly inside folders named, sorted; never
    the batch's own output or journal (`exclude`, resolved paths) found in a folder."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if (child.suffix in INPUT_SUFFIXES and (child.is_file() or _broken(child))
                        and child.resolve() not in exclude
                        and not child.name.endswith((".partial.jsonl", ".tmp"))):
                    yield child
        else:
            yield p


def _broken(path: Path) -> bool:
    """A link to nothing: reported as an invalid input, like a missing file named."""
    return path.is_symlink() and not path.exists()


def iter_tasks(paths: list[str | Path], exclude: frozenset[Path] = frozenset()
               ) -> Iterator[Task]:
    """Every input scenario, in order, streamed (a JSONL or CSV file is never loaded)."""
    index = 0
    for path in input_files(paths, exclude):
        name = str(path)
        if _broken(path):
            yield Task(index, name, "doc", name, 1, name)  # its reading fails: invalid
            index += 1
        elif path.suffix == ".jsonl":
            with _open_input(path) as fh:
                for lineno, text in enumerate(fh, 1):
                    if text.strip():
                        yield Task(index, f"{name}:{lineno}", "jsonl", name, lineno, text)
                        index += 1
        elif path.suffix == ".csv":
            with _open_input(path, newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                if header is None:
                    continue
                start = reader.line_num + 1
                for row in reader:
                    if any(cell.strip() for cell in row):
                        cells = dict(zip(header, row, strict=False))
                        if len(row) != len(header):
                            cells["\0width"] = f"{len(row)} cells for {len(header)} columns"
                        yield Task(index, f"{name}:{start}", "csv", name, start, cells)
                        index += 1
                    start = reader.line_num + 1
        else:
            yield Task(index, name, "doc", name, 1, name)
            index += 1


def _open_input(path: Path, newline: str | None = None) -> TextIO:
    try:
        return path.open(encoding="utf-8", newline=newline)
    except OSError as exc:
        raise BatchError(f"{path}: cannot read: {exc}") from None


def count_tasks(paths: list[str | Path], exclude: frozenset[Path] = frozenset()) -> int:
    """How many scenarios the inputs hold (one cheap streaming pass, for the progress bar)."""
    n = 0
    for path in input_files(paths, exclude):
        if _broken(path):
            n += 1
        elif path.suffix == ".jsonl":
            with _open_input(path) as fh:
                n += sum(1 for line in fh if line.strip())
        elif path.suffix == ".csv":
            with _open_input(path, newline="") as fh:
                reader = csv.reader(fh)
                next(reader, None)
                n += sum(1 for row in reader if any(c.strip() for c in row))
        else:
            n += 1
    return n


_CATALOGUE = fact_catalogue()
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def cell_value(column: str, raw: str) -> Any:
    """A CSV cell typed by the fact catalogue; empty is unknown. A value that does not
    parse is passed on as text, so that validation names the field and what it allows."""
    text = raw.strip()
    if text == "" or text.lower() in ("null", "unknown"):
        return None
    info = _CATALOGUE.get(column)
    if info is None:
        if column == "sources":
            return [s for s in text.replace(",", ";").split(";") if s.strip()]
        return text
    if info["kind"] == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return text
    if info["kind"] == "number":
        try:
            f = float(text)
        except ValueError:
            return text
        return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f
    return text


def csv_document(cells: Mapping[str, str]) -> dict[str, Any]:
    """A CSV row as a nested scenario document (`threat.hours_until` → threat/hours_until)."""
    doc: dict[str, Any] = {}
    for column, raw in cells.items():
        if column == "\0width" or column == VARY_KEY:
            continue
        value = cell_value(column, raw)
        if "." in column:
            group, name = column.split(".", 1)
            sub = doc.setdefault(group, {})
            if isinstance(sub, dict):
                sub[name] = value
        else:
            doc[column] = value
    return doc


def _line_map(line: int) -> dict[tuple[Any, ...], int]:
    return {(): line}


def load_task(task: Task) -> tuple[Any, dict[str, Any] | None]:
    """Parse and validate one input scenario: (Scenario, varied values) or InputFileError."""
    if task.kind == "doc":
        data, lines = read_document(task.payload)
        offset = 0
    elif task.kind == "text":  # a scenario file read by the client, for a remote worker
        from engine.loader import parse_text

        data, lines = parse_text(task.payload[1], task.payload[0])
        offset = 0
    elif task.kind == "jsonl":
        data = parse_json(task.payload, task.file, task.line)
        lines, offset = _line_map(1), task.line - 1
    else:
        if "\0width" in task.payload:
            raise InputFileError([ErrorItem((), task.payload["\0width"], "csv_error",
                                            line=task.line)], file=task.file)
        data = csv_document(task.payload)
        lines, offset = _line_map(1), task.line - 1
    vary = None
    if isinstance(data, dict) and VARY_KEY in data:
        data = dict(data)
        vary = data.pop(VARY_KEY)
        if not isinstance(vary, dict):
            vary = None
    scenario, _expected = validate_document(data, lines, task.file, line_offset=offset)
    return scenario, vary


def invalid_lines(task: Task) -> list[str]:
    """The `file:line: field: message` lines of an invalid task, or [] if it is valid."""
    try:
        load_task(task)
    except InputFileError as exc:
        return exc.lines()
    return []


# --------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class WorkerConfig:
    parameters: dict[str, Any]  # the user's overrides (already checked), not the resolved set
    doctrines: list[str]
    engine: BatchEngine
    full: bool  # the full §5 result (a .jsonl output) or the compact record
    brief: bool = False  # full result without trace, per-test facts or parameters


@dataclass
class Outcome:
    """What a worker sends back for one task: a journal line, or the reasons it is invalid."""

    index: int
    key: str
    line: str | None = None
    errors: list[str] = field(default_factory=list)


_config: WorkerConfig | None = None


def _init_worker(config: WorkerConfig) -> None:
    global _config
    _config = config
    # Ctrl-C reaches the whole process group; the parent alone decides what to do. The
    # parent's SIGTERM handler (if any) is not for workers: the pool ends them with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_task(task: Task, config: WorkerConfig) -> Outcome:
    try:
        scenario, vary = load_task(task)
    except InputFileError as exc:
        return Outcome(task.index, task.key, errors=exc.lines())
    try:
        ev = evaluate(scenario, config.parameters, config.doctrines,
                      engine="fast" if config.engine == "fast" else "rete",
                      explain=not config.brief)
    except InvalidInput as exc:  # pragma: no cover - options are checked before the run
        return Outcome(task.index, task.key, errors=[f"{task.key}: {exc}"])
    except (EngineError, RecursionError) as exc:  # one scenario must not stop the batch
        return Outcome(task.index, task.key,
                       errors=[f"{task.key}: the engine failed on this scenario: {exc}"])
    head: dict[str, Any] = {"key": task.key, "index": task.index}
    if scenario.title and not config.full:  # for the CSV; a full record is evaluate()'s
        head["title"] = scenario.title
    if vary is not None:
        head["vary"] = vary
    head_json = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    if config.full:
        # pydantic's serialiser is about 4x faster than json.dumps(model_dump()) and
        # writes the same text; the `input` key is spliced in front of the result's keys.
        body = ev.model_dump_json(exclude=_BRIEF_EXCLUDE if config.brief else None)
        return Outcome(task.index, task.key, '{"input":' + head_json + "," + body[1:])
    record: dict[str, Any] = {
        "scenario_id": ev.scenario_id, "classification": ev.classification,
        "parameters": ev.parameters,
        "doctrines": {d: {"verdict": r.verdict, "route": r.route, "score": r.score,
                          "score_max": r.score_max, "decisive": list(r.decisive),
                          "missing_facts": list(r.missing_facts)}
                      for d, r in ev.doctrines.items()}}
    return Outcome(task.index, task.key, '{"input":' + head_json + ","
                   + json.dumps(record, ensure_ascii=False, separators=(",", ":"))[1:])


# --brief: the parameters are written once (first record); the trace and, for each test,
# the facts it read and its words (condition, because, passage, citation) never
_TEST_WORDS = {"facts", "condition", "because", "passage", "passage_kind", "citation"}
_BRIEF_EXCLUDE: Any = {"parameters": True, "doctrines": {"__all__": {
    "trace": True, "tests": {"__all__": _TEST_WORDS}, "reported": _TEST_WORDS}}}


def _run_chunk_vector(tasks: list[Task], config: WorkerConfig) -> ChunkResult:
    """A chunk on the vectorised engine: validated one by one, evaluated together; each
    valid scenario gets the compact record (verdict, route, score, score_max, decisive)."""
    from engine.evaluate import network_for
    from engine.law.parameters import resolve
    from engine.reasoning.vector import engine_for

    valid: list[tuple[Task, Any, dict[str, Any] | None]] = []
    invalid: list[list[str]] = []
    for t in tasks:
        try:
            scenario, vary = load_task(t)
        except InputFileError as exc:
            invalid.append(exc.lines())
            continue
        valid.append((t, scenario, vary))
    params = resolve(config.parameters)
    eng = engine_for(params)
    res = eng.run(eng.encode([sc.facts() for _, sc, _ in valid]), len(valid), config.doctrines)
    params_json = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
    # the facts each doctrine's tests read, for the missing facts of an indeterminate one
    net = network_for(params)
    reads = {d: {t.test.id: t.facts for r in plan.routes for t in r.tests}
             for d, plan in net.doctrines.items()}
    lines: list[str] = []
    for i, (t, sc, vary) in enumerate(valid):
        head: dict[str, Any] = {"key": t.key, "index": t.index}
        if sc.title and not config.full:  # for the CSV, as the scalar engines write it
            head["title"] = sc.title
        if vary is not None:
            head["vary"] = vary
        doctrines = {}
        facts = sc.facts() if not config.full else {}
        for d, arrays in res.doctrines.items():
            rec = arrays.record(i)
            rec["decisive"] = eng.decisive(res, d, i)
            if not config.full:
                missing: list[str] = []
                if rec["verdict"] == "indeterminate":
                    missing = list(dict.fromkeys(f for test in rec["decisive"]
                                                 for f in reads[d][test] if facts.get(f) is None))
                rec["missing_facts"] = missing
            doctrines[d] = rec
        lines.append('{"input":' + json.dumps(head, ensure_ascii=False, separators=(",", ":"))
                     + ',"scenario_id":' + json.dumps(sc.id) + ',"classification":"'
                     + res.classes[int(res.classification[i])] + '"'
                     + ("" if config.brief else ',"parameters":' + params_json)
                     + ',"doctrines":' + json.dumps(doctrines, separators=(",", ":")) + "}\n")
    return ChunkResult(len(tasks), "".join(lines).encode("utf-8"), len(lines), invalid)


@dataclass
class ChunkResult:
    """A chunk's outcomes as the parent needs them: the journal lines as one blob (one
    write, one flush, little to unpickle) and the invalid scenarios' error lines."""

    size: int
    blob: bytes
    evaluated: int
    invalid: list[list[str]]


def _run_chunk(tasks: list[Task]) -> ChunkResult:
    assert _config is not None, "worker not initialised"
    if _config.engine == "vector":
        return _run_chunk_vector(tasks, _config)
    lines: list[str] = []
    invalid: list[list[str]] = []
    for t in tasks:
        outcome = run_task(t, _config)
        if outcome.line is not None:
            lines.append(outcome.line + "\n")
        else:
            invalid.append(outcome.errors)
    return ChunkResult(len(tasks), "".join(lines).encode("utf-8"), len(lines), invalid)


# --------------------------------------------------------------------------- journal


@dataclass
class ResumePoint:
    done: int = 0  # valid scenarios already in the journal
    last_index: int = -1
    last_key: str | None = None
    gaps: set[int] = field(default_factory=set)  # indices below last_index not in it: invalid
    parameters: dict[str, Any] | None = None  # of the first record: the run's options
    doctrines: list[str] | None = None


def read_journal(path: Path, *, repair: bool) -> ResumePoint:
    """Scan a journal (streaming). With `repair`, cut a torn last line off the file."""
    point = ResumePoint()
    if not path.exists():
        return point
    good_end = 0
    with path.open("rb") as fh:
        pos = 0
        for raw in fh:
            end = pos + len(raw)
            if not raw.endswith(b"\n"):
                break  # a line cut by a kill: dropped
            try:
                record = json.loads(raw)
                head = record["input"]
                index, key = int(head["index"]), str(head["key"])
                if point.doctrines is None:
                    point.parameters = record.get("parameters")
                    point.doctrines = list(record.get("doctrines") or {})
            except (ValueError, KeyError, TypeError):
                raise BatchError(f"{path}: line at byte {pos} is not a batch record; "
                                 "is this the output of `imminence batch`?") from None
            if index <= point.last_index:
                raise BatchError(f"{path}: records out of order at byte {pos}")
            point.gaps.update(range(point.last_index + 1, index))
            point.done += 1
            point.last_index, point.last_key = index, key
            good_end = end
            pos = end
    if repair and path.stat().st_size != good_end:
        with path.open("r+b") as fh:
            fh.truncate(good_end)
    return point


def iter_journal(path: Path) -> Iterator[dict[str, Any]]:
    """The complete records of a journal, in order, one at a time."""
    with path.open("rb") as fh:
        for raw in fh:
            if raw.endswith(b"\n"):
                yield json.loads(raw)


class JournalWriter:
    """Appends chunks of lines; flushes each to the OS at once (a killed process loses
    nothing written) and fsyncs at most once a second (a crashed machine, little)."""

    def __init__(self, path: Path, append: bool, done: int = 0) -> None:
        self.path = path
        self.done = done  # records in the journal: said in the error of a failed write
        self._failed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("ab" if append else "wb")
        except OSError as exc:
            raise _output_error(path, exc, done, resumable=False) from None
        self._synced = time.monotonic()

    def write(self, blob: bytes, records: int = 0) -> None:
        if not blob:
            return
        try:
            self._fh.write(blob)
            self._fh.flush()
            now = time.monotonic()
            if now - self._synced >= 1.0:
                self._sync()
                self._synced = now
        except OSError as exc:  # ENOSPC, EIO...: a clear error, and --resume repairs it
            self._failed = True
            raise _output_error(self.path, exc, self.done, resumable=True) from None
        self.done += records

    def _sync(self) -> None:
        try:
            os.fsync(self._fh.fileno())
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # a device that cannot sync (a pipe, /dev/...)
                raise

    def close(self) -> None:
        if self._failed:  # already reported; a torn last line is cut off by --resume
            with contextlib.suppress(OSError):
                self._fh.close()
            return
        try:
            self._fh.flush()
            self._sync()
            self._fh.close()
        except OSError as exc:
            self._failed = True
            with contextlib.suppress(OSError):
                self._fh.close()
            raise _output_error(self.path, exc, self.done, resumable=True) from None


# --------------------------------------------------------------------------- the run


@dataclass
class BatchConfig:
    inputs: list[str | Path]
    out: Path
    workers: int = 1
    doctrines: list[str] | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    resume: bool = False
    engine: BatchEngine = "rete"
    chunk_size: int = 0  # 0: chosen from the number of workers
    charts: Path | None = None
    brief: bool = False  # .jsonl: no trace, no per-test facts, the parameters once
    cluster: str | None = None  # a Dask scheduler (tcp://HOST:8786): chunks run there


@dataclass
class BatchSummary:
    total: int = 0  # scenarios in the inputs
    evaluated: int = 0  # evaluated by this run
    resumed: int = 0  # found done in the journal
    invalid: list[str] = field(default_factory=list)  # `file:line: field: message`
    invalid_count: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    out: Path | None = None

    @property
    def rate(self) -> float:
        return self.evaluated / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int], None]  # (scenarios handled, of total)


def journal_path(out: Path) -> Path:
    """Where the durable record is: the output itself for .jsonl, else a sidecar."""
    if out.suffix == ".jsonl":
        return out
    return out.with_name(out.name + ".partial.jsonl")


def check_output(out: Path) -> None:
    if out.suffix not in FORMATS:
        raise BatchError(f"--out: the output format is chosen by its suffix: "
                         f"{', '.join(FORMATS)}; got {out.name!r}")


def run_batch(config: BatchConfig, progress: Progress | None = None,
              on_invalid: Callable[[list[str]], None] | None = None) -> BatchSummary:
    """Run a batch to completion (or until interrupted); the output is written as we go."""
    check_output(config.out)
    from engine.evaluate import check_doctrines
    from engine.law.parameters import resolve

    params = resolve(config.parameters)  # checked here, once; workers get the overrides
    doctrines = check_doctrines(config.doctrines)
    journal = journal_path(config.out)
    own = frozenset({config.out.resolve(), journal.resolve()})
    summary = BatchSummary(out=config.out)
    started = time.monotonic()

    if config.resume:
        point = read_journal(journal, repair=True)
        if point.done == 0 and journal != config.out and config.out.exists():
            summary.total = count_tasks(config.inputs, own)
            summary.resumed = summary.total  # already rendered by a completed run
            return summary
        if point.doctrines is not None and (point.doctrines != doctrines or (
                point.parameters is not None and point.parameters != params)):
            raise BatchError(f"{journal} was written with other --doctrine or --set options "
                             f"(doctrines {', '.join(point.doctrines)}; parameters "
                             f"{point.parameters}): resume with the same options, or run "
                             "again without --resume")
    else:
        point = ResumePoint()
        if journal != config.out and config.out.exists():
            config.out.unlink()
    summary.resumed = point.done
    summary.total = count_tasks(config.inputs, own)

    def report_invalid(lines: list[str]) -> None:
        summary.invalid_count += 1
        if len(summary.invalid) < 10_000:
            summary.invalid.extend(lines)
        if on_invalid is not None:
            on_invalid(lines)

    wconfig = WorkerConfig(dict(config.parameters), doctrines, config.engine,
                           full=config.out.suffix == ".jsonl", brief=config.brief)
    client = None
    if config.cluster is not None:
        from engine.batch.cluster import ClusterError, connect

        try:
            client = connect(config.cluster)
        except ClusterError as exc:
            raise BatchError(str(exc)) from None
    journal_writer = JournalWriter(journal, append=config.resume, done=point.done)
    writer: JournalWriter | _ParametersOnce = journal_writer
    if config.brief and wconfig.full and point.done == 0:
        writer = _ParametersOnce(journal_writer, params)
    handled = 0

    def fresh_tasks() -> Iterator[Task]:
        nonlocal handled
        started_fresh = False
        for task in iter_tasks(config.inputs, own):
            if task.index <= point.last_index:
                if task.index == point.last_index and task.key != point.last_key:
                    raise BatchError(f"{journal}: its last record is {point.last_key!r} but "
                                     f"input #{task.index} is {task.key!r}: the inputs have "
                                     "changed since; run again without --resume")
                if task.index in point.gaps:
                    report_invalid(invalid_lines(task) or [
                        f"{task.key}: not evaluated by the earlier run (the engine failed "
                        "on it); run again without --resume to retry it"])
                handled += 1
                continue
            if not started_fresh and progress is not None:
                progress(handled, summary.total)  # the first call: what was done before
            started_fresh = True
            yield task

    workers = max(1, config.workers)
    chunk = config.chunk_size or (8 if workers == 1 else 16)
    if client is not None:
        chunk = config.chunk_size or (2000 if config.engine == "vector" else 500)
    elif config.engine == "vector":
        chunk = config.chunk_size or 1000
    try:
        if client is not None:
            from engine.batch.cluster import batch_results

            try:
                remote = (_portable(c) for c in _chunks(fresh_tasks(), chunk))
                for result in batch_results(client, remote, wconfig):
                    handled = _take(result, writer, summary, report_invalid, handled)
                    if progress is not None:
                        progress(handled, summary.total)
            finally:
                client.close()
        elif workers == 1:
            _init_worker_local(wconfig)
            for result in map(_run_chunk, _chunks(fresh_tasks(), chunk)):
                handled = _take(result, writer, summary, report_invalid, handled)
                if progress is not None:
                    progress(handled, summary.total)
        else:
            pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(wconfig,))
            try:
                for result in _ordered(pool, fresh_tasks(), chunk, window=workers * 4):
                    handled = _take(result, writer, summary, report_invalid, handled)
                    if progress is not None:
                        progress(handled, summary.total)
            except BrokenProcessPool:
                raise BatchError(f"a worker process died (killed, or out of memory); the "
                                 f"{summary.resumed + summary.evaluated} scenarios done are "
                                 f"in {journal}: rerun with --resume to continue") from None
            finally:
                _stop(pool)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        writer.close()
        summary.seconds = time.monotonic() - started
    if summary.interrupted:
        return summary
    try:
        finish(config, journal, summary)
    except OSError as exc:
        path = Path(exc.filename) if exc.filename else config.out
        reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {path}: {reason}; every result is kept in "
                          f"{journal}: free some space (or fix the cause) and rerun with "
                          "--resume to write the output") from None
    return summary


class _ParametersOnce:
    """--brief: the first record written carries the run's parameters (what --resume
    checks), the others do not."""

    def __init__(self, writer: JournalWriter, params: Mapping[str, Any]) -> None:
        self._w = writer
        self._params = params
        self._done = False

    def write(self, blob: bytes, records: int = 0) -> None:
        if not self._done and blob:
            first, _, rest = blob.partition(b"\n")
            record = json.loads(first)
            record = {"input": record.pop("input"), **{k: v for k, v in record.items()
                                                       if k != "doctrines"},
                      "parameters": self._params, "doctrines": record["doctrines"]}
            blob = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8") + b"\n" + rest
            self._done = True
        self._w.write(blob, records)

    def close(self) -> None:
        self._w.close()


def _portable(tasks: list[Task]) -> list[Task]:
    """Tasks a worker on another machine can run: scenario files travel as their text."""
    from engine.loader import read_text

    out = []
    for t in tasks:
        if t.kind == "doc":
            try:
                text = read_text(t.payload)
            except Exception:  # unreadable: let the worker report it as the file's error
                out.append(t)
                continue
            t = Task(t.index, t.key, "text", t.file, t.line, (t.payload, text))
        out.append(t)
    return out


def _init_worker_local(config: WorkerConfig) -> None:
    global _config
    _config = config


def _take(result: ChunkResult, writer: JournalWriter | _ParametersOnce, summary: BatchSummary,
          report_invalid: Callable[[list[str]], None], handled: int) -> int:
    writer.write(result.blob, result.evaluated)
    summary.evaluated += result.evaluated
    for errors in result.invalid:
        report_invalid(errors)
    return handled + result.size


def _chunks(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for t in tasks:
        chunk.append(t)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down at once: chunks in flight are abandoned (their scenarios are
    not in the journal, so --resume does them again)."""
    processes = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes.values():
        if proc.is_alive():
            proc.terminate()
    for proc in processes.values():
        proc.join(timeout=5)


def _ordered(pool: ProcessPoolExecutor, tasks: Iterator[Task], size: int,
             window: int) -> Iterator[ChunkResult]:
    """Chunk results in submission order, with at most `window` chunks in flight."""
    pending: deque[Future[ChunkResult]] = deque()
    chunks = _chunks(tasks, size)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            nxt = next(chunks, None)
            if nxt is None:
                exhausted = True
            else:
                pending.append(pool.submit(_run_chunk, nxt))
        if not pending:
            return
        yield pending.popleft().result()


def finish(config: BatchConfig, journal: Path, summary: BatchSummary) -> None:
    """Write the output from the journal (CSV, Markdown, HTML) and the charts."""
    from engine.batch import report

    suffix = config.out.suffix
    if suffix == ".csv":
        write_csv(journal, config.out)
    data = None
    if suffix in (".md", ".html") or config.charts is not None:
        data = report.collect(iter_journal(journal))
        data.invalid = summary.invalid_count
    if data is not None and suffix in (".md", ".html"):
        tmp = config.out.with_name(config.out.name + ".tmp")
        if suffix == ".md":
            link = None if config.charts is None else Path(
                os.path.relpath(config.charts.resolve(), config.out.resolve().parent))
            tmp.write_text(report.markdown(data, charts_dir=link), encoding="utf-8")
        else:
            tmp.write_text(report.html(data), encoding="utf-8")
        tmp.replace(config.out)
    if data is not None and config.charts is not None:
        report.write_charts(data, config.charts)
    if journal != config.out:
        journal.unlink(missing_ok=True)


CSV_COLUMNS = ["index", "key", "scenario_id", "title", "classification", "doctrine", "verdict",
               "route", "score", "score_max", "decisive", "missing_facts", "parameters"]


def write_csv(journal: Path, out: Path) -> None:
    """One row per scenario × doctrine: its title, the verdict, the decisive tests and the
    missing facts, and the parameters used (the effective values, as JSON); varied fields
    (if any) as extra columns."""
    vary_fields: list[str] = []
    for record in iter_journal(journal):
        vary_fields = list(record["input"].get("vary") or {})
        break
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS + vary_fields)
        for record in iter_journal(journal):
            head = record["input"]
            vary = head.get("vary") or {}
            extra = ["" if vary.get(f) is None else _cell(vary.get(f)) for f in vary_fields]
            params = json.dumps(record.get("parameters") or {}, sort_keys=True,
                                ensure_ascii=False, separators=(",", ":"))
            for d, r in record["doctrines"].items():
                w.writerow([head["index"], _text(head["key"]),
                            _text(record.get("scenario_id") or ""),
                            _text(head.get("title") or ""), record["classification"], d,
                            r["verdict"], r["route"], r["score"], r["score_max"],
                            " ".join(r["decisive"]), " ".join(r.get("missing_facts") or []),
                            params, *extra])
    tmp.replace(out)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value) if isinstance(value, str) else str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A cell of free text (a file name, a scenario's id or title, a varied text fact), safe
    to open in a spreadsheet: text that would start a formula there (`=HYPERLINK(...)`)
    gets a leading apostrophe, which the spreadsheet shows as text (OWASP's advice on CSV
    injection). The JSONL output keeps the text as it was given."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


__all__ = [
    "BatchConfig",
    "BatchEngine",
    "BatchError",
    "BatchSummary",
    "OutputError",
    "Task",
    "count_tasks",
    "csv_document",
    "input_files",
    "iter_journal",
    "iter_tasks",
    "journal_path",
    "read_journal",
    "run_batch",
]
