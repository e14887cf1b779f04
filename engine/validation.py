"""pydantic's validation errors in the project's own words: the one place they are
translated, for the CLI, the batch runner, the exercise files and the HTTP API.

    validation_errors(exc)            # ErrorItems naming the field and the allowed values
    plain_message(err, loc)           # one pydantic error dict as a sentence

pydantic says "Input should be a valid dictionary or instance of Threat" or "String should
match pattern '^[a-z0-9][a-z0-9-]*$'"; a user reads "must be a group of facts (a mapping
such as {hours_until: 12}), got 'x'" or "must be a slug: ...". A fact may always be null
(unknown), so messages about facts say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from engine.errors import ErrorItem
from engine.law.definitions import load
from engine.law.scenario import GROUPS, SLUG, unknown_field_message

NUMBER_TYPES = ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float",
                "finite_number", "decimal_type", "decimal_parsing")
MAPPING_TYPES = ("model_type", "dict_type", "model_attributes_type", "mapping_type")


def allowed_values(loc: tuple[Any, ...]) -> list[Any] | None:
    """The values a fact at `loc` (group, name) may take, if it has a closed list."""
    dotted = ".".join(str(p) for p in loc)
    info = load().facts.get(dotted)
    if info and "values" in info:
        return list(info["values"])
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


def validation_errors(exc: ValidationError,
                      prefix: tuple[str | int, ...] = ()) -> list[ErrorItem]:
    """pydantic's errors as ErrorItems that name the field and the allowed values."""
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


__all__ = ["allowed_values", "error_line", "plain_message", "validation_errors"]
