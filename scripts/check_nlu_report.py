"""Fail when the held-out NLU evaluation (rasa test nlu) falls below the project's bar.

`rasa test nlu` writes reports but never fails on low scores. This reads its reports and
fails when intent, response-selection or entity F1 (weighted average) is under the bar, or a
report that should be there is missing. The held-out files in tests/nlu are never trained on
(tests/test_nlu_data.py checks that).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

MIN_F1 = 0.95
REPORTS = {
    "intent_report.json": "intent",
    "response_selection_report.json": "response selection",
    "StudyEntityExtractor_report.json": "entities (StudyEntityExtractor)",
}
REQUIRED = {"intent_report.json"}


def weighted_f1(report_file: Path) -> float:
    report = json.loads(report_file.read_text())
    return float(report["weighted avg"]["f1-score"])


def worst_labels(report_file: Path, count: int = 5) -> str:
    report = json.loads(report_file.read_text())
    labels = [(k, v["f1-score"]) for k, v in report.items()
              if isinstance(v, dict) and "f1-score" in v and not k.endswith("avg")]
    return ", ".join(f"{k} {f1:.2f}" for k, f1 in sorted(labels, key=lambda kv: kv[1])[:count])


def main(results_dir: str) -> int:
    directory = Path(results_dir)
    failed = False
    for file_name, label in REPORTS.items():
        path = directory / file_name
        if not path.exists():
            if file_name in REQUIRED:
                print(f"held-out NLU: {label}: report {path} missing")
                failed = True
            continue
        f1 = weighted_f1(path)
        ok = f1 >= MIN_F1
        failed |= not ok
        print(f"held-out NLU: {label} F1 {f1:.3f} ({'ok' if ok else f'below {MIN_F1}'}); weakest: {worst_labels(path)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
