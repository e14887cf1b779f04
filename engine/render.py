"""Rendering evaluations for people: Rich tables, Markdown, and the doctrine pages.

Renders only; the law comes from the Evaluation and from rules/ (via definitions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from engine.law import words
from engine.law.definitions import DoctrineDef, Law, LegalTest, load
from engine.result import DoctrineResult, Evaluation, TestResult

VERDICT_STYLE = {"justified": "green", "not_justified": "red", "indeterminate": "yellow"}
VERDICT_MARK = {"justified": "✓", "not_justified": "✗", "indeterminate": "?"}
# labels defined once, in rules/verdicts.yaml
VERDICT_LABEL = {v.id: v.label for v in load().verdicts}
STATUS_MARK = {"satisfied": "✓", "failed": "✗", "unknown": "?"}


def score_range(d: DoctrineResult) -> str:
    return f"{d.score}" if d.score == d.score_max else f"{d.score}–{d.score_max}"


def changed_parameters(ev: Evaluation, law: Law | None = None) -> dict[str, Any]:
    law = law or load()
    return {k: v for k, v in ev.parameters.items() if law.parameters[k].default != v}


def table(ev: Evaluation, title: str | None = None) -> RenderableType:
    """The comparison table of one evaluation: classification on top, a row a doctrine."""
    law = load()
    head = Text()
    head.append(title or ev.scenario_id or "scenario", style="bold")
    head.append("  classification: ")
    head.append(ev.classification.replace("_", "-"), style="bold cyan")
    changed = changed_parameters(ev, law)
    if changed:
        head.append("  parameters: " + ", ".join(f"{k}={v}" for k, v in changed.items()),
                    style="magenta")
    t = Table(show_lines=False, expand=False)
    t.add_column("doctrine")
    t.add_column("verdict")
    t.add_column("route")
    t.add_column("score", justify="right")
    t.add_column("decisive / missing facts")
    for d_id, d in ev.doctrines.items():
        why = ", ".join(d.decisive)
        if d.missing_facts:
            why += "  (find out: " + ", ".join(d.missing_facts) + ")"
        if d.widening:
            why += "  widened past: " + ", ".join(d.widening)
        t.add_row(law.doctrines[d_id].name, Text(VERDICT_LABEL[d.verdict],
                                                 style=VERDICT_STYLE[d.verdict]),
                  d.route, score_range(d), why)
    return Group(head, t)


def markdown(ev: Evaluation, title: str | None = None) -> str:
    law = load()
    lines = [f"## {title or ev.scenario_id or 'scenario'}", "",
             f"Classification: **{ev.classification}**", ""]
    changed = changed_parameters(ev, law)
    if changed:
        lines += ["Parameters changed from the defaults: "
                  + ", ".join(f"`{k}={v}`" for k, v in changed.items()), ""]
    lines += ["| doctrine | verdict | route | score | decisive | missing facts | widening |",
              "|---|---|---|---|---|---|---|"]
    for d_id, d in ev.doctrines.items():
        lines.append(f"| {law.doctrines[d_id].name} | {VERDICT_LABEL[d.verdict]} | {d.route} | "
                     f"{score_range(d)} | {', '.join(d.decisive)} | "
                     f"{', '.join(d.missing_facts)} | {', '.join(d.widening)} |")
    return "\n".join(lines) + "\n"


def explanation(ev: Evaluation) -> str:
    """Why each doctrine decided as it did (Markdown): its sentence, then each failed or
    unknown test once, with its condition in words, what failed or is unknown, and the
    passage of its source (`imminence evaluate --explain`)."""
    law = load()
    lines: list[str] = []
    for d_id, d in ev.doctrines.items():
        lines += [f"### {law.doctrines[d_id].name}: {VERDICT_LABEL[d.verdict]}", "",
                  d.sentence, ""]
        seen: dict[str, list[str]] = {}
        firsts: dict[str, TestResult] = {}
        for t in d.tests:
            if t.status == "satisfied":
                continue
            seen.setdefault(t.test, []).append(t.route or "")
            firsts.setdefault(t.test, t)
        for t_id, t in firsts.items():
            title = law.tests[t_id].title
            lines += [f"- {STATUS_MARK[t.status]} **{t_id}** ({t.status}; route "
                      f"{', '.join(seen[t_id])}): {title}.",
                      f"  - *Condition:* {t.condition}.",
                      f"  - *Because:* {t.because}" if t.because else "",
                      f"  - *Source:* {t.citation}: {t.passage} ({t.passage_kind})", ""]
        lines = [x for i, x in enumerate(lines) if x or (i and lines[i - 1])]
        lines.append("")
    return "\n".join(lines) + "\n"


def glossary(name: str | None = None) -> str:
    """The facts a scenario can state, each with its meaning (Markdown; `imminence facts`)."""
    law = load()
    out = ["# Facts of a scenario", "",
           "Every fact may be absent or null: unknown, never false.", ""]
    group = None
    for fname, fd in law.facts_stated().items():
        if name is not None and fname != name:
            continue
        if fd.group != group and name is None:
            group = fd.group
            out += [f"## {group}", ""]
        kind = {"enum": "one of the values below", "bool": "true or false",
                "text": "text"}.get(fd.kind, "")
        if fd.kind == "number":
            hi = "" if fd.maximum is None else f" to {words.number(fd.maximum)}"
            kind = f"a number from {words.number(fd.minimum)}{hi} ({fd.unit})"
        src = f" *Source: {law.sources[fd.source].short}.*" if fd.source else ""
        out.append(f"- `{fname}` ({kind}): {fd.meaning}{src}")
        for v, meaning in fd.value_meanings.items():
            out.append(f"  - `{v}`: {meaning}")
        if fd.default is not None:
            out.append(f"  - when not stated: {str(fd.default.value).lower()} if "
                       f"{', '.join(law.fact_defs[f].label for f in fd.default.when.facts())} "
                       f"is stated, else unknown")
    return "\n".join(out) + "\n"


def what_if_table(flips: dict[str, list[Any]]) -> Table:
    """Which single fact would change each doctrine's verdict (engine.whatif.changes)."""
    law = load()
    t = Table(title="What would change the answer (one fact at a time)", title_justify="left")
    t.add_column("doctrine")
    t.add_column("if")
    t.add_column("then")
    for d_id, changes in flips.items():
        for c in changes:
            was = "unknown" if c.was is None else c.was
            t.add_row(law.doctrines[d_id].short_name, f"{c.fact}: {was} → {c.value}",
                      Text(VERDICT_LABEL[c.verdict] + (f" ({c.route})" if c.route else ""),
                           style=VERDICT_STYLE[c.verdict]))
    return t


def what_if_markdown(flips: dict[str, list[Any]]) -> str:
    law = load()
    lines = ["### What would change the answer", "", "| doctrine | if | then |", "|---|---|---|"]
    for d_id, changes in flips.items():
        for c in changes:
            was = "unknown" if c.was is None else c.was
            lines.append(f"| {law.doctrines[d_id].short_name} | `{c.fact}`: {was} → {c.value} "
                         f"| {VERDICT_LABEL[c.verdict]} |")
    return "\n".join(lines) + "\n"


def comparison(rows: Sequence[tuple[str, Evaluation]]) -> Table:
    """Many scenarios, one row each, a column a doctrine (the library overview)."""
    law = load()
    t = Table(title="Verdict and score per doctrine",
              caption="✓ justified   ✗ not justified   ? indeterminate   "
                      "(score or score–score_max)")
    t.add_column("scenario", overflow="fold")
    t.add_column("kind of force", overflow="fold")
    for doc in law.doctrines.values():
        t.add_column(doc.short_name, justify="left", no_wrap=True)
    for name, ev in rows:
        cells: list[RenderableType] = [name, ev.classification.replace("_", "-")]
        for d_id in law.doctrines:
            d = ev.doctrines.get(d_id)
            if d is None:
                cells.append("")
                continue
            cells.append(Text(f"{VERDICT_MARK[d.verdict]} {score_range(d)}",
                              style=VERDICT_STYLE[d.verdict]))
        t.add_row(*cells)
    return t


def doctrine_page(doctrine_id: str, parameters: Mapping[str, Any] | None = None) -> str:
    """A doctrine explained for a law student (Markdown): each route, each test's passage
    with its condition in words under it (the statute above the code), the parameters it
    reads, the settings and the sources."""
    from engine.law.parameters import resolve

    law = load()
    params = resolve(parameters, law)
    d = law.doctrines[doctrine_id]
    out = [f"# {d.name} (`{d.id}`)", "", f"*Standing:* {d.standing}", "", d.summary, "",
           f"> {d.quote['text']} — {law.sources[d.quote['source']].short}", "",
           "## Routes", "",
           "The doctrine justifies force if any one route is satisfied (all its tests); "
           "it rejects it if every route has a failed test; otherwise it is indeterminate.",
           ""]
    params_used: list[str] = []
    for r_id in d.routes:
        r = law.routes[r_id]
        out += [f"### {r.code} `{r.id}`: {r.title}", ""]
        if r.widens:
            out += [f"Widens `{r.widens}`: it replaces that route's imminence test.", ""]
        for t_id in r.tests:
            t = law.tests[t_id]
            read = law.parameters_read(t, d)
            params_used += read
            out += [f"**{t.id}**: {t.title}.", "",
                    f"> {t.passage} — *{law.sources[t.source].short}* ({t.passage_kind})", "",
                    f"*Condition:* {condition_words(law, t, d, params)}."
                    + (f" *Reads:* {', '.join(f'`{p}`' for p in read)}." if read else ""),
                    ""]
        out.append("")
    out += ["## Settings of this doctrine", ""]
    for k, v in d.settings.items():
        shown = v["parameter"] if isinstance(v, dict) else (", ".join(v) if isinstance(v, list)
                                                             else str(v).lower())
        out.append(f"- `{k}`: {shown}")
    out += ["", "## Interpretive parameters it reads", ""]
    for name in dict.fromkeys(params_used):
        p = law.parameters[name]
        out.append(f"- `{name}` (default {p.default}): {p.reason} "
                   f"*({law.sources[p.source].short})*")
    out += ["", "## Sources", ""]
    for s in d.sources:
        src = law.sources[s]
        out.append(f"- `{s}`: {src.citation}")
    return "\n".join(out) + "\n"


def condition_words(law: Law, test: LegalTest, doctrine: DoctrineDef,
               params: Mapping[str, Any]) -> str:
    """A test's condition in words, as one doctrine reads it."""
    return words.condition(law, test.condition, params, doctrine.setting_values)


__all__ = ["comparison", "doctrine_page", "explanation", "glossary", "markdown", "score_range",
           "table"]
