"""`imminence prove`, `imminence compare`, `imminence whatif`: exact analysis of the law.

    imminence prove [--set NAME=VALUE]...
    imminence compare caroline nss_2002
    imminence compare caroline caroline --set-b caroline_max_hours=24
    imminence whatif FILE --doctrine caroline --to justified [--max-changes 3]
                     [--keep FACT]... [--only FACT]...

Shares count every combination of fact cells with equal weight, each fact independently,
unknown included (engine/analysis/space.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.analysis.compare import SHARE_NOTE, Side, compare
from engine.analysis.minimal import TARGETS, minimal_changes, to_find_out
from engine.analysis.prove import parameter_conditions, prove
from engine.errors import InputFileError, InvalidInput
from engine.law.parameters import merge_assignments, resolve
from engine.loader import ENVELOPE_KEYS, read_document, validate_document

out = Console(highlight=False)
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json")]
SetHelp = "Override an interpretive parameter, NAME=VALUE (repeatable)."


def _fail(lines: list[str]) -> None:
    from cli.main import fail

    fail(lines)


def _params(sets: list[str] | None, flag: str) -> dict[str, Any]:
    try:
        overrides = merge_assignments(sets or [])
        resolve(overrides, loc_prefix=(flag,))
    except InvalidInput as exc:
        _fail(_lines(exc))
    return overrides


def _lines(exc: InvalidInput) -> list[str]:
    return [f"{e.path}: {e.msg}" + (f" (allowed: {', '.join(map(str, e.allowed))})"
                                   if isinstance(e.allowed, list) else "")
            for e in exc.errors]


def _format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        _fail([f"--format: must be table or json, got {fmt!r}"])


def _share(x: float) -> str:
    return f"{100 * x:.4g}%"


def prove_cmd(set_: Annotated[list[str] | None, typer.Option("--set", "-s", help=SetHelp)] = None,
              conditions: Annotated[bool, typer.Option(
                  "--conditions", help="Also the condition on the parameters under which "
                                       "each nesting holds (about a minute).")] = False,
              format: FormatOpt = "table") -> None:
    """Prove the nestings of DOCTRINES §4 and refinement monotonicity, or give the
    counterexample with the fewest stated facts (checked on durable-rules)."""
    _format(format)
    try:
        params = _params(set_, "--set")
        claims = prove(params)
        found = parameter_conditions(params) if conditions else []
    except InvalidInput as exc:
        _fail(_lines(exc))
    if format == "json":
        doc: dict[str, Any] = {"claims": [c.as_json() for c in claims]}
        if conditions:
            doc["conditions"] = found
        out.print_json(json.dumps(doc))
        return
    t = Table(title="Claims over every scenario")
    for col in ("claim", "holds", "counterexample (fewest stated facts)"):
        t.add_column(col)
    for c in claims:
        ce = ""
        if c.counterexample is not None:
            ce = json.dumps(c.counterexample)
            if c.verdicts:
                ce += "  → " + ", ".join(f"{d}: {v}" for d, v in c.verdicts.items())
                ce += f"  (fails on {_share(c.share)} of the space)"
        t.add_row(c.claim, "[green]yes[/green]" if c.holds else "[red]no[/red]",
                  escape(ce or c.note))
    out.print(t)
    if conditions:
        ct = Table(title="Under which parameters each nesting holds")
        ct.add_column("claim")
        ct.add_column("condition")
        for item in found:
            ct.add_row(item["claim"], escape(item["condition"]))
        out.print(ct)
    out.print(f"[dim]Shares: {SHARE_NOTE}.[/dim]")


def compare_cmd(
    a: Annotated[str, typer.Argument(help="A doctrine id.")],
    b: Annotated[str, typer.Argument(help="A doctrine id (the same one, to compare readings).")],
    set_a: Annotated[list[str] | None, typer.Option("--set-a", help=SetHelp + " For A.")] = None,
    set_b: Annotated[list[str] | None, typer.Option("--set-b", help=SetHelp + " For B.")] = None,
    format: FormatOpt = "table",
) -> None:
    """Where two doctrines (or one under two readings) differ, exactly: each pair of
    verdicts as disjoint regions with their share and an example checked on durable-rules."""
    _format(format)
    try:
        result = compare(Side(a, _params(set_a, "--set-a")), Side(b, _params(set_b, "--set-b")))
    except InvalidInput as exc:
        _fail(_lines(exc))
    if format == "json":
        out.print_json(json.dumps(result))
        return
    out.print(f"[bold]{escape(a)}[/bold] {json.dumps(result['a']['parameters'])} vs "
              f"[bold]{escape(b)}[/bold] {json.dumps(result['b']['parameters'])}: verdicts "
              f"differ on {_share(result['share_differ'])} of the space")
    for pair in result["pairs"]:
        t = Table(title=f"A {pair['a']}, B {pair['b']}: {_share(pair['share'])}")
        t.add_column("share")
        t.add_column("region")
        t.add_column("example (fewest stated facts)")
        for r in pair["regions"]:
            t.add_row(_share(r["share"]), escape(r["words"]), escape(json.dumps(r["example"])))
        out.print(t)
    out.print(f"[dim]Shares: {SHARE_NOTE}.[/dim]")


def whatif_cmd(
    file: Annotated[Path, typer.Argument(help="A scenario file (YAML or JSON).")],
    doctrine: Annotated[str, typer.Option("--doctrine", "-d", help="A doctrine id.")],
    to: Annotated[str, typer.Option("--to", help="justified, not_justified or decided")],
    max_changes: Annotated[int, typer.Option("--max-changes", "-n")] = 3,
    keep: Annotated[list[str] | None, typer.Option("--keep", help="A fact not to change.")] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Change only these facts.")
                    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", "-s", help=SetHelp)] = None,
    format: FormatOpt = "table",
) -> None:
    """The least that would have to change for DOCTRINE to give the verdict TO (every set of
    fewest fact changes, nearest values first, each checked on durable-rules); for an
    indeterminate doctrine, also what to find out."""
    _format(format)
    if to not in TARGETS:
        _fail([f"--to: must be one of {', '.join(TARGETS)}, got {to!r}"])
    params = _params(set_, "--set")
    try:
        data, lines = read_document(file)
        validate_document(data, lines, str(file))
        doc = {k: v for k, v in data.items() if k not in ENVELOPE_KEYS}
        sols = minimal_changes(doc, doctrine, to, max_changes, keep or (), only or (), params)
        find = to_find_out(doc, doctrine, max_changes, params)
    except InputFileError as exc:
        _fail(exc.lines())
        return
    except InvalidInput as exc:
        _fail([line.replace("doctrine:", "--doctrine:", 1) for line in _lines(exc)])
        return
    if format == "json":
        out.print_json(json.dumps({"doctrine": doctrine, "to": to,
                                   "solutions": [s.as_json() for s in sols],
                                   "to_find_out": [f.as_json() for f in find]}))
        return
    t = Table(title=f"{doctrine}: least changes to {to.replace('_', ' ')}")
    t.add_column("changes")
    t.add_column("gives")
    for s in sols:
        t.add_row(escape("; ".join(f"{c.fact}: {_show(c.was)} → {_show(c.to)}" for c in s.changes)),
                  s.verdict + (f" ({s.route})" if s.route else ""))
    out.print(t if sols else f"No set of at most {max_changes} changes gives {to}.")
    if find:
        f = Table(title="To find out (unknown facts whose values can decide it)")
        f.add_column("facts")
        f.add_column("justify when")
        f.add_column("reject when")
        for item in find:
            f.add_row(", ".join(item.facts), escape(_combos(item.justify)),
                      escape(_combos(item.reject)))
        out.print(f)


def _show(v: Any) -> str:
    return "unknown" if v is None else json.dumps(v)


def _combos(items: list[dict[str, Any]]) -> str:
    return "; ".join(", ".join(f"{k}={_show(v)}" for k, v in d.items()) for d in items) or "-"


def register(app: typer.Typer) -> None:
    app.command("prove")(prove_cmd)
    app.command("compare")(compare_cmd)
    app.command("whatif")(whatif_cmd)


__all__ = ["register"]
