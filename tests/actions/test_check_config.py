"""The clinic's settings and the start-up check of every file the action server reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import check_config
from backpain.clinic_config import ClinicConfigError, load_clinic_config, parse_clinic_config

VALID = {
    "contacts_country": "Testland",
    "emergency_number": "112",
    "crisis_line_text": "Call the crisis line.",
    "urgent_care_text": "your GP",
    "web_origin": "http://localhost:8080/",
    "public_base_url": "https://clinic.example/chat",
}


def test_the_shipped_clinic_settings_load() -> None:
    config = load_clinic_config()
    assert config.emergency_number and config.web_origin.startswith("http")


def test_the_shipped_contacts_are_one_countrys_set() -> None:
    """Emergency number, crisis line and same-day advice all for the country named (issue 13)."""
    config = load_clinic_config()
    assert config.contacts_country == "United Kingdom"
    assert config.emergency_number == "999"
    assert "Samaritans" in config.crisis_line_text and "116 123" in config.crisis_line_text
    assert "NHS 111" in config.urgent_care_text
    assert "112" not in config.crisis_line_text + config.urgent_care_text


def test_the_contacts_country_is_printed_for_make_run() -> None:
    assert (
        "--print contacts_country"
        in (Path(__file__).resolve().parents[2] / "scripts" / "supervise.sh").read_text()
    )


def test_urls_lose_their_trailing_slash() -> None:
    assert parse_clinic_config(VALID, "x").web_origin == "http://localhost:8080"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"emergency_number": None}, "emergency_number: is missing"),
        ({"crisis_line_text": "   "}, "crisis_line_text: must be non-empty text"),
        ({"web_origin": "localhost:8080"}, "web_origin: must start with http"),
        ({"emergency_numbr": "999"}, "emergency_numbr: unknown key"),
        ({"urgent_care_text": ["a", "b"]}, "urgent_care_text: must be non-empty text"),
        ({"emergency_number": True}, "emergency_number: must be non-empty text"),
    ],
)
def test_each_wrong_setting_is_named(change: dict, message: str) -> None:
    raw = {**VALID, **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ClinicConfigError) as error:
        parse_clinic_config(raw, "clinic.yml")
    assert message in str(error.value) and "clinic.yml" in str(error.value)


@pytest.mark.parametrize("content", [b"", b"- a list\n", b"\xff\xfe\x00binary", b"key: [unclosed"])
def test_unusable_files_give_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "clinic.yml"
    path.write_bytes(content)
    with pytest.raises(ClinicConfigError) as error:
        load_clinic_config(path)
    assert str(path) in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ClinicConfigError, match="file not found"):
        load_clinic_config(tmp_path / "nope.yml")


def test_start_up_check_passes_on_the_project_files(capsys: pytest.CaptureFixture) -> None:
    assert check_config.main([]) == 0


def test_start_up_check_fails_and_names_a_broken_study_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    broken = tmp_path / "study.yml"
    broken.write_text("sources: {}\n")
    monkeypatch.setenv("STUDY_FILE", str(broken))
    assert check_config.main([]) == 1
    assert str(broken) in capsys.readouterr().err


def test_print_gives_one_setting(capsys: pytest.CaptureFixture) -> None:
    assert check_config.main(["--print", "web_origin"]) == 0
    assert capsys.readouterr().out.strip() == load_clinic_config().web_origin


def test_a_built_folder_is_pointed_at_by_rewriting_its_config_line(tmp_path: Path) -> None:
    """backpain/config_lines.py, shared by the spaCy pipeline build and the safety classifier build."""
    import re

    from backpain.config_lines import point_config_line

    config = tmp_path / "config.yml"
    config.write_text('pipeline:\n  - name: X\n    classifier: "build/old-1"\n', encoding="utf-8")
    line = re.compile(r'^([ \t]*classifier:[ \t]*)"?build/[^"\s]*"?[ \t]*$', re.MULTILINE)
    assert point_config_line(config, line, "build/new-2") is True
    assert (
        config.read_text(encoding="utf-8")
        == 'pipeline:\n  - name: X\n    classifier: "build/new-2"\n'
    )
    assert point_config_line(config, line, "build/new-2") is False  # already there: untouched
    config.write_text("pipeline: []\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        point_config_line(config, line, "build/new-2")


def test_an_unquoted_emergency_number_is_read_as_its_text() -> None:
    assert parse_clinic_config({**VALID, "emergency_number": 112}, "x").emergency_number == "112"
