"""Accuracy of a trained model: held-out NLU (`rasa test nlu` reports) and the share of trial
statistic questions answered with the exact figure (asked over the REST channel as a trainee).

The expected figures are read from the study file through backpain.study.loading and rendered the
way the assistant renders exact figures (backpain.study.answer.format_number); none is typed here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

from backpain.study.answer import MINUS, format_number
from backpain.study.loading import load_study
from backpain.study.model import Study

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
QUESTIONS_FILE = BENCH_DIR / "statistic_questions.yml"
HELD_OUT_DIR = PROJECT_ROOT / "tests" / "nlu"
TRIAL_HELD_OUT = HELD_OUT_DIR / "trial_heldout.yml"
TRAINEE_PAYLOAD = "/declare_trainee"  # an intent payload: skips NLU, so every config gets it


@dataclass(frozen=True)
class StatisticQuestion:
    ask: str
    expected: str  # the figure as the assistant writes an exact figure, e.g. "3.86" or "−2.20"


def expected_figure(study: Study, figure: Dict[str, Any]) -> str:
    kind = figure.get("kind")
    if kind == "mean":
        return format_number(study.pain_results[figure["group"]][figure["timepoint"]].mean)
    if kind == "difference":
        difference = study.between_group.results[figure["timepoint"]].difference
        if difference is None:
            raise ValueError(f"the study file reports no difference at {figure['timepoint']}")
        return format_number(difference.value)
    if kind == "effect_size":
        return format_number(study.effect_size.value.value)
    raise ValueError(f"unknown figure kind {kind!r} in {QUESTIONS_FILE}")


def load_statistic_questions(
    file: Path = QUESTIONS_FILE, study: Optional[Study] = None
) -> List[StatisticQuestion]:
    study = study or load_study()
    content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return [
        StatisticQuestion(str(q["ask"]), expected_figure(study, q["figure"]))
        for q in content.get("questions") or []
    ]


def mentions(text: str, figure: str) -> bool:
    """The figure appears as a number of its own ("3.86" is not found in "13.86" or "3.861");
    a minus sign may be written as the typographic minus or a hyphen."""
    for variant in {figure, figure.replace(MINUS, "-")}:
        if re.search(rf"(?<![\d.]){re.escape(variant)}(?!\d|\.\d)", text):
            return True
    return False


Send = Callable[[str, str], List[Dict[str, Any]]]  # (sender, text) -> the bot's messages


def exact_statistic_answers(
    send: Send, questions: List[StatisticQuestion], run_id: str
) -> Dict[str, Any]:
    """Asks each question in a new conversation, after saying the person is a trainee."""
    results = []
    for question in questions:
        sender = f"{run_id}-stat-{uuid.uuid4().hex[:8]}"
        send(sender, TRAINEE_PAYLOAD)
        reply = "\n".join(m.get("text") or "" for m in send(sender, question.ask))
        results.append(
            {
                "ask": question.ask,
                "expected": question.expected,
                "exact": mentions(reply, question.expected),
                "reply": reply[:600],
            }
        )
    exact = sum(r["exact"] for r in results)
    return {
        "asked": len(results),
        "exact": exact,
        "share": round(exact / len(results), 3) if results else None,
        "answers": results,
    }


# --- held-out NLU -----------------------------------------------------------------------------


def _weighted_f1(report: Path) -> Optional[float]:
    if not report.exists():
        return None
    return round(float(json.loads(report.read_text())["weighted avg"]["f1-score"]), 4)


def _entity_report(directory: Path) -> Optional[Path]:
    """The study-entity report: StudyEntityExtractor's for our pipeline, DIET's for the default."""
    for name in ("StudyEntityExtractor_report.json", "DIETClassifier_report.json"):
        if (directory / name).exists():
            return directory / name
    reports = sorted(directory.glob("*_report.json"))
    reports = [
        r for r in reports if r.name not in ("intent_report.json", "response_selection_report.json")
    ]
    return reports[0] if reports else None


def rasa_test_nlu(model: Path, nlu: Path, out: Path, env: Dict[str, str], log: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        completed = subprocess.run(
            [
                str(VENV_BIN / "rasa"),
                "test",
                "nlu",
                "--model",
                str(model),
                "--nlu",
                str(nlu),
                "--out",
                str(out),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if completed.returncode != 0:
        raise RuntimeError(
            f"rasa test nlu failed for {model}; see {log}:\n{log.read_text(errors='replace')[-2000:]}"
        )


def held_out_nlu(model: Path, out_dir: Path, env: Dict[str, str]) -> Dict[str, Any]:
    """Intent F1 (and education responses) on every held-out file; entity F1 on the trial file.
    Weighted-average F1, as scripts/check_nlu_report.py reads it."""
    everything, trial = out_dir / "all", out_dir / "trial"
    rasa_test_nlu(model, HELD_OUT_DIR, everything, env, out_dir / "all.log")
    rasa_test_nlu(model, TRIAL_HELD_OUT, trial, env, out_dir / "trial.log")
    entity_report = _entity_report(trial)
    return {
        "intent_f1": _weighted_f1(everything / "intent_report.json"),
        "response_selection_f1": _weighted_f1(everything / "response_selection_report.json"),
        "trial_intent_f1": _weighted_f1(trial / "intent_report.json"),
        "entity_f1": _weighted_f1(entity_report) if entity_report else None,
        "entity_report": entity_report.name if entity_report else None,
        "reports": str(out_dir),
    }
