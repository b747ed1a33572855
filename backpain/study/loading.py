"""Reading the study file: `load_study()` and the per-process `get_study()`.

Plain Python, no Rasa imports: the action server, the spaCy pipeline builder and the tests all
read the file through `load_study()`. It checks the whole file before anything uses it, in three
steps: the file is readable UTF-8 YAML of a sane size; its shape and types match the schema
(`schema.py`); its sections agree with each other (`checks.py`, and the names in `names.py`).
Any problem raises StudyFileError naming the file, the path inside it and what is wrong. Nothing
is silently skipped: a broken file stops start-up instead of reaching a patient.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Tuple

import yaml
from pydantic import ValidationError

from backpain.paths import PROJECT_ROOT
from backpain.study.checks import check_study_file
from backpain.study.errors import StudyFileError, describe, file_error, schema_problems
from backpain.study.file_model import locate
from backpain.study.model import Study
from backpain.study.schema import StudyFile

DEFAULT_STUDY_PATH = PROJECT_ROOT / "content" / "study" / "bemani2023.yml"
# Lets a deployment (or a test) point at another study file without editing the project.
STUDY_FILE_ENV = "STUDY_FILE"
MAX_FILE_BYTES = 2_000_000


def load_study(path: Optional[os.PathLike] = None) -> Study:
    """Read and validate the study file; raise StudyFileError if anything is wrong.

    `path` defaults to $STUDY_FILE, then to content/study/bemani2023.yml in the project.
    """
    file = (
        Path(path)
        if path is not None
        else Path(os.environ.get(STUDY_FILE_ENV) or DEFAULT_STUDY_PATH)
    )
    raw, digest = _read_yaml(file)
    if raw is None:
        raise file_error(file, "", "the study file is empty")
    if not isinstance(raw, dict):
        raise file_error(file, "", f"expected a mapping, found {describe(raw)}")
    try:
        document = StudyFile.parse_obj(raw)
    except ValidationError as error:
        # Every shape or type problem at once, one line each, so one edit can fix them all.
        raise StudyFileError(
            "\n".join(
                str(file_error(file, where, problem))
                for where, problem in schema_problems(error, raw)
            )
        ) from None
    locate(document)
    check_study_file(document, raw, file)
    return Study.from_file(document, file, digest)


@lru_cache(maxsize=1)
def get_study() -> Study:
    """The project's study file, loaded once per process (the action server calls this)."""
    return load_study()


def _read_yaml(file: Path) -> Tuple[Any, str]:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise StudyFileError(f"{file}: the study file does not exist") from None
    except OSError as error:
        raise StudyFileError(f"{file}: cannot read the study file ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise StudyFileError(f"{file}: the study file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StudyFileError(f"{file}: not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise StudyFileError(f"{file}: contains NUL bytes; not a text file")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise StudyFileError(f"{file}: not valid YAML{where}: {problem}") from None
    return raw, hashlib.sha256(data).hexdigest()
