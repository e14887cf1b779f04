"""JSON request bodies: which media types are JSON, and a cheap bound on nesting depth.

    is_json_media("application/vnd.example+json")   # True: one rule for every endpoint
    too_deep(body, 64)                               # without parsing (and recursing)
    loads(body, 64)                                  # a value, or a 400 problem

One rule for JSON media types, on every endpoint that takes JSON: `application/json` and
any structured-syntax `application/*+json` (RFC 6839), parameters such as `charset`
ignored. NDJSON batches are `application/x-ndjson`.

Python's JSON decoder recurses once per level and raises RecursionError near 1,000 levels
(and pydantic, `repr` and the engine recurse too): a body nested deeper than
`max_json_depth` (setting IMMINENCE_MAX_JSON_DEPTH, default 64) is refused before it is
parsed. The depth is read from the bytes, with C-speed bytes operations only (no loop over
characters in Python): a body with no more opening brackets than the limit is not scanned
at all; otherwise escapes are dropped, then everything but quotes and brackets, then the
brackets inside string literals, and matched pairs are removed a level at a time.
"""

from __future__ import annotations

import json
from typing import Any

from api.problems import ProblemError

NDJSON = "application/x-ndjson"

# keep only brackets, objects read as arrays: nesting is nesting
_AS_ARRAYS = bytes.maketrans(b"{}", b"[]")
_NOT_MARKS = bytes(b for b in range(256) if b not in b'[]{}"')


def media_type(content_type: str | None) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media(media: str) -> bool:
    """Whether a (bare, lower-case) media type is JSON: application/json or */*+json."""
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


def too_deep(data: bytes | str, limit: int) -> bool:
    """Whether arrays and objects in `data` nest deeper than `limit` (outside strings).

    Exact for JSON; for a body with unclosed brackets (not JSON) it may answer True where
    the decoder would only have found a syntax error."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    encoding = json.detect_encoding(raw)  # as json.loads does: UTF-8, -16, -32, BOMs
    if encoding != "utf-8":
        try:
            raw = raw.decode(encoding).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return False  # not JSON at all: the decoder will say so
    if b"\\" in raw:  # escapes, read left to right as the decoder does: \\ then \"
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Keep only quotes and brackets. A bracket is inside a string when an odd number of
    # quotes comes before it, so two adjacent quotes can go (every string with no bracket
    # in it, in one pass); what is left has quotes only around strings with brackets.
    marks = raw.translate(None, _NOT_MARKS).replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[0::2])  # what lies outside string literals
    return _nests_over(marks.translate(_AS_ARRAYS), limit)


def _nests_over(brackets: bytes, limit: int) -> bool:
    """Whether a string of `[` and `]` nests deeper than `limit`: each round removes the
    innermost pairs, one level (a C-speed replace, not a loop over characters)."""
    for rounds in range(limit + 1):
        if b"[]" not in brackets:
            # what is left is unmatched: `]` closes nothing; each `[` may enclose a level
            return rounds + brackets.count(b"[") > limit
        brackets = brackets.replace(b"[]", b"")
    return True


def too_deep_detail(limit: int, what: str = "the request body") -> str:
    return (f"{what} nests arrays and objects more than {limit} levels deep; the limit is "
            f"{limit} (setting IMMINENCE_MAX_JSON_DEPTH)")


def too_deep_problem(limit: int, what: str = "the request body") -> ProblemError:
    return ProblemError(400, too_deep_detail(limit, what), kind="json-too-deep")


def loads(data: bytes | str, limit: int, what: str = "the request body") -> Any:
    """The JSON value in `data`; a 400 problem when it is not JSON or nests too deep."""
    if too_deep(data, limit):
        raise too_deep_problem(limit, what)
    try:
        return json.loads(data)
    except RecursionError:  # the scan is exact for valid JSON; this is belt and braces
        raise too_deep_problem(limit, what) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ProblemError(400, f"{what} is not valid JSON: {exc}",
                           kind="malformed-body") from None


__all__ = ["NDJSON", "is_json_media", "loads", "media_type", "too_deep", "too_deep_detail",
           "too_deep_problem"]
