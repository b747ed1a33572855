"""Fail when the held-out NLU evaluation (rasa test nlu) falls below the project's bar.

`rasa test nlu` writes reports but never fails on low scores. This reads its reports and fails
when a weighted-average F1 is under the bar or a report that should be there is missing.
- Intents and education responses are scored on every held-out file (tests/nlu/).
- Study entities are scored on the trial questions alone (tests/nlu/trial_heldout.yml): in other
  messages ("I live with back pain") the word pain is rightly found by the entity ruler but is
  not a trial question's entity, so counting it there would measure the wrong thing.
The held-out files are never trained on (tests/test_nlu_data.py checks that).

Usage: check_nlu_report.py --all results/nlu --trial results/nlu-trial
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Tuple

MIN_F1 = 0.95
# (directory argument, report file, label, required)
CHECKS: List[Tuple[str, str, str, bool]] = [
    ("all", "intent_report.json", "intent", True),
    ("all", "response_selection_report.json", "education response", False),
    ("trial", "intent_report.json", "trial-question intent", True),
    ("trial", "StudyEntityExtractor_report.json", "trial entity (outcome, group, timepoint)", True),
]


def weighted_f1(report_file: Path) -> float:
    return float(json.loads(report_file.read_text())["weighted avg"]["f1-score"])


def weakest(report_file: Path, count: int = 5) -> str:
    report = json.loads(report_file.read_text())
    labels = [(k, v["f1-score"]) for k, v in report.items()
              if isinstance(v, dict) and "f1-score" in v and not k.endswith("avg")]
    return ", ".join(f"{k} {f1:.2f}" for k, f1 in sorted(labels, key=lambda kv: kv[1])[:count])


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", required=True, help="results of rasa test nlu on tests/nlu")
    parser.add_argument("--trial", required=True, help="results of rasa test nlu on the trial file")
    args = vars(parser.parse_args(argv))
    failed = False
    for directory, file_name, label, required in CHECKS:
        path = Path(args[directory]) / file_name
        if not path.exists():
            if required:
                print(f"held-out NLU: {label}: report {path} is missing")
                failed = True
            continue
        f1 = weighted_f1(path)
        ok = f1 >= MIN_F1
        failed |= not ok
        verdict = "ok" if ok else f"BELOW {MIN_F1}"
        print(f"held-out NLU: {label} F1 {f1:.3f} ({verdict}); weakest: {weakest(path)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
