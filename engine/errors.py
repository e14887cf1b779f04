"""The exception tree of imminence, in one place.

    ImminenceError                 base of everything the package raises on purpose
    ├── InvalidInput               the user's input is wrong: a scenario, a parameter,
    │   │                          a doctrine id; `.errors` lists each problem with its
    │   │                          field path (`loc`), message and allowed values
    │   └── InputFileError         ... read from a file: adds `.file` and a line per error
    ├── RulesError                 a file in rules/ is malformed (a bug, not user input)
    └── EngineError                durable-rules failed or disagreed with itself

Every interface maps InvalidInput to a user-facing error (HTTP 422 problem details; CLI:
`file:line: field: message`, exit code 2) and never shows a traceback for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")  # a lone UTF-16 surrogate: not Unicode text


def printable(text: str) -> str:
    """`text` with each lone UTF-16 surrogate written as its escape (`\\ud800`), so that
    an error message quoting user input can always be printed and encoded as UTF-8."""
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class ErrorItem:
    """One problem in the input: where (`loc`), what (`msg`), and what would do."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"
    allowed: list[Any] | None = None
    line: int | None = None

    @property
    def path(self) -> str:
        return ".".join(printable(str(p)) for p in self.loc) or "(document)"

    def as_dict(self) -> dict[str, Any]:
        loc = [printable(p) if isinstance(p, str) else p for p in self.loc]
        out: dict[str, Any] = {"loc": loc, "field": self.path, "msg": printable(self.msg),
                               "type": self.type}
        if self.allowed is not None:
            out["allowed"] = self.allowed
        if self.line is not None:
            out["line"] = self.line
        return out


class ImminenceError(Exception):
    """Base of every error imminence raises on purpose."""


@dataclass
class InvalidInput(ImminenceError):
    """The input (scenario, parameters, doctrine ids) is invalid."""

    errors: list[ErrorItem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e.path}: {printable(e.msg)}" for e in self.errors)


@dataclass
class InputFileError(InvalidInput):
    """Invalid input read from a file; each error knows its line where it can."""

    file: str = ""

    def lines(self) -> list[str]:
        """`file:line: field: message`, one per problem."""
        out = []
        for e in self.errors:
            name = printable(self.file)  # a file name undecodable as UTF-8 has surrogates
            where = f"{name}:{e.line}" if e.line is not None else name
            out.append(f"{where}: {e.path}: {printable(e.msg)}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


class RulesError(ImminenceError):
    """A definition in rules/ is malformed. This is a bug in the rules, not user input."""


class EngineError(ImminenceError):
    """durable-rules raised inside an action, or the engine reached an impossible state."""


__all__ = [
    "EngineError",
    "ErrorItem",
    "ImminenceError",
    "InputFileError",
    "InvalidInput",
    "RulesError",
    "printable",
]
