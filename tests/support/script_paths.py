"""Ordinary answers that walk each guided script to a given step, for the end-to-end sets that
type a message at a step (tests/e2e/test_midscript_heldout.py, test_step_answers_heldout.py)."""

from __future__ import annotations

from typing import Dict, List

BREATHING = "/start_breathing"
THOUGHT = "/start_thought_record"
PACING = "/start_activity_pacing"
FLARE = "/start_flare_plan"
EXPOSURE = "/start_graded_exposure"
THOUGHT_ANSWERS = [
    "I bent to pick up my bag",
    "my back is going to snap",
    "scared",
    "80",
    "it hurt a lot",
    "I have bent many times and been fine",
    "bending hurts but it is not damage",
]
EXPOSURE_ANSWERS = [
    "yes",
    "yes",
    "no",
    "bending, lifting shopping",
    "40",
    "60",
    "yes",
    "bend to the low shelf",
    "tomorrow morning",
    "once a day",
    "my back will lock",
]
LADDER_READY = EXPOSURE_ANSWERS + ["40", "3", "/report_exposure_practice"]
PACING_ANSWERS = ["walking", "20 minutes", "15 minutes"]
FLARE_ANSWERS = ["heat, walking", "lifting", "my physio"]

# The messages that reach each step that takes words (free text, a list or an amount), by the
# slot the step fills.
PATH_TO_STEP: Dict[str, List[str]] = {
    "breathing_reflection": [BREATHING, "6", "4"],
    "thought_situation": [THOUGHT],
    "thought_automatic": [THOUGHT] + THOUGHT_ANSWERS[:1],
    "thought_feeling": [THOUGHT] + THOUGHT_ANSWERS[:2],
    "thought_evidence_for": [THOUGHT] + THOUGHT_ANSWERS[:4],
    "thought_evidence_against": [THOUGHT] + THOUGHT_ANSWERS[:5],
    "thought_balanced": [THOUGHT] + THOUGHT_ANSWERS[:6],
    "pacing_activity": [PACING],
    "pacing_baseline": [PACING] + PACING_ANSWERS[:1],
    "pacing_start": [PACING] + PACING_ANSWERS[:2],
    "pacing_increase": [PACING] + PACING_ANSWERS[:3],
    "flare_helps": [FLARE],
    "flare_reduce": [FLARE] + FLARE_ANSWERS[:1],
    "flare_contact": [FLARE] + FLARE_ANSWERS[:2],
    "flare_warning_signs": [FLARE] + FLARE_ANSWERS[:3],
    "exposure_activities": [EXPOSURE] + EXPOSURE_ANSWERS[:3],
    "exposure_practice_what": [EXPOSURE] + EXPOSURE_ANSWERS[:7],
    "exposure_practice_when": [EXPOSURE] + EXPOSURE_ANSWERS[:8],
    "exposure_practice_how_often": [EXPOSURE] + EXPOSURE_ANSWERS[:9],
    "exposure_feared_outcome": [EXPOSURE] + EXPOSURE_ANSWERS[:10],
}
