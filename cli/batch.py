"""`imminence batch` and `imminence generate`: many scenarios at once, and sweeps.

    imminence batch PATH... --out FILE.{jsonl,csv,md,html} [--workers N] [--doctrine ID]...
                    [--set NAME=VALUE]... [--resume] [--engine rete|fast] [--charts DIR]
    imminence generate TEMPLATE --vary FIELD=START:STOP:STEP|v1,v2... [--vary ...] --out F.jsonl

Exit codes of `batch`: 0 all scenarios evaluated; 1 some input scenarios were invalid (each
reported as `file:line: field: message` and skipped; the rest are in the output); 2 the
options are wrong; 3 the output could not be written (disk full, no permission: what was
done is kept, rerun with --resume); 130 interrupted (rerun with --resume).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from engine.batch.run import BatchConfig, BatchError, OutputError, run_batch
from engine.errors import InputFileError, InvalidInput
from engine.evaluate import check_doctrines
from engine.law.parameters import merge_assignments, resolve
from engine.validation import error_line

EXIT_INVALID_INPUT = 1
EXIT_BAD_OPTIONS = 2
EXIT_OUTPUT_ERROR = 3
EXIT_INTERRUPTED = 130

err = Console(stderr=True, emoji=False)


def _fail(lines: list[str], code: int = EXIT_BAD_OPTIONS) -> NoReturn:
    for line in lines:  # emoji=False: "0:100:10" is a range, not an emoji code
        err.print(line, markup=False, highlight=False, soft_wrap=True, emoji=False)
    raise typer.Exit(code)


def _option_errors(exc: InvalidInput) -> list[str]:
    return [error_line(e) for e in exc.errors]


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class _Reporter:
    """A Rich progress bar on a terminal; plain log lines (every few seconds) otherwise."""

    def __init__(self, label: str, every: float = 5.0) -> None:
        self.label = label
        self.every = every
        self.tty = err.is_terminal
        self._bar: Any = None
        self._task: Any = None
        self._last = 0.0
        self._started = time.monotonic()
        self._first_done: int | None = None

    def __enter__(self) -> _Reporter:
        if self.tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]:>7.1f}/s"),
                                 TimeElapsedColumn(), TimeRemainingColumn(),
                                 TextColumn("left"), console=err)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=None, rate=0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self._first_done is None:
            self._first_done, self._started = done, now
        elapsed = now - self._started
        rate = (done - self._first_done) / elapsed if elapsed > 0 else 0.0
        if self._bar is not None:
            if now - self._last >= 0.1 or done >= total:
                self._bar.update(self._task, completed=done, total=total, rate=rate)
                self._last = now
            return
        if now - self._last >= self.every or (done >= total and done != self._first_done):
            self._last = now
            left = (total - done) / rate if rate > 0 else float("nan")
            left_text = f"{left:.0f}s left" if left == left else "time left unknown"
            err.print(f"{self.label}: {done}/{total} scenarios, {rate:.1f}/s, {left_text}",
                      markup=False, highlight=False, soft_wrap=True)


def batch_cmd(
    paths: Annotated[list[Path], typer.Argument(
        metavar="INPUT",
        help="Scenario files (YAML/JSON), folders of them, JSONL files (one scenario a "
             "line) or CSV files (columns named by the dotted facts, e.g. threat.hours_until).")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE",
        help="Output file; its suffix chooses the format: .csv (a row per "
             "scenario and doctrine), .jsonl (the full result per scenario), "
             ".md or .html (a report).")],
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, metavar="N",
        help="Worker processes (default: the number of cores).")
    ] = None,
    doctrine: Annotated[list[str] | None, typer.Option(
        "--doctrine", "-d", metavar="ID", help="Only this doctrine (repeatable).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", "-s", metavar="NAME=VALUE",
        help="Override an interpretive parameter (repeatable).")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue an interrupted run from its output, without redoing or "
                         "duplicating the scenarios already done.")] = False,
    engine: Annotated[str, typer.Option(
        "--engine", metavar="ENGINE",
        help="rete (durable-rules, authoritative), fast (the same rules in plain Python) or "
             "vector (the same rules as lookup tables over many scenarios at once; the "
             "compact record, no trace).")] = "rete",
    charts: Annotated[Path | None, typer.Option(
        "--charts", metavar="FOLDER",
        help="Also write the report's charts (SVG and PNG) to this folder.")
    ] = None,
    chunk_size: Annotated[int, typer.Option(
        "--chunk-size", min=0, metavar="N",
        help="Scenarios sent to a worker at a time (0: automatic).")
    ] = 0,
    brief: Annotated[bool, typer.Option(
        "--brief", help="JSONL output without the trace, the per-test facts and words, with "
                        "the parameters only in the first record.")] = False,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", metavar="tcp://HOST:8786",
        help="Run the chunks on a Dask distributed cluster (its scheduler's address) "
             "instead of local worker processes.")] = None,
) -> None:
    """Evaluate many scenarios in worker processes, in input order, resumably."""
    if engine not in ("rete", "fast", "vector"):
        _fail([f"--engine: must be rete, fast or vector, got {engine!r}"])
    try:
        overrides = merge_assignments(set_ or [])
        resolve(overrides, loc_prefix=("--set",))
        doctrines = check_doctrines(doctrine or None, loc=("--doctrine",))
    except InvalidInput as exc:
        _fail(_option_errors(exc))
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail([f"{p}: no such file or folder" for p in missing])
    config = BatchConfig(inputs=list(paths), out=out,
                         workers=workers or os.cpu_count() or 1, doctrines=doctrines,
                         parameters=overrides, resume=resume,
                         engine="vector" if engine == "vector" else
                         "fast" if engine == "fast" else "rete", chunk_size=chunk_size,
                         charts=charts, brief=brief, cluster=cluster)

    def on_invalid(lines: list[str]) -> None:
        for line in lines:
            err.print(line, markup=False, highlight=False, soft_wrap=True, style="red")

    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        with _Reporter("batch") as reporter:
            summary = run_batch(config, progress=reporter, on_invalid=on_invalid)
    except OutputError as exc:
        _fail([str(exc)], EXIT_OUTPUT_ERROR)
    except BatchError as exc:
        _fail([str(exc)])
    except InputFileError as exc:
        _fail(exc.lines())
    finally:
        signal.signal(signal.SIGTERM, previous)
    parts = [f"{summary.evaluated} evaluated"]
    if summary.resumed:
        parts.append(f"{summary.resumed} done before (resumed)")
    parts.append(f"{summary.invalid_count} invalid")
    parts.append(f"{summary.total} in the inputs")
    rate = f", {summary.rate:.1f} scenarios/s" if summary.evaluated else ""
    if summary.interrupted:
        err.print(f"interrupted after {summary.seconds:.1f}s: " + ", ".join(parts)
                  + f". Rerun with --resume to continue into {out}.", markup=False,
                  highlight=False, soft_wrap=True)
        # The journal is closed and synced. Leave at once: after its workers were
        # terminated, a ProcessPoolExecutor can hang the interpreter's exit (its atexit
        # hook joins a manager thread blocked on the dead workers' queue), seen in CI.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    err.print(f"batch: {', '.join(parts)} in {summary.seconds:.1f}s{rate} -> {out}",
              markup=False, highlight=False, soft_wrap=True)
    if summary.invalid_count:
        raise typer.Exit(EXIT_INVALID_INPUT)


def generate_cmd(
    template: Annotated[Path, typer.Argument(metavar="SCENARIO",
    help="The scenario to vary (YAML or JSON).")],
    vary: Annotated[list[str], typer.Option(
        "--vary", "-v", metavar="FIELD=START:STOP:STEP|v1,v2,...",
        help="A fact and its values: a numeric range (STOP included) or a list; null means "
             "unknown (repeatable; the first changes slowest).")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE.jsonl",
                                     help="The sweep, as JSONL.")],
) -> None:
    """Write the cartesian product of variations of one scenario, for sensitivity studies."""
    from engine.batch.generate import generate

    if out.suffix != ".jsonl":
        _fail([f"--out: the sweep is written as JSONL; name it *.jsonl, got {out.name!r}"])
    try:
        n = generate(template, vary, out)
    except InputFileError as exc:
        _fail(exc.lines())
    except InvalidInput as exc:
        _fail(_option_errors(exc))
    err.print(f"generate: {n} scenarios -> {out}", markup=False, highlight=False,
              soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `batch` and `generate` to the imminence command line."""
    app.command("batch")(batch_cmd)
    app.command("generate")(generate_cmd)


def main() -> None:  # pragma: no cover - `python -m cli.batch` for debugging
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    app(sys.argv[1:])


__all__ = ["batch_cmd", "generate_cmd", "register"]
