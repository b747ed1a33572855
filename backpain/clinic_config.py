"""The clinic's own settings (config/clinic.yml): contacts and addresses a clinic edits.

Declared once, as a pydantic model (issue 17: a schema, not a hand-written reader). Plain Python
(no Rasa imports) so that the action server, the web page server and the tests read the file the
same way. A missing or malformed value raises ClinicConfigError naming the file and the field
(backpain/yaml_schema.py), so a mistake stops start-up instead of reaching a patient.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, Extra, validator

from backpain.paths import PROJECT_ROOT
from backpain.yaml_schema import parse_file, read_yaml

DEFAULT_CLINIC_CONFIG = PROJECT_ROOT / "config" / "clinic.yml"
# Lets a deployment (or a test) point at another file without editing the project.
CLINIC_CONFIG_ENV = "CLINIC_CONFIG"


class ClinicConfigError(ValueError):
    """The clinic configuration file is missing, unreadable or has a wrong value."""


class ClinicConfig(BaseModel):
    contacts_country: str  # the country the three contacts below are for, said by `make run`
    emergency_number: str  # "999" or 999: an unquoted number is read as the text it is
    crisis_line_text: str
    urgent_care_text: str
    web_origin: str
    public_base_url: str

    class Config:
        extra = Extra.forbid  # a typo is an error, not a silently ignored setting
        allow_mutation = False

    @validator("*", pre=True)
    def _non_empty_text(cls, value: Any) -> str:  # noqa: N805 (pydantic passes the class)
        # bool is an int in Python, but `true` is never a phone number or a sentence.
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise ValueError("must be non-empty text")
        return str(value).strip()

    @validator("web_origin", "public_base_url")
    def _http_url(cls, value: str) -> str:  # noqa: N805
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


def parse_clinic_config(raw: Any, source: str) -> ClinicConfig:
    """The settings in `raw` (a parsed file); `source` names the file in any error."""
    return parse_file(ClinicConfig, raw, source, ClinicConfigError)


def load_clinic_config(path: Union[Path, str, None] = None) -> ClinicConfig:
    path = Path(path or os.environ.get(CLINIC_CONFIG_ENV) or DEFAULT_CLINIC_CONFIG)
    return parse_clinic_config(read_yaml(path, ClinicConfigError), str(path))


@lru_cache(maxsize=1)
def clinic_config() -> ClinicConfig:
    """The configuration, read once per process."""
    return load_clinic_config()
