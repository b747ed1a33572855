"""Fail when the held-out NLU evaluation (rasa test nlu) falls below the project's bar.

`rasa test nlu` writes reports but never fails on low scores. This reads its reports and fails
when a weighted-average F1 is under the bar or a report that should be there is missing.
- Intents are scored on every held-out file together (tests/nlu/), weighted over all intents.
- Education questions (tests/nlu/education_heldout.yml) have two scores of their own: the F1 of the
  intent `explain` in the same report (is a question taken as an education question, and nothing
  else as one), and the response selection report (is the right answer chosen). A separate
  `rasa test nlu` on the education file cannot give the first: Rasa scores intents only when a
  file has two or more.
- Study entities are scored on the trial questions alone (tests/nlu/trial_heldout.yml): in other
  messages ("I live with back pain") the word pain is rightly found by the entity ruler but is
  not a trial question's entity, so counting it there would measure the wrong thing.
- The blind everyday questions (tests/nlu_blind/, issue 15) are scored on their own: written from
  a description of the topics before the topics had training data, they measure unseen phrasing,
  which the files in tests/nlu/ (written next to the topics) do not. They have a floor of their
  own, the measured level, which may only rise; the 0.95 bar stays on tests/nlu/.
The held-out files are never trained on (tests/test_nlu_data.py checks that).

Usage: check_nlu_report.py --all results/nlu --trial results/nlu-trial --blind results/nlu-blind
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Tuple

# The bar is 0.95 (issues 3 and 4), met by every check on 2026-11-25 (see README.md, "What
# `make test` runs"). Intents over all held-out files are the weakest (0.94 then): guarded at 0.90
# until they are reliably over 0.95; `make test-nlu` prints the weakest labels to work on.
TARGET_F1 = 0.95
ALL_INTENTS_GUARD_F1 = 0.90
# Measured 2026-12-03 on the twelve everyday topics' blind questions (111): answer F1 0.939 with
# the topic ranker (backpain/topic_ranker.py), which is deterministic; the ResponseSelector
# before it gave 0.78 to 0.90 over three trainings on seven topics. One miss is about 0.01, so
# the floor leaves about two misses for arithmetic differences between machines.
BLIND_EVERYDAY_FLOOR_F1 = 0.92
WEIGHTED = "weighted avg"
# (directory argument, report file, row of the report, label, minimum F1)
CHECKS: List[Tuple[str, str, str, str, float]] = [
    ("all", "intent_report.json", WEIGHTED, "intent (all held-out files)", ALL_INTENTS_GUARD_F1),
    ("all", "intent_report.json", "explain", "education-question intent", TARGET_F1),
    ("all", "response_selection_report.json", WEIGHTED, "education answer", TARGET_F1),
    ("trial", "intent_report.json", WEIGHTED, "trial-question intent", TARGET_F1),
    (
        "trial",
        "StudyEntityExtractor_report.json",
        WEIGHTED,
        "trial entity (outcome, group, timepoint)",
        TARGET_F1,
    ),
    (
        "blind",
        "response_selection_report.json",
        WEIGHTED,
        "blind everyday questions, education answer",
        BLIND_EVERYDAY_FLOOR_F1,
    ),
]


def f1_of(report_file: Path, row: str) -> float:
    """The F1 of one row of a Rasa report; a row that is not there (no such label) scores 0."""
    return float(json.loads(report_file.read_text()).get(row, {}).get("f1-score", 0.0))


def weakest(report_file: Path, count: int = 5) -> str:
    report = json.loads(report_file.read_text())
    labels = [
        (k, v["f1-score"])
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and not k.endswith("avg")
    ]
    return ", ".join(f"{k} {f1:.2f}" for k, f1 in sorted(labels, key=lambda kv: kv[1])[:count])


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", required=True, help="results of rasa test nlu on tests/nlu")
    parser.add_argument("--trial", required=True, help="results of rasa test nlu on the trial file")
    parser.add_argument(
        "--blind", required=True, help="results of rasa test nlu on tests/nlu_blind"
    )
    args = vars(parser.parse_args(argv))
    failed = False
    for directory, file_name, row, label, minimum in CHECKS:
        path = Path(args[directory]) / file_name
        if not path.exists():
            print(f"held-out NLU: {label}: report {path} is missing")
            failed = True
            continue
        f1 = f1_of(path, row)
        ok = f1 >= minimum
        failed |= not ok
        verdict = f"ok, bar {minimum}" if ok else f"BELOW {minimum}"
        if ok and f1 < TARGET_F1:
            verdict += f", target {TARGET_F1} not yet met"
        detail = f"; weakest: {weakest(path)}" if row == WEIGHTED else ""
        print(f"held-out NLU: {label} F1 {f1:.3f} ({verdict}){detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
