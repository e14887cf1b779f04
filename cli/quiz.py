"""`imminence quiz [EXERCISE]`: run a teaching exercise in the terminal.

    imminence quiz                      # choose from the list
    imminence quiz six-day-war-imminence
    imminence quiz --check              # validate every exercise file (intent included)

Each answer is graded by the engine as soon as it is given, and its feedback shown then, in
the words of the law (nothing is stored; the web page and the API store attempts). Every
text that comes from a file or from the user is printed as it is: Rich markup and emoji
codes in it are never interpreted.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from engine.errors import InvalidInput
from engine.law.definitions import Law, load
from engine.law.scenario import did_you_mean, fact_catalogue
from engine.teaching.exercises import (
    CLASSIFICATIONS,
    VERDICTS,
    ClassificationQuestion,
    DecisiveQuestion,
    Exercise,
    Feedback,
    Question,
    VerdictsQuestion,
    WhatIfQuestion,
    default_prompt,
    exercises,
    tests_of,
    validate_all,
    validate_answers,
)
from engine.teaching.words import (
    class_label,
    fact_label,
    fact_line,
    value_words,
    verdict_label,
    words,
)

out = Console(highlight=False, emoji=False)


def say(text: str, style: str = "") -> None:
    """Print text as it is (no markup, no emoji codes)."""
    out.print(Text(text, style=style))


def _choose(options: list[str], label: str, shown: list[str] | None = None) -> str:
    for i, o in enumerate(shown or options, 1):
        line = Text.assemble((f"  {i}", "bold"), f". {o}")
        out.print(line)
    while True:
        raw = str(typer.prompt(label, default="", show_default=False)).strip()
        if raw == "":
            return ""
        if raw.isdigit() and 1 <= int(raw) <= len(options):
            return options[int(raw) - 1]
        if raw in options:
            return raw
        say(f"Enter a number from 1 to {len(options)} (or nothing to skip).", "red")


def marks(x: float) -> str:
    """Marks as a reader says them: 1, 0.5, 0.67 (never 0.6667)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _value(raw: str) -> Any:
    """A what-if value as typed: unknown, true/false, a number (1e3 included), else text."""
    raw = raw.strip()
    if raw.lower() in ("unknown", "null", "none", ""):
        return None
    if raw.lower() in ("yes", "no"):
        return raw.lower() == "yes"
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def _readable_facts(q: WhatIfQuestion, ex: Exercise, law: Law) -> list[str]:
    """The facts the question's doctrine reads (those worth changing), dotted names."""
    ev = ex.evaluation()
    read = [f for t in ev.doctrines[q.doctrine].tests for f in t.facts]
    return [f for f in dict.fromkeys(read) if f not in q.keep]


def ask_what_if(q: WhatIfQuestion, ex: Exercise, law: Law) -> dict[str, Any] | None:
    facts = fact_catalogue()
    if q.keep:
        say("Keep unchanged: " + "; ".join(fact_label(f, law) for f in q.keep))
    say("Facts this doctrine reads (type the name on the left):")
    now = ex.scenario.facts()
    for f in _readable_facts(q, ex, law):
        info = facts[f]
        values = info.get("values") or []
        allowed = "true or false" if info["kind"] == "bool" else (
            ", ".join(map(str, values)) if values else "a number")
        say(f"  {f}: {fact_label(f, law)}, now {value_words(now.get(f))} ({allowed}, or "
            "unknown)", "dim")
    say("Enter each change as group.fact=value (e.g. threat.hours_until=24, "
        "threat.time_known=true, threat.evidence=unknown); an empty line ends.")
    changes: dict[str, Any] = {}
    while len(changes) < q.max_changes:
        raw = str(typer.prompt(f"Change {len(changes) + 1}", default="",
                               show_default=False)).strip()
        if not raw:
            break
        if "=" not in raw:
            say("Write group.fact=value, e.g. threat.hours_until=24.", "red")
            continue
        name, value = (part.strip() for part in raw.split("=", 1))
        if name not in facts:
            say(f"unknown fact '{name}'{did_you_mean(name, facts)}", "red")
            continue
        candidate = {**changes, name: _value(value)}
        try:
            validate_answers(ex, {q.id: {"changes": candidate}})
        except InvalidInput as exc:
            for e in exc.errors:
                say(f"{name}: {e.msg}", "red")
            continue
        changes = candidate
    return {"changes": changes} if changes else None


def ask_one(q: Question, ex: Exercise, law: Law) -> Any:
    """Put one question; its answer in the API's format (None: skipped)."""
    if isinstance(q, ClassificationQuestion):
        return _choose(list(CLASSIFICATIONS), "Your answer (number)",
                       [class_label(c) for c in CLASSIFICATIONS]) or None
    if isinstance(q, VerdictsQuestion):
        given = {}
        for d in q.doctrines:
            say(law.doctrines[d].name, "bold")
            v = _choose(list(VERDICTS), "Verdict (number)", [verdict_label(v) for v in VERDICTS])
            if v:
                given[d] = v
        return given or None
    if isinstance(q, DecisiveQuestion):
        tests = tests_of(q.doctrine, law)
        for i, t in enumerate(tests, 1):
            out.print(Text.assemble((f"  {i}", "bold"), f". {law.tests[t].title}"))
        raw = str(typer.prompt("Decisive tests (numbers, comma-separated)", default="",
                               show_default=False))
        picked = [tests[int(x) - 1] for x in raw.replace(" ", "").split(",")
                  if x.isdigit() and 1 <= int(x) <= len(tests)]
        return list(dict.fromkeys(picked)) or None
    assert isinstance(q, WhatIfQuestion)
    return ask_what_if(q, ex, law)


def show_feedback(n: int, f: Feedback, seen_sources: set[str]) -> None:
    """One question's feedback: the result, the lines, the engine's answer and each
    decisive test's source and passage (a source already shown in this quiz is named in
    the lines, not printed again)."""
    if f.correct:
        mark, style = "✓ correct", "green"
    elif f.marks > 0:
        mark, style = "◐ partly right", "yellow"
    else:
        mark, style = "✗ not right", "red"
    body = Text()
    for line in f.lines:
        body.append(line + "\n")
    if f.key_words and not f.correct:
        body.append("The engine's answer:\n", "bold")
        for w in f.key_words:
            body.append(f"  • {w}\n")
    for d in f.details:
        for e in d.decisive:
            if e.status == "satisfied" or e.source in seen_sources:
                continue
            seen_sources.add(e.source)
            body.append(f"{e.citation}\n", "dim")
            body.append(f"  “{e.passage}”\n", "dim italic")
    title = Text.assemble(f"Question {n}: ", (mark, style),
                          f" {marks(f.marks)} of {marks(f.max_marks)}")
    body.rstrip()
    out.print(Panel(body, title=title, title_align="left"))


def run(ex: Exercise) -> float:
    """Ask each question, grade it at once and show its feedback; the total marks."""
    law = load()
    ev = ex.evaluation()
    seen: set[str] = set()
    total = 0.0
    for n, q in enumerate(ex.doc.questions, 1):
        out.rule(f"Question {n} ({q.points:g} mark{'s' if q.points != 1 else ''})")
        say(q.prompt or default_prompt(q, law))
        answer = ask_one(q, ex, law)
        answers = {} if answer is None else {q.id: answer}
        validate_answers(ex, answers)
        f = q.grade(ex, answer, ev, law)
        total += f.marks
        show_feedback(n, f, seen)
    return round(total, 4)


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
            say("Exercises", "bold")
            exercise = ""
            while not exercise:
                exercise = _choose(ids, "Exercise (number)",
                                   [f"{found[i].doc.title} ({i})" for i in ids])
        ex = found.get(exercise)
        if ex is None:
            typer.echo(f"exercise: no exercise '{exercise}'{did_you_mean(exercise, found)} "
                       f"(allowed: {', '.join(found)})", err=True)
            raise typer.Exit(2)
        law = load()
        out.print(Panel(Text(ex.doc.prompt), title=Text(ex.doc.title), title_align="left"))
        say("Facts stated (anything else is unknown):", "bold")
        for k, v in ex.scenario.facts().items():
            if v is not None:
                say(f"  {fact_line(k, v, law)}")
        changed = {k: v for k, v in ex.parameters.items() if law.parameters[k].default != v}
        for k, v in changed.items():
            say(f"Reading of the law for this exercise: {words(k)} = {v} (default "
                f"{law.parameters[k].default})", "magenta")
        try:
            total = run(ex)
        except InvalidInput as exc:
            for e in exc.errors:
                typer.echo(f"{e.path}: {e.msg}", err=True)
            raise typer.Exit(2) from None
        say(f"Score: {marks(total)} of {marks(ex.max_marks())}", "bold")
        out.print(Panel(Text(ex.doc.teaching_note), title="Teaching note", title_align="left"))


__all__ = ["register", "run"]
