"""The error a broken study file raises, and pydantic's errors rewritten in the same words.

Every problem is reported as `<file> at '<path>': <problem>`, where the path is the place inside
the file (`pain_results.values.control.week22.sd`, `registrations[0].registered`), so whoever
edits the file can go straight to it. `schema_problems()` turns a pydantic ValidationError into
such (path, problem) pairs; the plain-code checks raise `file_error()` directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

from pydantic import ValidationError

Loc = Sequence[Union[str, int]]


class StudyFileError(ValueError):
    """The study file is missing, unreadable or has a wrong or inconsistent value."""


def file_error(file: Path, path: str, problem: str) -> StudyFileError:
    where = f" at '{path}'" if path else ""
    return StudyFileError(f"{file}{where}: {problem}")


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    """What kind of value the file holds, in words: "a list", "text", "true/false"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def schema_problems(error: ValidationError, raw: Any) -> List[Tuple[str, str]]:
    """(path in the file, problem) for each of pydantic's errors, in the order it found them.

    `raw` is the parsed YAML: pydantic's messages do not say what it found, the file does.
    """
    problems: List[Tuple[str, str]] = []
    for item in error.errors():
        loc = list(item["loc"])
        if loc and loc[-1] == "__key__":
            loc.pop()
            keys = _value_at(raw, loc)
            bad = next((k for k in keys if not isinstance(k, str)), None) if keys else None
            problem = f"keys must be text, found {bad!r}"
        else:
            problem = _problem(item, _value_at(raw, loc))
        if (_loc_to_path(loc), problem) not in problems:
            problems.append((_loc_to_path(loc), problem))
    return problems


def _problem(item: Dict[str, Any], value: Any) -> str:
    kind = item["type"]
    if kind in ("value_error.missing", "type_error.none.not_allowed"):
        return "required field is missing"
    if kind == "type_error.str":
        return f"expected text, found {describe(value)}"
    if kind in ("value_error.any_str.min_length", "value_error.list.min_items"):
        return "must not be empty"
    if kind == "type_error.integer":
        return f"expected a whole number, found {describe(value)} {value!r}"
    if kind == "value_error.strictbool":
        return f"expected true or false, found {describe(value)}"
    if kind in ("type_error.tuple", "type_error.list", "type_error.sequence"):
        return f"expected a list, found {describe(value)}"
    if kind == "type_error.dict":
        return f"expected a mapping, found {describe(value)}"
    if kind == "value_error.const":
        permitted = [repr(p) for p in item["ctx"]["permitted"]]
        expected = (
            " or ".join(permitted) if len(permitted) <= 2 else f"one of {', '.join(permitted)}"
        )
        return f"expected {expected}, found {item['ctx']['given']!r}"
    return str(item["msg"])  # our own validators' messages are already in these words


def _loc_to_path(loc: Loc) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else join_path(path, part)
    return path


def _value_at(raw: Any, loc: Loc) -> Any:
    """The value at a pydantic location in the parsed YAML, or None if there is none."""
    node = raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node
