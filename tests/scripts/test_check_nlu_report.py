"""The held-out NLU gate (scripts/check_nlu_report.py) fails below its bars and on missing reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

import pytest

from scripts import check_nlu_report


def _reports(tmp_path: Path, scores: Dict[str, float]) -> List[str]:
    """Writes every report row the checks read, at 0.99 unless `scores` (by label) says otherwise."""
    reports: Dict[Path, dict] = {}
    for directory, file_name, row, label, _ in check_nlu_report.CHECKS:
        f1 = scores.get(label, 0.99)
        reports.setdefault(tmp_path / directory / file_name, {})[row] = {
            "precision": 1.0,
            "recall": f1,
            "f1-score": f1,
            "support": 10,
        }
    for path, report in reports.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report))
    return [f"--{name}={tmp_path / name}" for name in ("all", "trial", "blind")]


def test_passes_when_every_score_reaches_its_bar(tmp_path: Path, capsys) -> None:
    assert check_nlu_report.main(_reports(tmp_path, {})) == 0
    assert "BELOW" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "label", ["education-question intent", "education answer", "trial-question intent"]
)
def test_fails_when_an_education_or_trial_score_is_under_095(
    tmp_path: Path, capsys, label: str
) -> None:
    assert check_nlu_report.main(_reports(tmp_path, {label: 0.949})) == 1
    assert f"{label} F1 0.949 (BELOW 0.95)" in capsys.readouterr().out


def test_all_files_intents_have_their_own_guard(tmp_path: Path, capsys) -> None:
    label = "intent (all held-out files)"
    assert check_nlu_report.main(_reports(tmp_path, {label: 0.93})) == 0
    assert "target 0.95 not yet met" in capsys.readouterr().out
    assert check_nlu_report.main(_reports(tmp_path, {label: 0.89})) == 1


def test_blind_everyday_questions_have_their_own_floor(tmp_path: Path, capsys) -> None:
    label = "blind everyday questions, education answer"
    floor = check_nlu_report.BLIND_EVERYDAY_FLOOR_F1
    assert check_nlu_report.main(_reports(tmp_path, {label: floor})) == 0
    assert "target 0.95 not yet met" in capsys.readouterr().out
    assert check_nlu_report.main(_reports(tmp_path, {label: floor - 0.01})) == 1
    assert f"{label} F1 {floor - 0.01:.3f} (BELOW {floor})" in capsys.readouterr().out


def test_education_intent_is_the_explain_row_not_the_weighted_average(
    tmp_path: Path, capsys
) -> None:
    arguments = _reports(tmp_path, {"education-question intent": 0.90})
    assert check_nlu_report.main(arguments) == 1
    assert "education-question intent F1 0.900 (BELOW 0.95)" in capsys.readouterr().out
    report_path = tmp_path / "all" / "intent_report.json"
    report = json.loads(report_path.read_text())
    del report["explain"]  # no education question in the held-out files at all
    report_path.write_text(json.dumps(report))
    assert check_nlu_report.main(arguments) == 1


def test_fails_when_a_report_is_missing(tmp_path: Path, capsys) -> None:
    arguments = _reports(tmp_path, {})
    (tmp_path / "all" / "response_selection_report.json").unlink()
    assert check_nlu_report.main(arguments) == 1
    assert "education answer: report" in capsys.readouterr().out
