"""Reports of a batch run: Markdown, a self-contained HTML page, and charts.

    data = collect(records)          # streaming: one pass, memory bounded by the vocabulary
    html(data); markdown(data); write_charts(data, Path("charts"))

`records` are batch journal records (engine.batch.run): a §5 result, or its compact form,
with an `input` key holding the scenario's key, index and, for a sweep made by
`imminence generate`, its varied values (`vary`). What is kept is counts only: verdicts
per doctrine, scores per doctrine, classifications, pairwise disagreements, and for each
varied field the verdicts per doctrine per value, so memory does not grow with the
number of scenarios.

Charts are drawn with matplotlib (`Figure`, no pyplot, no global state) as SVG with the
fonts drawn as paths: the HTML page embeds them inline and needs no network.
"""

from __future__ import annotations

import html as html_lib
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from engine.result import Classification

VERDICTS = ("justified", "indeterminate", "not_justified")
VERDICT_COLOUR = {"justified": "#2e7d32", "indeterminate": "#f9a825", "not_justified": "#c62828"}
VERDICT_LABEL = {"justified": "justified", "indeterminate": "indeterminate",
                 "not_justified": "not justified"}
# rules/classification.yaml's order, through the result model (a test checks they agree)
CLASSIFICATIONS: tuple[str, ...] = get_args(Classification)
SCORE_BINS = tuple(range(0, 101, 10))  # 0-9, 10-19, ..., 90-100


@dataclass
class ReportData:
    """Counts gathered from a batch's records (see `collect`)."""

    scenarios: int = 0
    invalid: int = 0
    doctrines: list[str] = field(default_factory=list)
    verdicts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    scores: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    classifications: Counter[str] = field(default_factory=Counter)
    disagreements: Counter[tuple[str, str]] = field(default_factory=Counter)
    # field -> value (JSON text) -> doctrine -> verdict counts
    sweep: dict[str, dict[str, dict[str, Counter[str]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(Counter))))
    parameters: dict[str, Any] | None = None  # those of the first record (exact matrix)

    def add(self, record: Mapping[str, Any]) -> None:
        self.scenarios += 1
        if self.parameters is None and isinstance(record.get("parameters"), dict):
            self.parameters = dict(record["parameters"])
        self.classifications[record["classification"]] += 1
        verdicts: dict[str, str] = {}
        for d, r in record["doctrines"].items():
            if d not in self.verdicts:
                self.doctrines.append(d)
            verdicts[d] = r["verdict"]
            self.verdicts[d][r["verdict"]] += 1
            self.scores[d][int(r["score"])] += 1
        ids = list(verdicts)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if verdicts[a] != verdicts[b]:
                    self.disagreements[(a, b)] += 1
        vary = (record.get("input") or {}).get("vary") or {}
        for name, value in vary.items():
            per_value = self.sweep[name][json.dumps(value)]
            for d, v in verdicts.items():
                per_value[d][v] += 1

    def disagreement(self, a: str, b: str) -> int:
        return self.disagreements.get((a, b), 0) + self.disagreements.get((b, a), 0)

    def sweep_values(self, name: str) -> list[str]:
        """The values seen for a varied field, in their natural order."""
        from engine.law.scenario import fact_catalogue

        info = fact_catalogue().get(name, {})
        order = [json.dumps(v) for v in info.get("values", [])]

        def key(text: str) -> tuple[int, float, int, str]:
            value = json.loads(text)
            if value is None:
                return (3, 0.0, 0, text)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return (0, float(value), 0, text)
            if text in order:
                return (1, 0.0, order.index(text), text)
            return (2, 0.0, 0, text)

        return sorted(self.sweep.get(name, {}), key=key)


def collect(records: Iterable[Mapping[str, Any]]) -> ReportData:
    data = ReportData()
    for record in records:
        data.add(record)
    return data


def _names() -> dict[str, str]:
    from engine.law.definitions import load

    return {d: doc.name for d, doc in load().doctrines.items()}


def _label(value_text: str) -> str:
    value = json.loads(value_text)
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- charts


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig: Any) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "imminence"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def chart_verdicts(data: ReportData) -> Any:
    fig = _figure(8, 0.5 * len(data.doctrines) + 1.5)
    ax = fig.add_subplot()
    ys = list(range(len(data.doctrines)))[::-1]
    left = [0] * len(ys)
    for v in VERDICTS:
        counts = [data.verdicts[d][v] for d in data.doctrines]
        ax.barh(ys, counts, left=left, color=VERDICT_COLOUR[v], label=VERDICT_LABEL[v])
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_yticks(ys, data.doctrines)
    ax.set_xlabel("scenarios")
    ax.set_title("Verdicts per doctrine")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def chart_scores(data: ReportData) -> Any:
    n = len(data.doctrines)
    cols = 3 if n > 2 else max(n, 1)
    rows = max(1, -(-n // cols))
    fig = _figure(3.2 * cols, 2.4 * rows)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    for i, d in enumerate(data.doctrines):
        ax = axes[i // cols][i % cols]
        bins = [sum(c for s, c in data.scores[d].items() if lo <= s < lo + 10 or
                    (lo == 90 and s == 100)) for lo in SCORE_BINS[:-1]]
        ax.bar([lo + 5 for lo in SCORE_BINS[:-1]], bins, width=9, color="#1565c0")
        ax.set_title(d, fontsize="small")
        ax.set_xlim(0, 100)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    fig.suptitle("Score distribution per doctrine (score, unknown counted as not satisfied)")
    return fig


def chart_classifications(data: ReportData) -> Any:
    names = [c for c in CLASSIFICATIONS if data.classifications[c]] + sorted(
        c for c in data.classifications if c not in CLASSIFICATIONS)
    fig = _figure(7, 0.45 * max(len(names), 1) + 1.5)
    ax = fig.add_subplot()
    ys = list(range(len(names)))[::-1]
    ax.barh(ys, [data.classifications[c] for c in names], color="#6a1b9a")
    ax.set_yticks(ys, [c.replace("_", "-") for c in names])
    ax.set_xlabel("scenarios")
    ax.set_title("Classification of the force used")
    return fig


def chart_disagreement(data: ReportData) -> Any:
    ds = data.doctrines
    fig = _figure(7, 6)
    ax = fig.add_subplot()
    total = max(data.scenarios, 1)
    matrix = [[data.disagreement(a, b) / total for b in ds] for a in ds]
    im = ax.imshow(matrix, vmin=0, vmax=1, cmap="Reds")
    ax.set_xticks(range(len(ds)), ds, rotation=40, ha="right")
    ax.set_yticks(range(len(ds)), ds)
    for i, a in enumerate(ds):
        for j, b in enumerate(ds):
            ax.text(j, i, str(data.disagreement(a, b)), ha="center", va="center",
                    fontsize="small", color="black" if matrix[i][j] < 0.6 else "white")
    fig.colorbar(im, ax=ax, label="share of scenarios with different verdicts")
    ax.set_title("Disagreement: scenarios where two doctrines differ")
    return fig


def chart_sweep(data: ReportData, name: str) -> Any:
    """Verdict shares per doctrine against one varied field (other fields pooled)."""
    values = data.sweep_values(name)
    ds = data.doctrines
    fig = _figure(min(14.0, max(6.0, 0.35 * len(values) + 3)), 1.3 * len(ds) + 1.2)
    axes = fig.subplots(len(ds), 1, squeeze=False, sharex=True)
    xs = list(range(len(values)))
    dense = len(values) > 40  # many values: stacked areas, not thousands of bars
    for i, d in enumerate(ds):
        ax = axes[i][0]
        bottom = [0.0] * len(values)
        series = []
        for v in VERDICTS:
            shares = []
            for value in values:
                counts = data.sweep[name][value][d]
                shares.append(counts[v] / max(sum(counts.values()), 1))
            series.append(shares)
            if not dense:
                ax.bar(xs, shares, bottom=bottom, width=0.9, color=VERDICT_COLOUR[v],
                       label=VERDICT_LABEL[v])
            bottom = [a + b for a, b in zip(bottom, shares, strict=True)]
        if dense:
            ax.stackplot(xs, *series, colors=[VERDICT_COLOUR[v] for v in VERDICTS],
                         labels=[VERDICT_LABEL[v] for v in VERDICTS], step=None)
            ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 0.5, 1])
        ax.set_ylabel(d, rotation=0, ha="right", va="center", fontsize="small")
    last = axes[-1][0]
    every = max(1, -(-len(values) // 20))  # at most about 20 labels
    last.set_xticks(xs[::every], [_label(v) for v in values][::every],
                    rotation=45 if len(values) > 8 else 0)
    last.set_xlabel(name)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize="small")
    fig.suptitle(f"Verdict per doctrine as {name} varies")
    return fig


def charts(data: ReportData) -> dict[str, Any]:
    """Every chart of the report by file stem, in the order they appear."""
    if data.scenarios == 0:
        return {}
    out = {"verdicts": chart_verdicts(data), "scores": chart_scores(data),
           "classifications": chart_classifications(data),
           "disagreement": chart_disagreement(data)}
    for name in data.sweep:
        out[f"sensitivity-{name}"] = chart_sweep(data, name)
    return out


def write_charts(data: ReportData, directory: Path) -> list[Path]:
    """The report's charts as SVG and PNG files."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in charts(data).items():
        svg = directory / f"{stem}.svg"
        svg.write_text(_svg(fig), encoding="utf-8")
        png = directory / f"{stem}.png"
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
        written += [svg, png]
    return written


# --------------------------------------------------------------------------- tables


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0%"


def _score_summary(counts: Counter[int]) -> tuple[int, float, int, int]:
    """min, mean, median, max of a score distribution given as counts."""
    total = sum(counts.values())
    if not total:
        return (0, 0.0, 0, 0)
    ordered = sorted(counts)
    mean = sum(s * c for s, c in counts.items()) / total
    seen, median = 0, ordered[0]
    for s in ordered:
        seen += counts[s]
        if seen * 2 >= total:
            median = s
            break
    return (ordered[0], mean, median, ordered[-1])


def tables(data: ReportData) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's tables: (title, header, rows)."""
    names = _names()
    n = data.scenarios
    out: list[tuple[str, list[str], list[list[str]]]] = []
    out.append(("Verdicts per doctrine",
                ["doctrine", "name", *[VERDICT_LABEL[v] for v in VERDICTS]],
                [[d, names.get(d, d),
                  *[f"{data.verdicts[d][v]} ({_pct(data.verdicts[d][v], n)})" for v in VERDICTS]]
                 for d in data.doctrines]))
    rows = []
    for d in data.doctrines:
        lo, mean, median, hi = _score_summary(data.scores[d])
        rows.append([d, str(lo), f"{mean:.1f}", str(median), str(hi)])
    out.append(("Score distribution per doctrine", ["doctrine", "min", "mean", "median", "max"],
                rows))
    out.append(("Classification of the force used", ["classification", "scenarios", "share"],
                [[c.replace("_", "-"), str(k), _pct(k, n)]
                 for c, k in sorted(data.classifications.items(),
                                    key=lambda kv: (CLASSIFICATIONS.index(kv[0])
                                                    if kv[0] in CLASSIFICATIONS else 99))]))
    out.append(("Disagreement matrix (scenarios where the two doctrines' verdicts differ)",
                ["", *data.doctrines],
                [[a, *[("–" if a == b else str(data.disagreement(a, b)))
                       for b in data.doctrines]] for a in data.doctrines]))
    exact = _exact_rows(data)
    if exact:
        out.append(("Exact disagreement over every possible scenario (share of the space; "
                    "shares count every combination of fact cells with equal weight, each "
                    "fact independently, unknown included)", ["", *data.doctrines], exact))
    for name in data.sweep:
        rows = []
        for value in data.sweep_values(name):
            row = [_label(value)]
            for d in data.doctrines:
                c = data.sweep[name][value][d]
                row.append(" / ".join(str(c[v]) for v in VERDICTS))
            rows.append(row)
        out.append((f"Sensitivity to {name} (justified / indeterminate / not justified)",
                    [name, *data.doctrines], rows))
    return out


def _exact_rows(data: ReportData) -> list[list[str]]:
    """The exact divergence matrix (engine.analysis) beside the sampled one."""
    if len(data.doctrines) < 2:
        return []
    from engine.analysis.compare import exact_disagreement
    from engine.errors import InvalidInput

    try:
        shares = exact_disagreement(data.doctrines, data.parameters)
    except InvalidInput:  # parameters of an older record format: no exact matrix
        return []
    return [[a, *[("–" if a == b else f"{100 * shares[(a, b)]:.3g}%") for b in data.doctrines]]
            for a in data.doctrines]


def _intro(data: ReportData) -> str:
    text = f"{data.scenarios} scenario(s) evaluated under {len(data.doctrines)} doctrine(s)"
    if data.invalid:
        text += f"; {data.invalid} invalid scenario(s) skipped"
    return text + "."


def markdown(data: ReportData, charts_dir: Path | None = None) -> str:
    """The report as Markdown; with `charts_dir`, the charts are linked from it."""
    lines = ["# Batch report", "", _intro(data), ""]
    for title, header, rows in tables(data):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |",
                  "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
        lines.append("")
    if charts_dir is not None and data.scenarios:
        lines += ["## Charts", ""]
        for stem in charts(data):
            lines.append(f"![{stem}]({(charts_dir / f'{stem}.svg').as_posix()})")
        lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}
.muted{color:#666;font-size:.9em}
"""


def html(data: ReportData) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no network)."""
    esc = html_lib.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>imminence batch report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Batch report</h1>", f"<p>{esc(_intro(data))}</p>",
             f'<p class="muted">Generated {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")} '
             "by imminence.</p>"]
    figs = charts(data)
    chart_for = {"Verdicts per doctrine": "verdicts",
                 "Score distribution per doctrine": "scores",
                 "Classification of the force used": "classifications"}
    for title, header, rows in tables(data):
        parts.append(f"<h2>{esc(title)}</h2><table><thead><tr>"
                     + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows]
        parts.append("</tbody></table>")
        stem = chart_for.get(title)
        if title.startswith("Disagreement"):
            stem = "disagreement"
        if title.startswith("Sensitivity to "):
            stem = "sensitivity-" + title.removeprefix("Sensitivity to ").split(" (")[0]
        if stem in figs:
            parts.append(f'<figure id="chart-{esc(stem)}">{_svg(figs[stem])}</figure>')
    parts.append("</body></html>")
    return "\n".join(parts)


__all__ = ["ReportData", "charts", "collect", "html", "markdown", "tables", "write_charts"]
