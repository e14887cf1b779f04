"""Input validation and the translation of pydantic's errors: one place for every face.

A scenario document (CLI file, HTTP body, batch line, exercise) is validated by the
pydantic `Scenario` (engine/scenario.py, checked against rules/facts.yaml); its errors are
turned here into `ErrorItem`s that name the field path and the values it allows, so that
the CLI (`file:line: field: message`, exit 2) and the API (422 problem details) say the
same thing from the same code.

- `to_scenario(data)`: a validated Scenario, or InvalidInput naming each bad field;
- `validation_errors(exc)`: a document's pydantic errors, worded for people;
- `request_errors(errors)`: FastAPI's request-body errors (the `body` prefix dropped);
- `allowed_values(loc)`: what a field of a scenario accepts, from the fact vocabulary;
- `plain_message(err, loc)`: one pydantic error as a sentence in the project's words
  (pydantic says "Input should be a valid dictionary or instance of Threat"; a user reads
  "must be a group of facts (a mapping of hours_until, ...), got 'x'");
- `error_line(item)`: `field: message (allowed: ..., null)` for a command line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from engine.errors import ErrorItem, InvalidInput
from engine.law.scenario import GROUPS, SLUG, Scenario, unknown_field_message
from engine.law.vocabulary import vocabulary

_QUOTED = re.compile(r"'([^']*)'")
NUMBER_TYPES = ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float",
                "finite_number", "decimal_type", "decimal_parsing")
MAPPING_TYPES = ("model_type", "dict_type", "model_attributes_type", "mapping_type")


def allowed_values(loc: tuple[Any, ...]) -> list[Any] | None:
    """The values an enumerated or boolean fact at `loc` (group, name) allows."""
    fd = vocabulary().get(".".join(str(p) for p in loc))
    if fd is not None and fd.kind in ("enum", "bool"):
        return list(fd.values)
    return None


def _allowed_in_request(loc: tuple[str | int, ...], err: Mapping[str, Any]) -> Any:
    """The values a request field accepts: from the fact vocabulary for scenario fields,
    else from pydantic's own description of what it expected."""
    if len(loc) >= 3 and loc[0] == "scenario":
        fd = vocabulary().get(f"{loc[1]}.{loc[2]}")
        if fd is not None:
            if fd.kind in ("enum", "bool"):
                return list(fd.values)
            if fd.kind == "number":
                hi = fd.maximum
                return f"a number >= 0{f' and <= {hi:g}' if hi is not None else ''}"
    ctx = err.get("ctx") or {}
    expected = ctx.get("expected")
    if isinstance(expected, str):
        found = _QUOTED.findall(expected)
        return found or expected
    if err.get("type") in ("bool_type", "bool_parsing"):
        return [True, False]
    return None


def _is_fact(loc: tuple[Any, ...]) -> bool:
    return len(loc) == 2 and loc[0] in GROUPS


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bound(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def plain_message(err: Mapping[str, Any], loc: tuple[Any, ...] | None = None,
                  allowed: list[Any] | None = None) -> str:
    """One pydantic error as a sentence. `loc` is the field's place in a scenario (or any
    document); `allowed` the values it takes, where they are a closed list."""
    loc = tuple(err.get("loc", ())) if loc is None else loc
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    got = f", got {_shown(err.get('input'))}" if "input" in err else ""
    unknown = " (or null for unknown)" if _is_fact(loc) else ""
    if kind == "missing":
        return "required field missing"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{unknown}{got}"
    if kind in ("literal_error", "enum") and allowed is not None:
        return (f"{_shown(err.get('input'))} is not allowed; allowed: "
                f"{', '.join(map(str, allowed))}{unknown}")
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', 'the allowed values')}{got}"
    if kind in NUMBER_TYPES:
        return f"must be a number{unknown}{got}"
    if kind == "greater_than_equal":
        return f"must be at least {_bound(ctx.get('ge'))}{got}"
    if kind == "greater_than":
        return f"must be more than {_bound(ctx.get('gt'))}{got}"
    if kind == "less_than_equal":
        return f"must be at most {_bound(ctx.get('le'))}{got}"
    if kind == "less_than":
        return f"must be less than {_bound(ctx.get('lt'))}{got}"
    if kind in ("string_type", "string_sub_type"):
        return f"must be text{unknown}{got}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == SLUG.pattern:
            return ("must be a slug: lower-case letters, digits and dashes, starting with a "
                    f"letter or a digit (e.g. caroline-1837){got}")
        return f"must have the form {ctx.get('pattern')}{got}"
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"must be at least {n} characters{got}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind in ("too_long", "too_short"):
        which = "at most" if kind == "too_long" else "at least"
        n = ctx.get("max_length" if kind == "too_long" else "min_length")
        return f"must have {which} {n} items"
    if kind in MAPPING_TYPES:
        if len(loc) == 1 and loc[0] in GROUPS:
            fields = ", ".join(GROUPS[str(loc[0])].model_fields)
            return f"must be a group of facts (a mapping of {fields}){got}"
        return f"must be a mapping (name: value, ...){got}"
    if kind == "list_type":
        return f"must be a list{got}"
    if kind.startswith("date"):
        return f"must be a date written YYYY-MM-DD{got}"
    if kind == "value_error":
        return str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}'" if loc else "unknown field"
    msg = str(err.get("msg", "invalid"))
    return msg.replace("Input should be", "must be").replace("String should", "must")


def validation_errors(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[ErrorItem]:
    """pydantic's errors on a document as ErrorItems that name the field and the allowed
    values."""
    items = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        allowed = allowed_values(loc)
        if err["type"] == "extra_forbidden":
            msg, allowed = unknown_field_message(loc)
            items.append(ErrorItem((*prefix, *loc), msg, "unknown_field", allowed))
            continue
        items.append(ErrorItem((*prefix, *loc), plain_message(err, loc, allowed), err["type"],
                               allowed))
    return items


def request_errors(errors: Iterable[Mapping[str, Any]]) -> list[ErrorItem]:
    """FastAPI's validation errors as ErrorItems; the `body` prefix is dropped so that the
    path reads like the document the client sent (`scenario.threat.probability`)."""
    items = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "body":
            loc = loc[1:]
        facts_loc = tuple(loc[1:]) if loc and loc[0] == "scenario" else loc
        msg = plain_message(err, facts_loc, allowed_values(facts_loc))
        if err.get("type") == "extra_forbidden" and loc and loc[0] == "scenario":
            msg, allowed = unknown_field_message(tuple(loc[1:]))
            items.append(ErrorItem(loc, msg, "unknown_field", allowed))
            continue
        items.append(ErrorItem(loc, msg, str(err.get("type", "value_error")),
                               _allowed_in_request(loc, err)))
    return items


def to_scenario(data: Scenario | Mapping[str, Any], prefix: tuple[str | int, ...] = ()) -> Scenario:
    """Validate a scenario document; InvalidInput names each bad field."""
    if isinstance(data, Scenario):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInput([ErrorItem(prefix, "a scenario must be an object (a mapping of "
                                              "fact groups)", "type_error")])
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc, prefix)) from None


def error_line(e: ErrorItem, max_allowed: int = 40) -> str:
    """`field: message (allowed: a, b, null)` for a command line; the allowed values are
    added only when the message does not list them already, unknown written as null."""
    line = f"{e.path}: {e.msg}"
    if isinstance(e.allowed, list) and e.allowed and len(e.allowed) < max_allowed \
            and "allowed:" not in e.msg:
        line += f" (allowed: {', '.join(_word(v) for v in e.allowed)})"
    return line


def _word(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    return str(value)


__all__ = ["allowed_values", "error_line", "plain_message", "request_errors", "to_scenario",
           "validation_errors"]
