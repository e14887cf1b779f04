"""Reading scenario documents from files, with errors that point at a line.

    doc = read_document("case.yaml")            # dict; InputFileError if not YAML/JSON
    scenario, expected = load_scenario_file("case.yaml")   # validated; `expected` split off
    for entry in library(): ...                 # the scenario library (scenarios/*.yaml)

Errors are `InputFileError`: `file:line: field: message`, one per problem.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.errors import SURROGATE, ErrorItem, InputFileError, InvalidInput, printable
from engine.law.scenario import Scenario

# Keys of a library file that are not scenario facts: the golden answer, and a note for
# students (text shown beside the case; it never changes an answer).
ENVELOPE_KEYS = ("expected", "note")
NOTE_MAX_CHARS = 4_000


def scenarios_dir() -> Path:
    """The scenario library: $IMMINENCE_SCENARIOS, else scenarios/ beside the package."""
    env = os.environ.get("IMMINENCE_SCENARIOS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "scenarios"


DEFAULT_MAX_DOCUMENT_BYTES = 2 * 2**20  # 2 MiB; a scenario or exercise is a few KB
MAX_DEPTH = 64  # nesting levels of a document (a scenario needs 3)
MAX_ALIASES = 50  # YAML aliases (`*name`) in one document
MAX_VALUES = 100_000  # values of a document once its aliases are expanded
_READ_CHUNK = 1 << 16
_MERGE = "tag:yaml.org,2002:merge"


def max_document_bytes() -> int:
    """The largest file read as one document: $IMMINENCE_MAX_DOCUMENT_BYTES, else 2 MiB."""
    raw = os.environ.get("IMMINENCE_MAX_DOCUMENT_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_DOCUMENT_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise InvalidInput([ErrorItem(("IMMINENCE_MAX_DOCUMENT_BYTES",),
                                      f"must be a whole number of bytes > 0, got {raw!r}")])
    return value


class _Refused(Exception):
    """Valid YAML, refused as too large or too deep to be a scenario document."""

    def __init__(self, msg: str, line: int) -> None:
        super().__init__(msg)
        self.msg, self.line = msg, line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with bounds: nesting depth and the number of aliases. (An
    alias bomb is small text whose aliases expand to billions of values; the expansion
    itself is bounded by `_Index`.)"""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def _line(self) -> int:
        return int(self.peek_event().start_mark.line) + 1  # type: ignore[no-untyped-call]


    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES} YAML aliases (*name); a scenario "
                               "needs few if any", self._line())
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nesting deeper than {MAX_DEPTH} levels",
                               self._line())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# A number written with an exponent (`1e3`, `2.5E-2`) is a number, as in JSON, YAML 1.2 and
# `--set`; YAML 1.1 (PyYAML) would read it as text.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))


class _Index:
    """One walk of a composed document: the line of each field path, duplicate keys, and
    the bounds on what aliases expand to (their values, and cycles through nesting)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        self.errors: list[ErrorItem] = []
        self._values = 0
        self._checked: set[int] = set()

    def walk(self, node: yaml.Node, prefix: tuple[Any, ...] = ()) -> None:
        self._values += 1
        line = node.start_mark.line + 1
        if self._values > MAX_VALUES:
            raise _Refused(f"more than {MAX_VALUES:,} values in the document (counting "
                           "what its YAML aliases expand to)", line)
        if len(prefix) > MAX_DEPTH:  # only an alias can get here: a recursive anchor
            raise _Refused(f"nesting deeper than {MAX_DEPTH} levels (a recursive YAML "
                           "alias?)", line)
        self.lines.setdefault(prefix, line)
        if isinstance(node, yaml.MappingNode):
            first = id(node) not in self._checked
            self._checked.add(id(node))
            seen: dict[tuple[str, Any], int] = {}
            for key, value in node.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
                key_line = key.start_mark.line + 1
                if first and isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                    if (key.tag, k) in seen:
                        self.errors.append(ErrorItem(
                            (*prefix, k), f"duplicate key '{k}' (first at line "
                            f"{seen[key.tag, k]}); the second would silently replace the "
                            "first", "duplicate_key", line=key_line))
                    seen.setdefault((key.tag, k), key_line)
                self.lines[(*prefix, k)] = key_line
                self.walk(value, (*prefix, k))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                self.walk(value, (*prefix, i))


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest part of `loc` that the document has."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _document_error(msg: str, line: int | None, name: str, kind: str) -> InputFileError:
    return InputFileError([ErrorItem((), msg, kind, line=line)], file=name)


def parse_text(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML or JSON text; return the data and a map from field path to line.

    Refused, each with its line: invalid syntax, a duplicate key (naming it), nesting
    deeper than MAX_DEPTH, more than MAX_ALIASES aliases or an expansion beyond MAX_VALUES.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        index = _Index()
        if node is not None:
            index.walk(node)
        if index.errors:
            raise InputFileError(index.errors, file=name)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _document_error(f"not valid YAML/JSON: {problem}", line, name,
                              "syntax_error") from None
    except _Refused as exc:
        raise _document_error(exc.msg, exc.line, name, "too_complex") from None
    except RecursionError:  # a bound above should have caught it first
        raise _document_error(f"nesting deeper than {MAX_DEPTH} levels", 1, name,
                              "too_complex") from None
    finally:
        loader.dispose()
    return data, index.lines


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests arrays/objects deeper than `limit` (brackets inside strings
    do not count). Cheap: text with no more than `limit` brackets in all is not scanned.
    Python's json recurses, so 5,000 nested `[` would otherwise raise RecursionError."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


class _Object(dict[str, Any]):
    duplicates: tuple[str, ...] = ()


def _duplicates(data: Any, prefix: tuple[str | int, ...], out: list[tuple[Any, ...]]) -> None:
    if isinstance(data, dict):
        out.extend((*prefix, k) for k in getattr(data, "duplicates", ()))
        for k, v in data.items():
            _duplicates(v, (*prefix, k), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _duplicates(v, (*prefix, i), out)


def parse_json(text: str, name: str, line: int = 1) -> Any:
    """Parse one JSON document (a JSONL line); InputFileError, at `line`, for bad syntax,
    nesting deeper than MAX_DEPTH, or a duplicate key (naming it)."""
    def error(loc: tuple[Any, ...], msg: str, kind: str) -> InputFileError:
        return InputFileError([ErrorItem(loc, msg, kind, line=line)], file=name)

    if json_too_deep(text):
        raise error((), f"nesting deeper than {MAX_DEPTH} levels", "too_complex")
    found = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        obj = _Object(items)
        if len(obj) != len(items):
            found = True
            seen: set[str] = set()
            dups = []
            for k, _ in items:
                if k in seen:
                    dups.append(k)
                seen.add(k)
            obj.duplicates = tuple(dups)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise error((), f"not valid JSON: {exc.msg} (column {exc.colno})",
                    "syntax_error") from None
    except RecursionError:  # pragma: no cover - json_too_deep comes first
        raise error((), f"nesting deeper than {MAX_DEPTH} levels", "too_complex") from None
    if found:
        locs: list[tuple[Any, ...]] = []
        _duplicates(data, (), locs)
        raise InputFileError([ErrorItem(loc, f"duplicate key '{loc[-1]}'; the second would "
                                             "silently replace the first", "duplicate_key",
                                        line=line) for loc in locs], file=name)
    return data


def read_text(path: str | Path, limit: int | None = None) -> str:
    """A file's text; InputFileError (not a traceback) when it cannot be read, is not
    UTF-8, or is larger than `limit` bytes (default `max_document_bytes()`). At most
    limit + 1 bytes are ever read, so that /dev/zero or a huge file fails at once."""
    limit = max_document_bytes() if limit is None else limit
    try:
        with Path(path).open("rb") as fh:
            data = bytearray()
            while len(data) <= limit:
                chunk = fh.read(min(_READ_CHUNK, limit + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
        if len(data) > limit:
            raise InputFileError([ErrorItem(
                (), f"larger than the maximum document size of {limit} bytes (set "
                    "IMMINENCE_MAX_DOCUMENT_BYTES to change it)", "too_large")],
                file=str(path))
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError([ErrorItem((), f"cannot read: {exc}", "io_error")],
                             file=str(path)) from None


def read_document(path: str | Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    return parse_text(read_text(path), str(path))


def validate_document(data: Any, lines: dict[tuple[Any, ...], int], name: str,
                      line_offset: int = 0) -> tuple[Scenario, dict[str, Any] | None]:
    """Validate one scenario document (library envelope allowed); errors carry lines."""
    from engine.evaluate import to_scenario

    if not isinstance(data, dict):
        raise InputFileError([ErrorItem((), "a scenario document must be a mapping of facts",
                                        "type_error", line=1 + line_offset)], file=name)
    facts = {k: v for k, v in data.items() if k not in ENVELOPE_KEYS}
    expected = data.get("expected")
    note_error = _note_error(data.get("note"))
    if note_error is not None:
        ln = line_of(lines, ("note",))
        raise InputFileError([ErrorItem(("note",), note_error, "type_error",
                                        line=None if ln is None else ln + line_offset)],
                             file=name)
    try:
        scenario = to_scenario(facts)
    except InvalidInput as exc:
        for e in exc.errors:
            ln = line_of(lines, e.loc)
            e.line = None if ln is None else ln + line_offset
        raise InputFileError(exc.errors, file=name) from None
    return scenario, expected


def _note_error(note: Any) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str) or not note.strip():
        return "a note for students must be non-empty text"
    found = SURROGATE.search(note)
    if found is not None:
        return (f"contains a lone surrogate {printable(found.group())} at position "
                f"{found.start()} (not valid Unicode text)")
    if len(note) > NOTE_MAX_CHARS:
        return f"a note for students must be at most {NOTE_MAX_CHARS} characters"
    return None


def load_scenario_file(path: str | Path) -> tuple[Scenario, dict[str, Any] | None]:
    data, lines = read_document(path)
    return validate_document(data, lines, str(path))


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    path: Path
    scenario: Scenario
    expected: dict[str, Any] | None
    note: str | None = None  # for students; validated by validate_document


@lru_cache(maxsize=2)
def _library(directory: str) -> tuple[LibraryEntry, ...]:
    entries = []
    for path in sorted(Path(directory).glob("*.yaml")):
        data, lines = read_document(path)
        scenario, expected = validate_document(data, lines, str(path))
        note = " ".join(data["note"].split()) if data.get("note") else None
        entries.append(LibraryEntry(scenario.id or path.stem, path, scenario, expected, note))
    return tuple(entries)


def library(directory: str | Path | None = None) -> tuple[LibraryEntry, ...]:
    """The scenario library (cached per directory)."""
    return _library(str(directory or scenarios_dir()))


def iter_files(paths: list[str | Path]) -> Iterator[Path]:
    """Files named, and the .yaml/.yml/.json files directly inside folders named (not their
    subfolders: scenarios/invalid/ holds bad-input fixtures), in sorted order. A link to
    nothing in a folder is yielded too, so that reading it reports it like a missing file
    named."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.glob("*")):
                if child.suffix in (".yaml", ".yml", ".json") and (
                        child.is_file() or (child.is_symlink() and not child.exists())):
                    yield child
        else:
            yield p


__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "LibraryEntry",
    "iter_files",
    "json_too_deep",
    "library",
    "line_of",
    "load_scenario_file",
    "max_document_bytes",
    "parse_json",
    "parse_text",
    "read_document",
    "read_text",
    "scenarios_dir",
    "validate_document",
]
