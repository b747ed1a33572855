"""The blind set of script answers and remarks (tests/heldout/step_answers.yml) through the real
servers (issue 14).

Each message opens its own conversation, walks the script to its step with ordinary answers and
is typed there. A genuine answer must be taken (or, rarely, held back with the offer to note it
on a "yes"); a remark must not be stored, and the same step must be asked again. Figures per
step and per kind go to results/step_answers_heldout.txt; only figures are read from this set.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from tests.support.harness import Assistant
from tests.support.replies import said
from tests.support.script_paths import PATH_TO_STEP

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HELDOUT_FILE = PROJECT_ROOT / "tests" / "heldout" / "step_answers.yml"
REPORT_FILE = PROJECT_ROOT / "results" / "step_answers_heldout.txt"
NOT_NOTED = said("utter_scripts_not_noted")
# First measured on 2026-12-01: answers taken 167/240, of which 8 held back by the step fit
# (the rest not taken: the safety screen's question on a script answer, amounts the parser could
# not read, a ladder that needs a second activity); remarks stored 8/100 (12 of 100 on the dev
# set before the step fit, 3 after). Floors that may only be tightened, with one exception so
# far: on 2026-12-03 the safety corpus gained explicit plans told by time and place, and three
# held-out answers that are times or amounts ("later this week, probably wednesday", "10% every
# week") now get the safety question first (168 -> 165). Explicit crisis answered directly rose
# on two held-out safety sets and held on the third; a question too many is the side to err on
# (issue 13).
FLOOR_ANSWERS_TAKEN = 0.675
FLOOR_REMARKS_STORED = 0.08


def type_at_step(assistant: Assistant, sender: str, step: str, text: str) -> Tuple[bool, List[str]]:
    """Walk to `step`, type `text`; whether the step's slot changed, and the texts of the reply."""
    for message in PATH_TO_STEP[step]:
        assistant.send(sender, message)
    before = assistant.slots(sender)
    assert before.get("requested_slot") == step, f"the walk did not reach {step}"
    reply = [m.get("text", "") for m in assistant.send(sender, text)]
    after = assistant.slots(sender)
    return after.get(step) != before.get(step) and after.get(step) is not None, reply


def test_answers_are_taken_and_remarks_are_not(assistant: Assistant) -> None:
    entries = yaml.safe_load(HELDOUT_FILE.read_text(encoding="utf-8"))
    lines: List[str] = []
    per_step: Dict[str, Counter] = {}
    taken = held = 0
    for number, entry in enumerate(entries["answers"]):
        stored, reply = type_at_step(
            assistant, f"step-answer-{number}", entry["step"], entry["text"]
        )
        counts = per_step.setdefault(entry["step"], Counter())
        counts["answers"] += 1
        counts["taken"] += stored
        taken += stored
        held += NOT_NOTED in reply
    remarks_stored = remarks_re_asked = 0
    kinds: Dict[str, Counter] = {}
    for number, entry in enumerate(entries["not_answers"]):
        question = said(f"utter_ask_{entry['step']}")
        stored, reply = type_at_step(
            assistant, f"step-remark-{number}", entry["step"], entry["text"]
        )
        counts = per_step.setdefault(entry["step"], Counter())
        counts["remarks"] += 1
        counts["remarks stored"] += stored
        kind = kinds.setdefault(entry["kind"], Counter())
        kind["n"] += 1
        kind["stored"] += stored
        remarks_stored += stored
        re_asked = not stored and bool(reply) and reply[-1] == question
        remarks_re_asked += re_asked
    answers, remarks = len(entries["answers"]), len(entries["not_answers"])
    lines.append(
        f"answers taken: {taken}/{answers} (held back with the offer to note them: {held})"
    )
    lines.append(f"remarks stored as an answer: {remarks_stored}/{remarks} (issue 14: none)")
    lines.append(f"remarks not stored and the step asked again: {remarks_re_asked}/{remarks}")
    lines.append("per step: answers taken | remarks stored")
    for step, counts in sorted(per_step.items()):
        lines.append(
            f"  {step}: {counts['taken']}/{counts['answers']} | "
            f"{counts['remarks stored']}/{counts['remarks']}"
        )
    lines.append("per kind of remark: stored")
    for kind, counts in sorted(kinds.items()):
        lines.append(f"  {kind}: {counts['stored']}/{counts['n']}")
    REPORT_FILE.parent.mkdir(exist_ok=True)
    REPORT_FILE.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    assert taken >= FLOOR_ANSWERS_TAKEN * answers, "\n".join(lines)
    assert remarks_stored <= FLOOR_REMARKS_STORED * remarks, "\n".join(lines)
