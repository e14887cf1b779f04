"""`imminence sweep`: a sensitivity sweep from a `--vary` spec, on the vectorised engine.

    imminence sweep TEMPLATE --vary FIELD=START:STOP:STEP|v1,v2,... [--vary ...]
                    --out FILE.{csv,parquet,html,md} [--summary] [--set NAME=VALUE]...
                    [--doctrine ID]... [--cluster tcp://HOST:8786]

Exit codes: 0 done; 2 the template, the options or the output name are wrong (the message
names the file, the field or the option and what is allowed); 130 interrupted (the output
is not written: a sweep is cheap to run again).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.batch import EXIT_BAD_OPTIONS, EXIT_INTERRUPTED, _fail, _option_errors, _Reporter, err
from engine.errors import InputFileError, InvalidInput
from engine.law.parameters import merge_assignments


def sweep_cmd(
    template: Annotated[Path, typer.Argument(help="The scenario to vary (YAML or JSON).")],
    vary: Annotated[list[str], typer.Option(
        "--vary", "-v", metavar="FIELD=START:STOP:STEP|v1,v2,...",
        help="A fact and its values: a numeric range (STOP included) or a list; null means "
             "unknown (repeatable; the first changes slowest).")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Output file; its suffix chooses the format: .csv or .parquet "
                            "(a row per scenario), .html or .md (the report with the "
                            "sensitivity charts).")],
    summary: Annotated[bool, typer.Option(
        "--summary", help="Instead of a row per scenario, counts per varied value and "
                          "doctrine (.csv or .parquet).")] = False,
    doctrine: Annotated[list[str] | None, typer.Option(
        "--doctrine", "-d", help="Only this doctrine (repeatable).")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", "-s", metavar="NAME=VALUE",
        help="Override an interpretive parameter (repeatable).")] = None,
    chunk_size: Annotated[int, typer.Option(
        "--chunk-size", min=1, help="Scenarios evaluated at a time.")] = 1 << 16,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", metavar="tcp://HOST:8786",
        help="Evaluate the chunks on a Dask distributed cluster (its scheduler's address).")
    ] = None,
) -> None:
    """Evaluate the cartesian product of variations of one scenario, fast, for sensitivity
    studies (the same --vary spec as `generate`, no files in between)."""
    from engine.batch.sweep import SweepError, check_output, plan, run_sweep

    try:
        check_output(out, summary)
    except SweepError as exc:
        _fail([str(exc)])
    if not template.exists():
        _fail([f"{template}: no such file"])
    try:
        overrides = merge_assignments(set_ or [])
        p = plan(template, vary, overrides, doctrine or None)
    except InputFileError as exc:
        _fail(exc.lines())
    except InvalidInput as exc:
        _fail(_option_errors(exc))
    results = None
    client = None
    if cluster is not None:
        from engine.batch.cluster import ClusterError, connect, sweep_results

        try:
            client = connect(cluster)
        except ClusterError as exc:
            _fail([str(exc)])
        results = sweep_results(client, p, chunk_size, rows=not summary
                                and out.suffix in (".csv", ".parquet"))
    try:
        with _Reporter("sweep") as reporter:
            done = run_sweep(p, out, summary=summary, chunk=chunk_size, progress=reporter,
                             results=results)
    except KeyboardInterrupt:
        err.print(f"interrupted: {out} not written", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except SweepError as exc:
        _fail([str(exc)], EXIT_BAD_OPTIONS)
    finally:
        if client is not None:
            client.close()
    err.print(f"sweep: {done.scenarios} scenarios in {done.seconds:.1f}s, "
              f"{done.rate:,.0f} scenarios/s -> {out}", markup=False, highlight=False,
              soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `sweep` to the imminence command line."""
    app.command("sweep")(sweep_cmd)


__all__ = ["register", "sweep_cmd"]
