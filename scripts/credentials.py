#!/usr/bin/env python3
"""Write the credentials file for `rasa run`: only the channels whose settings are all available.

    .venv/bin/python scripts/credentials.py [--source credentials.yml] [--output var/credentials.yml]

credentials.yml names secrets as `${VARIABLE}` (read from the environment by Rasa at start-up).
Rasa refuses to start when one of them is unset, so this writes a copy without the channels
whose variables are missing, and prints which channels are on, e.g.

    Web chat (REST): on
    Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable)

A few settings are optional (OPTIONAL_SETTINGS): when their variable is unset the setting is
left out and the channel stays on. The copy keeps the `${VARIABLE}` references, so no secret is
ever written to disk. A variable set to an empty value counts as unset. Standard library plus
pyyaml only, so it runs before Rasa starts and in tests.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_ROOT / "credentials.yml"
DEFAULT_OUTPUT = PROJECT_ROOT / "var" / "credentials.yml"

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Settings a channel works without. The text, when there is one, says what leaving it out means.
OPTIONAL_SETTINGS: Dict[str, Optional[str]] = {
    "slack_channel": "answers direct messages and @mentions only; set SLACK_CHANNEL to answer "
    "every message in one channel",
    "slack_api_url": None,  # tests only: where Slack API calls go instead of slack.com
    "proxy": None,
}
CHANNEL_LABELS: Dict[str, str] = {
    "rest": "Web chat (REST)",
    "channels.rest.ClinicRestInput": "Web chat (REST)",
    "slack": "Slack",
    "channels.slack.ClinicSlackInput": "Slack",
}


class CredentialsError(ValueError):
    """credentials.yml cannot be read or is not a mapping of channels to settings."""


@dataclass
class ChannelStatus:
    name: str  # the key in credentials.yml (a Rasa channel name or a class path)
    settings: Optional[Dict[str, Any]]  # what goes into the output file (None: no settings)
    missing: List[str] = field(default_factory=list)  # required variables that are unset
    notes: List[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return not self.missing

    @property
    def label(self) -> str:
        return CHANNEL_LABELS.get(self.name, self.name)

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.label}: off (set {' and '.join(self.missing)} to enable)"
        return f"{self.label}: on" + "".join(f" ({note})" for note in self.notes)


def variables_in(value: Any) -> List[str]:
    return _VARIABLE.findall(value) if isinstance(value, str) else []


def is_set(variable: str, environ: Mapping[str, str]) -> bool:
    return bool(environ.get(variable, "").strip())


def channel_status(name: str, settings: Any, environ: Mapping[str, str]) -> ChannelStatus:
    if settings is None:
        return ChannelStatus(name, None)
    if not isinstance(settings, dict):
        raise CredentialsError(
            f"the settings of channel '{name}' must be a mapping, found {type(settings).__name__}"
        )
    status = ChannelStatus(name, {})
    for key, value in settings.items():
        unset = [v for v in variables_in(value) if not is_set(v, environ)]
        if not unset:
            status.settings[key] = value
        elif key in OPTIONAL_SETTINGS:
            if OPTIONAL_SETTINGS[key]:
                status.notes.append(OPTIONAL_SETTINGS[key])
        else:
            status.missing.extend(v for v in unset if v not in status.missing)
    return status


def read_channels(source: Path) -> Dict[str, Any]:
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise CredentialsError(f"cannot read {source}: {error.strerror}") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CredentialsError(f"{source} is not valid YAML: {error}") from error
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CredentialsError(f"{source} must map channel names to their settings")
    return raw


def plan_channels(channels: Mapping[str, Any], environ: Mapping[str, str]) -> List[ChannelStatus]:
    return [channel_status(str(name), settings, environ) for name, settings in channels.items()]


def write_atomically(path: Path, text: str) -> None:
    """A Rasa server starting meanwhile reads the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
    os.replace(handle.name, path)


def write_credentials(
    source: Path = DEFAULT_SOURCE,
    output: Path = DEFAULT_OUTPUT,
    environ: Optional[Mapping[str, str]] = None,
) -> List[ChannelStatus]:
    """Write `output` with the usable channels of `source`; returns every channel's status."""
    statuses = plan_channels(read_channels(source), os.environ if environ is None else environ)
    enabled = {status.name: status.settings for status in statuses if status.enabled}
    header = (
        f"# Generated from {source.name} by scripts/credentials.py; do not edit (edit {source.name}).\n"
        "# ${VARIABLES} are read from the environment by Rasa when it starts.\n"
    )
    write_atomically(output, header + yaml.safe_dump(enabled, sort_keys=False, allow_unicode=True))
    return statuses


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--quiet", action="store_true", help="print nothing unless something is wrong"
    )
    args = parser.parse_args(argv)
    try:
        statuses = write_credentials(args.source, args.output)
    except CredentialsError as error:
        print(f"credentials: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        for status in statuses:
            print(status.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
