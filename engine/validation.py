"""Input validation and the translation of pydantic's errors: one place for every face.

A scenario document (CLI file, HTTP body, batch line, exercise) is validated by the
pydantic `Scenario` (engine/scenario.py, checked against rules/facts.yaml); its errors are
turned here into `ErrorItem`s that name the field path and the values it allows, so that
the CLI (`file:line: field: message`, exit 2) and the API (422 problem details) say the
same thing from the same code.

- `to_scenario(data)`: a validated Scenario, or InvalidInput naming each bad field;
- `validation_errors(exc)`: a document's pydantic errors, worded for people;
- `request_errors(errors)`: FastAPI's request-body errors (the `body` prefix dropped);
- `allowed_values(loc)`: what a field of a scenario accepts, from the fact vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from engine.errors import ErrorItem, InvalidInput
from engine.law.scenario import Scenario, unknown_field_message
from engine.law.vocabulary import vocabulary

_QUOTED = re.compile(r"'([^']*)'")


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


def validation_errors(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[ErrorItem]:
    """pydantic's errors on a document as ErrorItems that name the field and the allowed
    values."""
    items = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        allowed = allowed_values(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg, allowed = unknown_field_message(loc)
            items.append(ErrorItem((*prefix, *loc), msg, "unknown_field", allowed))
            continue
        if err["type"] == "bool_type" or (allowed == [True, False] and "boolean" in msg):
            msg = f"must be true or false (or null for unknown), got {err.get('input')!r}"
        elif allowed is not None and err["type"] == "literal_error":
            msg = (f"{err.get('input')!r} is not allowed; allowed: "
                   f"{', '.join(map(str, allowed))} (or null for unknown)")
        items.append(ErrorItem((*prefix, *loc), msg, err["type"], allowed))
    return items


def request_errors(errors: Iterable[Mapping[str, Any]]) -> list[ErrorItem]:
    """FastAPI's validation errors as ErrorItems; the `body` prefix is dropped so that the
    path reads like the document the client sent (`scenario.threat.probability`)."""
    items = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "body":
            loc = loc[1:]
        msg = str(err.get("msg", "invalid"))
        if err.get("type") == "missing":
            msg = "required field missing"
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


__all__ = ["allowed_values", "request_errors", "to_scenario", "validation_errors"]
