"""Sensitivity sweeps: the cartesian product of variations of one scenario, as JSONL.

    imminence generate case.yaml --vary threat.hours_until=0:96:12 \
        --vary threat.evidence=low,moderate,high --out sweep.jsonl

`FIELD=START:STOP:STEP` is a numeric range with STOP included (when it falls on a step);
`FIELD=v1,v2,...` lists values (`null` for unknown; true/false for booleans). The first
`--vary` changes slowest. Each line is the template (its `expected` answers dropped)
with the varied facts set, an id `TEMPLATE-ID-N` when the template has an id, and the
envelope key `_vary` holding the varied values, which `imminence batch` strips before
validation and keeps in its output, so that the report can chart each doctrine's verdict
against each varied field.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine.batch.run import VARY_KEY
from engine.errors import ErrorItem, InvalidInput
from engine.law.scenario import fact_catalogue
from engine.loader import read_document, validate_document


@dataclass(frozen=True)
class Variation:
    field: str
    values: tuple[Any, ...]


def _bad(spec: str, msg: str, allowed: list[Any] | None = None) -> InvalidInput:
    return InvalidInput([ErrorItem(("--vary", spec), msg, "value_error", allowed)])


def _number(text: str, spec: str) -> int | float:
    try:
        f = float(text)
    except ValueError:
        raise _bad(spec, f"{text!r} is not a number") from None
    if not math.isfinite(f):
        raise _bad(spec, f"{text!r} is not a finite number")
    return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f


def _value(text: str, info: dict[str, Any], spec: str) -> Any:
    t = text.strip()
    if t.lower() in ("null", "unknown", "none") and not (
            info["kind"] == "enum" and t in info["values"]):
        return None
    kind = info["kind"]
    if kind == "bool":
        if t.lower() == "true":
            return True
        if t.lower() == "false":
            return False
        raise _bad(spec, f"{t!r}: must be true, false or null", [True, False, None])
    if kind == "enum":
        if t not in info["values"]:
            raise _bad(spec, f"{t!r} is not allowed; allowed: {', '.join(info['values'])}, "
                             "null", [*info["values"], None])
        return t
    if kind == "number":
        return _check_bounds(_number(t, spec), info, spec)
    return t


def _check_bounds(value: int | float, info: dict[str, Any], spec: str) -> int | float:
    lo, hi = info.get("min"), info.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f">= {lo}" if hi is None else f"from {lo} to {hi}"
        raise _bad(spec, f"{value} is out of range: must be {bounds}")
    return value


def parse_vary(spec: str) -> Variation:
    """`FIELD=START:STOP:STEP` or `FIELD=v1,v2,...` into the values to take, in order."""
    if "=" not in spec:
        raise _bad(spec, "expected FIELD=START:STOP:STEP or FIELD=v1,v2,...")
    name, raw = (s.strip() for s in spec.split("=", 1))
    catalogue = fact_catalogue()
    info = catalogue.get(name)
    if info is None:
        import difflib

        close = difflib.get_close_matches(name, list(catalogue), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise _bad(spec, f"unknown fact '{name}'{hint}", list(catalogue))
    if ":" in raw:
        if info["kind"] != "number":
            raise _bad(spec, f"a range needs a numeric fact; {name} is {info['kind']}")
        bits = raw.split(":")
        if len(bits) != 3:
            raise _bad(spec, "a range is START:STOP:STEP")
        start, stop, step = (_number(b.strip(), spec) for b in bits)
        if step <= 0:
            raise _bad(spec, "STEP must be > 0")
        if stop < start:
            raise _bad(spec, "STOP must be >= START")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > 1_000_000:
            raise _bad(spec, f"{count} values: too many")
        integral = all(isinstance(x, int) for x in (start, stop, step))
        values: list[Any] = [start + i * step if integral else round(start + i * step, 10)
                             for i in range(count)]
        for v in values:
            _check_bounds(v, info, spec)
    else:
        values = [_value(v, info, spec) for v in raw.split(",")]
    if not values:
        raise _bad(spec, "no values")
    if len(set(map(json.dumps, values))) != len(values):
        raise _bad(spec, "a value is listed twice")
    return Variation(name, tuple(values))


def parse_variations(specs: list[str]) -> list[Variation]:
    """Every `--vary` option (at least one; no field twice): the one parser of `generate`
    and `sweep`."""
    variations = [parse_vary(s) for s in specs]
    if not variations:
        raise InvalidInput([ErrorItem(("--vary",), "give at least one --vary FIELD=...")])
    seen = [v.field for v in variations]
    dup = {f for f in seen if seen.count(f) > 1}
    if dup:
        raise InvalidInput([ErrorItem(("--vary", f), "varied twice") for f in sorted(dup)])
    return variations


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    group, name = dotted.split(".", 1)
    sub = doc.get(group)
    if not isinstance(sub, dict):
        sub = doc[group] = {}
    sub[name] = value


def variants(template: dict[str, Any], variations: list[Variation]) -> Iterator[dict[str, Any]]:
    """The cartesian product, streamed; the first variation changes slowest."""
    base = {k: v for k, v in template.items() if k not in ("expected", VARY_KEY)}
    total = math.prod(len(v.values) for v in variations)
    width = len(str(total))
    tid = base.get("id")
    for n, combo in enumerate(itertools.product(*(v.values for v in variations)), 1):
        doc = copy.deepcopy(base)
        for var, value in zip(variations, combo, strict=True):
            _set(doc, var.field, value)
        if isinstance(tid, str):
            doc["id"] = f"{tid}-{n:0{width}d}"
        doc[VARY_KEY] = {var.field: value for var, value in zip(variations, combo, strict=True)}
        yield doc


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def generate(template_path: str | Path, specs: list[str], out: Path) -> int:
    """Write the sweep to `out` (JSONL); return the number of scenarios written.

    The template is validated first (InputFileError with lines), then the variations
    (InvalidInput naming the --vary option), then the first variant as a whole.
    """
    data, lines = read_document(template_path)
    validate_document(data, lines, str(template_path))
    variations = parse_variations(specs)
    n = 0
    tmp = out.with_name(out.name + ".tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as fh:
        for doc in variants(data, variations):
            if n == 0:
                first = {k: v for k, v in doc.items() if k != VARY_KEY}
                validate_document(first, {}, f"{template_path} (varied)")
            fh.write(json.dumps(doc, ensure_ascii=False, default=_json_default,
                                separators=(",", ":")) + "\n")
            n += 1
    tmp.replace(out)
    return n


__all__ = ["Variation", "generate", "parse_variations", "parse_vary", "variants"]
