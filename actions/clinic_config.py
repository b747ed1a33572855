"""The clinic's own settings (config/clinic.yml): contacts and addresses a clinic edits.

Plain Python (no Rasa imports) so that the action server, the web page server and the tests
read the file the same way. A missing or malformed value raises ClinicConfigError naming the
file and the field, so a mistake stops start-up instead of reaching a patient.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLINIC_CONFIG = PROJECT_ROOT / "config" / "clinic.yml"
# Lets a deployment (or a test) point at another file without editing the project.
CLINIC_CONFIG_ENV = "CLINIC_CONFIG"


class ClinicConfigError(ValueError):
    """The clinic configuration file is missing, unreadable or has a wrong value."""


@dataclass(frozen=True)
class ClinicConfig:
    contacts_country: str  # the country the three contacts below are for, said by `make run`
    emergency_number: str
    crisis_line_text: str
    urgent_care_text: str
    web_origin: str
    public_base_url: str


_REQUIRED_TEXT_FIELDS = (
    "contacts_country",
    "emergency_number",
    "crisis_line_text",
    "urgent_care_text",
    "web_origin",
    "public_base_url",
)
_URL_FIELDS = ("web_origin", "public_base_url")


def parse_clinic_config(raw: Any, source: str) -> ClinicConfig:
    if not isinstance(raw, dict):
        raise ClinicConfigError(
            f"{source}: expected a mapping of settings, found {type(raw).__name__}"
        )
    values: Dict[str, str] = {}
    for field in _REQUIRED_TEXT_FIELDS:
        value = raw.get(field)
        if value is None:
            raise ClinicConfigError(f"{source}: '{field}' is missing")
        if not isinstance(value, (str, int)) or not str(value).strip():
            raise ClinicConfigError(f"{source}: '{field}' must be non-empty text")
        values[field] = str(value).strip()
    for field in _URL_FIELDS:
        if not values[field].startswith(("http://", "https://")):
            raise ClinicConfigError(f"{source}: '{field}' must start with http:// or https://")
        values[field] = values[field].rstrip("/")
    unknown = sorted(set(raw) - set(_REQUIRED_TEXT_FIELDS))
    if unknown:
        raise ClinicConfigError(f"{source}: unknown setting(s) {', '.join(unknown)} (typo?)")
    return ClinicConfig(**values)


def load_clinic_config(path: Path | str | None = None) -> ClinicConfig:
    path = Path(path or os.environ.get(CLINIC_CONFIG_ENV) or DEFAULT_CLINIC_CONFIG)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClinicConfigError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ClinicConfigError(f"{path}: not valid YAML text ({error})") from None
    return parse_clinic_config(raw, str(path))


@lru_cache(maxsize=1)
def clinic_config() -> ClinicConfig:
    """The configuration, read once per process."""
    return load_clinic_config()
