"""Interpretive parameters: defaults from rules/parameters.yaml, user overrides checked.

`resolve({"caroline_max_hours": 24})` gives the effective parameters (defaults with the
overrides applied) or raises InvalidInput naming the parameter and the allowed values.
`parse_assignment("nss_min_probability.grave=0.6")` reads the CLI's `--set` form.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any

from engine.errors import ErrorItem, InvalidInput
from engine.law.definitions import Law, ParameterDef, load

Parameters = dict[str, Any]


def _allowed(p: ParameterDef, law: Law) -> Any:
    if p.type == "harm":
        return list(law.scales["harm"])
    if p.type == "hours":
        return "a number of hours >= 0"
    if p.type == "probability":
        return "a number from 0 to 1"
    if p.type == "probability_by_harm":
        return {k: "a number from 0 to 1" for k in p.keys}
    if p.type == "choice":
        return list(p.values)
    if p.type == "points":
        return "a number of points from 0 to 100"
    return None  # pragma: no cover


def describe(law: Law | None = None) -> list[dict[str, Any]]:
    """Every parameter: name, default, type, allowed values, reason, source."""
    law = law or load()
    return [
        {"name": p.name, "type": p.type, "default": p.default, "allowed": _allowed(p, law),
         "reason": p.reason, "source": p.source}
        for p in law.parameters.values()
    ]


def _number(value: Any, loc: tuple[str | int, ...], lo: float, hi: float | None,
            errors: list[ErrorItem], what: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(ErrorItem(loc, f"must be {what}, got {value!r}", "type_error",
                                allowed=[what]))
        return None
    f = float(value)
    if not math.isfinite(f) or f < lo or (hi is not None and f > hi):
        errors.append(ErrorItem(loc, f"must be {what}, got {value!r}", "range_error",
                                allowed=[what]))
        return None
    return f


def resolve(overrides: Mapping[str, Any] | None = None, law: Law | None = None,
            loc_prefix: tuple[str, ...] = ("parameters",)) -> Parameters:
    """The effective parameters: defaults, with `overrides` checked and applied."""
    law = law or load()
    params: Parameters = {
        name: (dict(p.default) if isinstance(p.default, dict) else p.default)
        for name, p in law.parameters.items()
    }
    if not overrides:
        return params
    if not isinstance(overrides, Mapping):
        raise InvalidInput([ErrorItem(loc_prefix, "must be an object of parameter values",
                                      "type_error", allowed=list(law.parameters))])
    errors: list[ErrorItem] = []
    for name, value in overrides.items():
        loc = (*loc_prefix, name)
        p = law.parameters.get(name)
        if p is None:
            close = difflib.get_close_matches(str(name), list(law.parameters), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            errors.append(ErrorItem(loc, f"unknown parameter '{name}'{hint}", "unknown_field",
                                    allowed=list(law.parameters)))
            continue
        if p.type == "harm":
            if not isinstance(value, str) or value not in law.scales["harm"]:
                errors.append(ErrorItem(loc, f"must be one of {', '.join(law.scales['harm'])}"
                                        f", got {value!r}", "enum", list(law.scales["harm"])))
            else:
                params[name] = value
        elif p.type == "hours":
            f = _number(value, loc, 0.0, None, errors, "a number of hours >= 0")
            if f is not None:
                params[name] = int(f) if f.is_integer() else f
        elif p.type == "probability":
            f = _number(value, loc, 0.0, 1.0, errors, "a number from 0 to 1")
            if f is not None:
                params[name] = f
        elif p.type == "choice":
            if not isinstance(value, str) or value not in p.values:
                errors.append(ErrorItem(loc, f"must be one of {', '.join(p.values)}, got "
                                        f"{value!r}", "enum", list(p.values)))
            else:
                params[name] = value
        elif p.type == "points":
            f = _number(value, loc, 0.0, 100.0, errors, "a number of points from 0 to 100")
            if f is not None:
                params[name] = int(f) if f.is_integer() else f
        elif p.type == "probability_by_harm":
            if not isinstance(value, Mapping):
                errors.append(ErrorItem(loc, f"must be an object with keys {', '.join(p.keys)}",
                                        "type_error", allowed=list(p.keys)))
                continue
            merged = dict(params[name])
            for key, sub in value.items():
                if key not in p.keys:
                    errors.append(ErrorItem((*loc, key), f"unknown key '{key}'", "unknown_field",
                                            allowed=list(p.keys)))
                    continue
                f = _number(sub, (*loc, key), 0.0, 1.0, errors, "a number from 0 to 1")
                if f is not None:
                    merged[key] = f
            params[name] = merged
    if errors:
        raise InvalidInput(errors)
    return params


def parse_assignment(text: str) -> tuple[str, Any]:
    """`NAME=VALUE` or `NAME.KEY=VALUE` (CLI `--set`) into an override fragment."""
    if "=" not in text:
        raise InvalidInput([ErrorItem(("--set",), f"expected NAME=VALUE, got {text!r}",
                                      allowed=list(load().parameters))])
    name, raw = text.split("=", 1)
    name, raw = name.strip(), raw.strip()
    value: Any
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if "." in name:
        head, key = name.split(".", 1)
        return head, {key: value}
    return name, value


def merge_assignments(items: list[str]) -> dict[str, Any]:
    """Several `--set` options into one overrides mapping."""
    out: dict[str, Any] = {}
    for item in items:
        name, value = parse_assignment(item)
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name].update(value)
        else:
            out[name] = value
    return out


def canonical(params: Parameters) -> str:
    """A stable key for a parameter set (the rules compiled for it are cached by it)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


__all__ = ["Parameters", "canonical", "describe", "merge_assignments", "parse_assignment",
           "resolve"]
