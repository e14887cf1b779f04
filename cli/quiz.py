"""`imminence quiz [EXERCISE]`: run a teaching exercise in the terminal.

    imminence quiz                      # choose from the list
    imminence quiz six-day-war-imminence
    imminence quiz --check              # validate every exercise file (intent included)

Answers are graded by the engine on the spot (nothing is stored; the web page and the API
store attempts). Feedback explains each answer with the engine's tests and sources.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from engine.errors import InvalidInput
from engine.law.definitions import load
from engine.teaching.exercises import (
    CLASSIFICATIONS,
    VERDICTS,
    ClassificationQuestion,
    DecisiveQuestion,
    Exercise,
    Graded,
    VerdictsQuestion,
    default_prompt,
    exercises,
    grade,
    tests_of,
    validate_all,
)

out = Console(highlight=False)


def _choose(options: list[str], label: str) -> str:
    for i, o in enumerate(options, 1):
        out.print(f"  [bold]{i}[/bold]. {escape(o.replace('_', ' '))}")
    while True:
        raw = str(typer.prompt(label, default="", show_default=False)).strip()
        if raw == "":
            return ""
        if raw.isdigit() and 1 <= int(raw) <= len(options):
            return options[int(raw) - 1]
        if raw in options:
            return raw
        out.print(f"[red]Enter a number from 1 to {len(options)} (or nothing to skip).[/red]")


def _value(raw: str) -> Any:
    raw = raw.strip()
    if raw.lower() in ("unknown", "null", "none", ""):
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def ask(ex: Exercise) -> dict[str, Any]:
    """Put each question; return the answers in the API's format."""
    law = load()
    answers: dict[str, Any] = {}
    for n, q in enumerate(ex.doc.questions, 1):
        out.rule(f"Question {n} ({q.points:g} mark{'s' if q.points != 1 else ''})")
        out.print(escape(q.prompt or default_prompt(q, law)))
        if isinstance(q, ClassificationQuestion):
            a = _choose(list(CLASSIFICATIONS), "Your answer (number)")
            if a:
                answers[q.id] = a
        elif isinstance(q, VerdictsQuestion):
            given = {}
            for d in q.doctrines:
                out.print(f"[bold]{escape(law.doctrines[d].name)}[/bold]")
                v = _choose(list(VERDICTS), "Verdict (number)")
                if v:
                    given[d] = v
            if given:
                answers[q.id] = given
        elif isinstance(q, DecisiveQuestion):
            tests = tests_of(q.doctrine, law)
            for i, t in enumerate(tests, 1):
                out.print(f"  [bold]{i}[/bold]. {t}: {escape(law.tests[t].title)}")
            raw = typer.prompt("Decisive tests (numbers, comma-separated)", default="",
                               show_default=False)
            picked = [tests[int(x) - 1] for x in raw.replace(" ", "").split(",")
                      if x.isdigit() and 1 <= int(x) <= len(tests)]
            if picked:
                answers[q.id] = list(dict.fromkeys(picked))
        else:
            if q.keep:
                out.print(f"Keep unchanged: {', '.join(q.keep)}")
            out.print("Enter changes as [bold]group.fact=value[/bold] (e.g. "
                      "threat.hours_until=24, threat.time_known=true, "
                      "threat.evidence=unknown); an empty line ends.")
            changes: dict[str, Any] = {}
            facts = law.facts
            while len(changes) < q.max_changes:
                raw = typer.prompt(f"Change {len(changes) + 1}", default="",
                                   show_default=False).strip()
                if not raw:
                    break
                if "=" not in raw or raw.split("=", 1)[0].strip() not in facts:
                    out.print("[red]Write group.fact=value with a fact of the vocabulary "
                              "(`imminence doctrines` lists the tests; facts are in "
                              "DOCTRINES §2).[/red]")
                    continue
                name, value = raw.split("=", 1)
                changes[name.strip()] = _value(value)
            if changes:
                answers[q.id] = {"changes": changes}
    return answers


def show(graded: Graded, ex: Exercise) -> None:
    out.rule("Feedback")
    for n, f in enumerate(graded.feedback, 1):
        mark = "[green]✓ correct[/green]" if f.correct else (
            "[yellow]◐ partly right[/yellow]" if f.marks > 0 else "[red]✗ not right[/red]")
        body = escape(f.explanation)
        if f.key is not None:
            body += f"\n[dim]Engine's answer:[/dim] {escape(json.dumps(f.key))}"
        for d in f.details:
            for e in d.decisive:
                body += (f"\n[dim]• {e.test} ({e.status}) — {escape(e.citation)}\n  "
                         f"{escape(e.passage)}[/dim]")
        out.print(Panel(body, title=f"Question {n}: {mark} {f.marks:g}/{f.max_marks:g}",
                        title_align="left"))
    out.print(f"[bold]Score: {graded.marks:g} of {graded.max_marks:g}[/bold]")
    out.print(Panel(escape(ex.doc.teaching_note), title="Teaching note", title_align="left"))


def register(app: typer.Typer) -> None:
    @app.command("quiz")
    def quiz_cmd(
        exercise: Annotated[str | None, typer.Argument(
            metavar="[EXERCISE]", help="An exercise id; omit to choose from the list.")] = None,
        check: Annotated[bool, typer.Option(
            "--check", help="Validate every exercise file against the engine and exit.")]
            = False,
    ) -> None:
        """Run a teaching exercise interactively, graded by the engine."""
        if check:
            problems = validate_all()
            for p in problems:
                typer.echo(p, err=True)
            if problems:
                raise typer.Exit(2)
            typer.echo(f"{len(exercises())} exercise(s) valid", err=True)
            return
        found = exercises()
        if not found:
            typer.echo("no exercises found (scenarios/exercises/)", err=True)
            raise typer.Exit(2)
        if exercise is None:
            ids = list(found)
            out.print("[bold]Exercises[/bold]")
            exercise = ""
            while not exercise:
                exercise = _choose([f"{i}  {found[i].doc.title}" for i in ids],
                                   "Exercise (number)").split("  ", 1)[0]
        ex = found.get(exercise)
        if ex is None:
            typer.echo(f"exercise: no exercise '{exercise}' (allowed: {', '.join(found)})",
                       err=True)
            raise typer.Exit(2)
        out.print(Panel(escape(ex.doc.prompt), title=escape(ex.doc.title), title_align="left"))
        facts = {k: v for k, v in ex.scenario.facts().items() if v is not None}
        out.print("[bold]Facts stated[/bold] (anything else is unknown):")
        for k, v in facts.items():
            out.print(f"  {k} = {json.dumps(v)}")
        law = load()
        changed = {k: v for k, v in ex.parameters.items() if law.parameters[k].default != v}
        if changed:
            out.print(f"[magenta]Reading of the law for this exercise: "
                      f"{escape(json.dumps(changed))}[/magenta]")
        answers = ask(ex)
        try:
            graded = grade(ex, answers)
        except InvalidInput as exc:
            for e in exc.errors:
                typer.echo(f"{e.path}: {e.msg}", err=True)
            raise typer.Exit(2) from None
        show(graded, ex)


__all__ = ["register"]
