"""The guided scripts' form validators as the tests call them: one per form, and `validate`."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.guided.exposure_forms import ValidateExposureForm, ValidateExposurePracticeForm
from actions.guided.forms import (
    ValidateBreathingForm,
    ValidateFlarePlanForm,
    ValidatePacingForm,
    ValidateThoughtRecordForm,
)
from backpain.fear_ladder import Ladder
from tests.support.doubles import (
    DOMAIN,
    SCRIPT_FORMS,
    make_tracker,
    responses,
)

VALIDATORS = {
    "breathing_form": ValidateBreathingForm(),
    "thought_record_form": ValidateThoughtRecordForm(),
    "pacing_form": ValidatePacingForm(),
    "flare_plan_form": ValidateFlarePlanForm(),
    "exposure_form": ValidateExposureForm(),
    "exposure_practice_form": ValidateExposurePracticeForm(),
}
RATING_SLOTS = {
    "breathing_tension_before": 10,
    "breathing_tension_after": 10,
    "thought_feeling_before": 100,
    "thought_feeling_after": 100,
    "exposure_expected_fear": 100,
    "exposure_expected_pain": 10,
    "exposure_actual_fear": 100,
    "exposure_actual_pain": 10,
}
FREE_TEXT_SLOTS = [
    "breathing_reflection",
    "thought_situation",
    "thought_automatic",
    "thought_feeling",
    "thought_evidence_for",
    "thought_evidence_against",
    "thought_balanced",
    "pacing_activity",
    "flare_contact",
    "exposure_practice_what",
    "exposure_practice_when",
    "exposure_practice_how_often",
]
MUST_NOT_BE_ANSWERS = {
    "stop_script",
    "continue_script",
    "ask_why_this_helps",
    "red_flag_emergency",
    "red_flag_urgent",
    "crisis",
    "red_flag_unclear",
}


def validator_for(slot: str) -> Any:
    form = next(form for form in SCRIPT_FORMS if slot in DOMAIN["forms"][form]["required_slots"])
    return VALIDATORS[form]


def validate(slot: str, value: Any, **slots: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={slot: value, **slots}, text=str(value))
    changes = getattr(validator_for(slot), f"validate_{slot}")(value, dispatcher, tracker, DOMAIN)
    return changes, responses(dispatcher)


# A three-step ladder, as the exposure form stores it.
LADDER = Ladder.from_ratings([("walking", 10), ("bending", 30), ("lifting", 60)]).to_slot()
