"""Reading a YAML file against a pydantic schema, with errors a person editing the file can act on.

Shared by the files a clinic or a clinician edits (config/clinic.yml, content/safety/red_flags.yml):
each one declares its shape as pydantic models and passes its own error class, and every problem
comes back as one line "<file>: <dotted.path[index]>: <problem>".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Sequence, Type, TypeVar, Union

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def read_yaml(path: Path, error: Type[ValueError]) -> Any:
    """The parsed file; a missing file or broken YAML raises `error` naming the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as problem:
        raise error(f"{path}: not valid YAML text ({problem})") from None


def parse_file(model: Type[Model], raw: Any, source: str, error: Type[ValueError]) -> Model:
    """`raw` (a parsed file) validated as `model`; any problem raises `error`, one line each."""
    if not isinstance(raw, dict):
        raise error(f"{source}: expected a mapping at the top level, found {type(raw).__name__}")
    try:
        # YAML allows keys such as `1:`; as text they are reported as unknown keys.
        return model.parse_obj({str(key): value for key, value in raw.items()})
    except ValidationError as problems:
        raise error("\n".join(explain(problems, source))) from None


def explain(problems: ValidationError, source: str) -> List[str]:
    """One "<file>: <path>: <problem>" line per problem pydantic found."""
    lines = []
    for problem in problems.errors():
        kind = problem["type"]
        if kind == "value_error.missing":
            message = "is missing"
        elif kind == "value_error.extra":
            message = "unknown key (typo?)"
        else:
            message = problem["msg"]
        where = dotted_path(problem["loc"])
        lines.append(f"{source}: {where}: {message}" if where else f"{source}: {message}")
    return lines


def dotted_path(location: Sequence[Union[int, str]]) -> str:
    """('escalations', 'crisis', 0, 'patterns', 2) -> 'escalations.crisis[0].patterns[2]'."""
    path = ""
    for part in location:
        if part == "__root__":  # a whole-model check: the problem is the model's own place
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path
