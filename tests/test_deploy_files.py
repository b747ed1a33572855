"""The systemd units and the supervisord template run the same commands, restart a crashed part,
and read the documented environment file; systemd itself checks the units when it is installed."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEMD_DIR = PROJECT_ROOT / "deploy" / "systemd"
SUPERVISOR_TEMPLATE = PROJECT_ROOT / "deploy" / "supervisord.conf.in"
START_SCRIPT = PROJECT_ROOT / "scripts" / "start_part.sh"
UNITS = {
    "actions": "backpain-actions.service",
    "rasa": "backpain-rasa.service",
    "web": "backpain-web.service",
}
INSTALLED_AT = "/opt/backpain"
ENV_FILE = "/etc/backpain/backpain.env"


def read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, comment_prefixes=("#", ";"))
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def supervisor_commands() -> Dict[str, str]:
    parser = read_ini(SUPERVISOR_TEMPLATE)
    return {
        section.split(":", 1)[1]: parser[section]["command"]
        for section in parser.sections()
        if section.startswith("program:")
    }


@pytest.mark.parametrize("part", sorted(UNITS))
def test_unit_runs_what_supervisord_runs_and_restarts_on_failure(part: str) -> None:
    unit = read_ini(SYSTEMD_DIR / UNITS[part])
    service = unit["Service"]
    assert service["ExecStart"] == f"{INSTALLED_AT}/scripts/start_part.sh {part}"
    assert supervisor_commands()[part] == f"${{PROJECT_ROOT}}/scripts/start_part.sh {part}"
    assert service["WorkingDirectory"] == INSTALLED_AT
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["Restart"] == "on-failure" and int(service["RestartSec"]) > 0
    assert unit["Unit"]["PartOf"] == "backpain.target"
    assert unit["Install"]["WantedBy"] == "backpain.target"


def test_supervisord_restarts_every_part_and_stops_their_groups() -> None:
    parser = read_ini(SUPERVISOR_TEMPLATE)
    programs = [section for section in parser.sections() if section.startswith("program:")]
    assert sorted(programs) == [f"program:{part}" for part in sorted(UNITS)]
    for section in programs:
        program = parser[section]
        assert program["autorestart"] == "true"
        assert int(program["startretries"]) >= 3 and int(program["startsecs"]) > 0
        assert program["stopasgroup"] == program["killasgroup"] == "true"
        assert program["stdout_logfile"].startswith("${LOG_DIR}/")
        assert program["stdout_logfile_maxbytes"] and int(program["stdout_logfile_backups"]) > 0
    assert parser["supervisord"]["nodaemon"] == "true"


def test_every_setting_the_start_script_reads_is_in_the_example_environment_file() -> None:
    script = START_SCRIPT.read_text(encoding="utf-8")
    example = (SYSTEMD_DIR / "backpain.env.example").read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{([A-Z_]+):-", script)) - {"VENV_BIN", "CREDENTIALS", "RASA_MODEL"}
    assert read, "no settings found in scripts/start_part.sh"
    for name in sorted(read):
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} not in the example"
    for secret in ("RASA_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert re.search(rf"^# {secret}=$", example, re.MULTILINE), f"{secret} not documented"


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # Point the units at this checkout and an existing user, as an install would.
    env_file = tmp_path / "backpain.env"
    env_file.write_text("RASA_PORT=5005\n")
    copies = []
    for path in [*SYSTEMD_DIR.glob("*.service"), SYSTEMD_DIR / "backpain.target"]:
        text = path.read_text(encoding="utf-8").replace(INSTALLED_AT, str(PROJECT_ROOT))
        text = text.replace(ENV_FILE, str(env_file))
        text = re.sub(r"^(User|Group)=backpain$", r"\1=root", text, flags=re.MULTILINE)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *copies],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
