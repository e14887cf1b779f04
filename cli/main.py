"""The `imminence` command line.

    imminence evaluate FILE... [--format table|json|markdown] [--doctrine ID]...
                               [--set NAME=VALUE]...
    imminence evaluate FILE... --explain   (why: each doctrine's sentence, failed tests in words)
    imminence doctrines [ID]
    imminence facts [NAME]       (the glossary)
    imminence validate FILE...
    imminence library            (the scenario library, compared doctrine by doctrine)

Bad input is reported as `file:line: field: message` on stderr with exit code 2, never a
traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markdown import Markdown

from engine import render, whatif
from engine.errors import ImminenceError, InputFileError, InvalidInput
from engine.evaluate import check_doctrines, evaluate
from engine.law.definitions import load
from engine.law.parameters import merge_assignments, resolve
from engine.loader import iter_files, library, load_scenario_file

app = typer.Typer(
    name="imminence",
    help="Self-defence in international law, doctrine by doctrine: Article 51, Caroline, "
         "pre-emption, prevention and the US NSS 2002/2006, on durable-rules.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_INVALID = 2

DoctrineOpt = Annotated[list[str] | None, typer.Option(
    "--doctrine", "-d", help="Only this doctrine (repeatable). `imminence doctrines` lists them.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", "-s", metavar="NAME=VALUE",
    help="Override an interpretive parameter, e.g. caroline_max_hours=24 or "
         "nss_min_probability.grave=0.6 (repeatable).")]


def fail(lines: list[str], code: int = EXIT_INVALID) -> NoReturn:
    for line in lines:
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def options(doctrine: list[str] | None, sets: list[str] | None) -> tuple[list[str], dict[str, Any]]:
    """Check --doctrine and --set before any file is read."""
    try:
        overrides = merge_assignments(sets or [])
        resolve(overrides, loc_prefix=("--set",))
        doctrines = check_doctrines(doctrine or None, loc=("--doctrine",))
    except InvalidInput as exc:
        fail([f"{e.path}: {e.msg}" + (f" (allowed: {', '.join(map(str, e.allowed))})"
                                      if isinstance(e.allowed, list) else "")
              for e in exc.errors])
    return doctrines, overrides


@app.command("evaluate")
def evaluate_cmd(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML or JSON) or folders.")],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="table, json or markdown")] = "table",
    doctrine: DoctrineOpt = None,
    set_: SetOpt = None,
    what_if: Annotated[bool, typer.Option(
        "--what-if", help="Also list the single-fact changes that would change each verdict.")
    ] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also say why: each doctrine's sentence, and each failed or unknown "
                          "test in words with its source (table and markdown).")] = False,
) -> None:
    """Evaluate scenarios under each doctrine: verdict, route, score, decisive tests."""
    if format not in ("table", "json", "markdown"):
        fail([f"--format: must be table, json or markdown, got {format!r}"])
    doctrines, overrides = options(doctrine, set_)
    errors: list[str] = []
    results = []
    for path in iter_files(list(files)):
        try:
            scenario, _ = load_scenario_file(path)
            ev = evaluate(scenario, overrides, doctrines)
        except InputFileError as exc:
            errors += exc.lines()
            continue
        flips = whatif.changes(scenario, overrides, doctrines) if what_if else None
        results.append((path, scenario, ev, flips))
    if format == "json":
        payload = []
        for _, _, ev, flips in results:
            doc = ev.model_dump(mode="json")
            if flips is not None:
                doc["what_if"] = whatif.as_json(flips)
            payload.append(doc)
        out.print_json(json.dumps(payload[0] if len(payload) == 1 else payload))
    else:
        for _, scenario, ev, flips in results:
            name = scenario.title or scenario.id
            if format == "markdown":
                sys.stdout.write(render.markdown(ev, name) + "\n")
                if explain:
                    sys.stdout.write(render.explanation(ev) + "\n")
                if flips is not None:
                    sys.stdout.write(render.what_if_markdown(flips) + "\n")
            else:
                out.print(render.table(ev, name))
                if explain:
                    out.print(Markdown(render.explanation(ev)))
                if flips is not None:
                    out.print(render.what_if_table(flips))
                out.print()
    if errors:
        fail(errors)


@app.command("validate")
def validate_cmd(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML or JSON) or folders.")],
) -> None:
    """Check scenario files against the fact vocabulary, without evaluating them."""
    errors: list[str] = []
    n = 0
    for path in iter_files(list(files)):
        try:
            load_scenario_file(path)
            n += 1
        except InputFileError as exc:
            errors += exc.lines()
    if errors:
        fail(errors)
    err.print(f"{n} file(s) valid", style="green")


@app.command("doctrines")
def doctrines_cmd(
    doctrine_id: Annotated[str | None, typer.Argument(metavar="[ID]",
                                                      help="A doctrine id.")] = None,
) -> None:
    """List the doctrines, or explain one: routes, tests, parameters and sources."""
    law = load()
    if doctrine_id is None:
        from rich.table import Table

        t = Table(title="Doctrines of self-defence")
        for col in ("id", "name", "routes", "standing"):
            t.add_column(col)
        for d in law.doctrines.values():
            t.add_row(d.id, d.name, " ".join(law.routes[r].code for r in d.routes), d.standing)
        out.print(t)
        out.print("Explain one: imminence doctrines ID")
        return
    if doctrine_id not in law.doctrines:
        fail([f"doctrine: unknown doctrine '{doctrine_id}' "
              f"(allowed: {', '.join(law.doctrines)})"])
    out.print(Markdown(render.doctrine_page(doctrine_id)))


@app.command("facts")
def facts_cmd(
    name: Annotated[str | None, typer.Argument(
        metavar="[NAME]", help="A fact, e.g. threat.last_window.")] = None,
) -> None:
    """The glossary: every fact a scenario can state, its values and what they mean."""
    law = load()
    if name is not None and name not in law.facts:
        import difflib

        close = difflib.get_close_matches(name, list(law.facts), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        fail([f"fact: unknown fact '{name}'{hint} (allowed: {', '.join(law.facts)})"])
    out.print(Markdown(render.glossary(name)))


@app.command("library")
def library_cmd(doctrine: DoctrineOpt = None, set_: SetOpt = None) -> None:
    """Evaluate the scenario library and print the comparison table."""
    doctrines, overrides = options(doctrine, set_)
    rows = [(e.id, evaluate(e.scenario, overrides, doctrines)) for e in library()]
    out.print(render.comparison(rows))


def _register_commands() -> None:
    """Commands that live beside their own feature (batch, serve, quiz).

    Each such module has `register(app: typer.Typer) -> None`; add one call here.
    """
    from cli import analysis, batch, quiz, serve  # they import nothing from this module

    for module in (batch, serve, quiz, analysis):
        module.register(app)


_register_commands()


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except ImminenceError as exc:
        fail([str(exc)], 1)


__all__ = ["app", "main"]
