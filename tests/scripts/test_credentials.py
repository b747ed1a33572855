"""scripts/credentials.py (which channels `make run` turns on, secrets kept out of the
written file) and what scripts/start_part.sh exposes."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _load_credentials_script():
    spec = importlib.util.spec_from_file_location(
        "credentials_script", PROJECT_ROOT / "scripts" / "credentials.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


credentials_script = _load_credentials_script()
SLACK = "channels.slack.ClinicSlackInput"
REST = "channels.rest.ClinicRestInput"
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


# --- scripts/credentials.py ---


def write_source(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "credentials.yml"
    source.write_text(text)
    return source


def test_the_project_credentials_turn_slack_on_only_with_its_secrets(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "credentials.yml"
    off = credentials_script.write_credentials(source, tmp_path / "off.yml", environ={})
    assert [s.describe() for s in off] == [
        "Web chat (REST): on",
        "Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable)",
    ]
    on = credentials_script.write_credentials(source, tmp_path / "on.yml", environ=SLACK_ENV)
    assert [s.enabled for s in on] == [True, True]
    assert "SLACK_CHANNEL" in on[1].describe()


def test_the_written_file_keeps_secrets_out_and_rasa_reads_them_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.shared.utils.io

    output = tmp_path / "out.yml"
    credentials_script.write_credentials(
        PROJECT_ROOT / "credentials.yml", output, environ={**SLACK_ENV, "SLACK_CHANNEL": "C1"}
    )
    assert "xoxb-1" not in output.read_text() and "${SLACK_BOT_TOKEN}" in output.read_text()
    for name, value in {**SLACK_ENV, "SLACK_CHANNEL": "C1"}.items():
        monkeypatch.setenv(name, value)
    read = rasa.shared.utils.io.read_config_file(str(output))
    assert read[SLACK] == {
        "slack_token": "xoxb-1",
        "slack_signing_secret": "secret",
        "slack_channel": "C1",
    }
    assert REST in read and read[REST] is None


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    statuses = credentials_script.write_credentials(
        PROJECT_ROOT / "credentials.yml",
        tmp_path / "out.yml",
        environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "  "},
    )
    assert statuses[1].describe() == "Slack: off (set SLACK_SIGNING_SECRET to enable)"
    assert SLACK not in (tmp_path / "out.yml").read_text()


def test_fixed_values_and_embedded_variables_are_handled(tmp_path: Path) -> None:
    source = write_source(tmp_path, "custom.Channel:\n  url: https://${HOST}/hook\n  mode: fixed\n")
    [status] = credentials_script.plan_channels(credentials_script.read_channels(source), {})
    assert status.missing == ["HOST"]
    [status] = credentials_script.plan_channels(
        credentials_script.read_channels(source), {"HOST": "h"}
    )
    assert status.settings == {"url": "https://${HOST}/hook", "mode": "fixed"}


@pytest.mark.parametrize(
    "text",
    ["- a list\n", "rest: [unclosed\n", "slack: just-a-string\n"],
    ids=["list", "bad-yaml", "bad-settings"],
)
def test_a_malformed_credentials_file_is_reported_not_crashed_on(
    tmp_path: Path, text: str, capsys
) -> None:
    source = write_source(tmp_path, text)
    assert (
        credentials_script.main(["--source", str(source), "--output", str(tmp_path / "out.yml")])
        == 1
    )
    assert "credentials:" in capsys.readouterr().err
    assert not (tmp_path / "out.yml").exists()


def test_a_missing_credentials_file_is_reported(tmp_path: Path, capsys) -> None:
    assert (
        credentials_script.main(
            ["--source", str(tmp_path / "nope.yml"), "--output", str(tmp_path / "o.yml")]
        )
        == 1
    )
    assert "cannot read" in capsys.readouterr().err


# --- what `make run` exposes (scripts/start_part.sh, run by supervisord) ---


def test_start_script_exposes_only_what_it_should() -> None:
    script = (PROJECT_ROOT / "scripts" / "start_part.sh").read_text()
    action_line = next(line for line in script.splitlines() if "rasa run actions" in line)
    assert "SANIC_HOST=${ACTION_HOST:-127.0.0.1}" in action_line
    rasa_part = re.search(r"^  rasa\)$(.*?)^    ;;$", script, re.MULTILINE | re.DOTALL).group(1)
    assert '--credentials "${CREDENTIALS:-var/credentials.yml}"' in rasa_part
    api_lines = [line for line in rasa_part.splitlines() if "--enable-api" in line]
    assert api_lines == [
        '    if [ -n "${RASA_API_TOKEN:-}" ]; then args+=(--enable-api --auth-token '
        '"$RASA_API_TOKEN"); fi'
    ]
    assert "--cors" in rasa_part and '"*"' not in rasa_part
    assert 'exec $bin/rasa run "${args[@]}"' in rasa_part
    supervise = (PROJECT_ROOT / "scripts" / "supervise.sh").read_text()
    assert supervise.index("scripts/credentials.py") < supervise.index("exec supervisord")
    assert "RASA_API_TOKEN" not in (PROJECT_ROOT / "deploy" / "supervisord.conf.in").read_text()
