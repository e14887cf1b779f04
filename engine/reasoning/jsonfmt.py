"""JSON for durable-rules: numbers in plain decimal notation, never with an exponent.

durable-rules' C parser cannot read exponent notation: `1e-05` or `1e+16` in a fact makes
it fail (error 204) or, inside a running action, crash the process (found by the property
tests). Python's json writes such floats with an exponent, so everything sent to the engine
goes through `dumps` here, which writes the exact decimal expansion of the same float.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def number(value: float | int) -> str:
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:  # still a float when read back
            text += ".0"
    return text


def _plain(obj: Any) -> bool:
    """True when json.dumps would write no exponent and no NaN/infinity."""
    if isinstance(obj, float):
        text = repr(obj)
        return "e" not in text and "n" not in text  # 1e-05, nan, inf
    if isinstance(obj, dict):
        return all(_plain(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return all(_plain(v) for v in obj)
    return True


def dumps(obj: Any) -> str:
    """Serialise JSON-compatible data (dicts, lists, str, bool, int, float, None)."""
    if _plain(obj):  # the usual case, at the speed of the json module
        return json.dumps(obj, ensure_ascii=False)
    return _dumps(obj)


def _dumps(obj: Any) -> str:
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, int | float):
        if (isinstance(obj, float) and obj != obj) or obj in (float("inf"), float("-inf")):
            raise ValueError(f"{obj!r} cannot be sent to the rules engine")
        return number(obj)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_dumps(v)}"
                              for k, v in obj.items()) + "}"
    if isinstance(obj, list | tuple):
        return "[" + ",".join(_dumps(v) for v in obj) + "]"
    raise TypeError(f"cannot serialise {type(obj).__name__} for the rules engine")


__all__ = ["dumps", "number"]
