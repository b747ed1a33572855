"""Validators of graded exposure: building the fear ladder and recording a practice.

The ladder's rules (Vlaeyen and Linton's graded exposure) are in backpain/fear_ladder.py.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guided.checks import (
    SlotChanges,
    check_free_text,
    check_rating,
    check_yes_no,
    clean_text,
    question_instead_of_answer,
    read_yes_no,
)
from actions.guided.validation import ScriptFormValidation
from backpain.answer_parsing import parse_list
from backpain.fear_ladder import MAX_STEPS, Ladder, propose_first_step, start_at

MIN_LADDER_STEPS = 2

# --- graded exposure: building the ladder and planning the first practice ----------------


def pending_ratings(tracker: Tracker) -> List[Dict[str, Any]]:
    """Ratings given so far while building the ladder: [{"activity": ..., "fear": ...}]."""
    value = tracker.get_slot("exposure_pending_ratings")
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def next_activity_to_rate(tracker: Tracker) -> Optional[str]:
    activities = tracker.get_slot("exposure_activities") or []
    rated = {item.get("activity") for item in pending_ratings(tracker)}
    return next((activity for activity in activities if activity not in rated), None)


class ValidateExposureForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_exposure_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Not ready, or a warning sign applies: the script ends there (kindly, see the actions)."""
        if tracker.get_slot("exposure_ready") is False:
            return ["exposure_ready"]
        if tracker.get_slot("exposure_red_flags") is True:
            return ["exposure_ready", "exposure_assessed", "exposure_red_flags"]
        return domain_slots

    def validate_exposure_ready(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_yes_no("exposure_ready", value, tracker, dispatcher)

    def validate_exposure_assessed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        """Not assessed: recommend it first (the ladder is best planned with a clinician), then go on."""
        checked = check_yes_no("exposure_assessed", value, tracker, dispatcher)
        if checked["exposure_assessed"] is False and value is not False:  # not again when resuming
            dispatcher.utter_message(response="utter_scripts_exposure_assess_first")
        return checked

    def validate_exposure_red_flags(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_yes_no("exposure_red_flags", value, tracker, dispatcher)

    def validate_exposure_activities(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        items = parse_list(value, max_items=MAX_STEPS)
        if not items:
            dispatcher.utter_message(response="utter_scripts_list_empty")
            return {"exposure_activities": None}
        if len(items) < MIN_LADDER_STEPS:
            dispatcher.utter_message(response="utter_scripts_exposure_too_few", activity=items[0])
            return {"exposure_activities": None}
        if len(items) > MAX_STEPS:
            items = items[:MAX_STEPS]
            dispatcher.utter_message(
                response="utter_scripts_exposure_kept_first",
                count=MAX_STEPS,
                activities=", ".join(items),
            )
        changes: SlotChanges = {"exposure_activities": items}
        if [item.get("activity") for item in pending_ratings(tracker)] != items[
            : len(pending_ratings(tracker))
        ]:
            changes.update(
                exposure_pending_ratings=[], exposure_fear_rating=None
            )  # a new list: rate afresh
        return changes

    def validate_exposure_fear_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        """One rating per message, for the next unrated activity; the slot fills once all are rated."""
        if not tracker.get_slot("exposure_activities"):
            return {"exposure_fear_rating": None}  # the activities are asked (again) first
        activity = next_activity_to_rate(tracker)
        if activity is None:  # all rated already (resuming): only check it
            return check_rating("exposure_fear_rating", value, 100, dispatcher)
        checked = check_rating("exposure_fear_rating", value, 100, dispatcher)
        if checked["exposure_fear_rating"] is None:
            return checked
        ratings = pending_ratings(tracker) + [
            {"activity": activity, "fear": checked["exposure_fear_rating"]}
        ]
        changes: SlotChanges = {"exposure_pending_ratings": ratings}
        if len(ratings) < len(tracker.get_slot("exposure_activities") or []):
            changes["exposure_fear_rating"] = None  # ask again, for the next activity
            return changes
        ladder = Ladder.from_ratings([(item["activity"], item["fear"]) for item in ratings])
        changes.update(
            exposure_fear_rating=checked["exposure_fear_rating"], exposure_ladder=ladder.to_slot()
        )
        return changes

    def validate_exposure_first_step(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        """Yes (the proposed step), a step number from the list shown, or an activity's name."""
        if question_instead_of_answer(value, dispatcher):
            return {"exposure_first_step": None}
        ladder = Ladder.from_slot(tracker.get_slot("exposure_ladder"))
        index = choose_step(ladder, value, tracker)
        if index is None:
            dispatcher.utter_message(response="utter_scripts_exposure_pick_step")
            return {"exposure_first_step": None}
        return {
            "exposure_first_step": ladder.steps[index].activity,
            "exposure_ladder": start_at(ladder, index).to_slot(),
        }

    def validate_exposure_practice_what(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("exposure_practice_what", value, dispatcher)

    def validate_exposure_practice_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("exposure_practice_when", value, dispatcher)

    def validate_exposure_practice_how_often(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("exposure_practice_how_often", value, dispatcher)

    def validate_exposure_feared_outcome(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("exposure_feared_outcome", value, dispatcher)

    def validate_exposure_expected_fear(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return self._with_expectation(
            "exposure_expected_fear",
            "expected_fear",
            check_rating("exposure_expected_fear", value, 100, dispatcher),
            tracker,
        )

    def validate_exposure_expected_pain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return self._with_expectation(
            "exposure_expected_pain",
            "expected_pain",
            check_rating("exposure_expected_pain", value, 10, dispatcher),
            tracker,
        )

    @staticmethod
    def _with_expectation(
        slot: Text, field_name: str, checked: SlotChanges, tracker: Tracker
    ) -> SlotChanges:
        """Keep the expectation on the ladder's current step too, for the later comparison."""
        if checked[slot] is None:
            return checked
        ladder = Ladder.from_slot(tracker.get_slot("exposure_ladder"))
        index = ladder.current_index()
        if index is not None:
            setattr(ladder.steps[index], field_name, checked[slot])
            checked["exposure_ladder"] = ladder.to_slot()
        return checked


def choose_step(ladder: Ladder, value: Any, tracker: Tracker) -> Optional[int]:
    """Which step the person chose: yes = the proposal; "2" = the second step; or a name."""
    if not ladder.steps:
        return None
    text = clean_text(value).lower()
    exact = ladder.index_of(text)
    if exact is not None:
        return exact
    number = re.fullmatch(r"(?:step |number |no\.? ?|#)?(\d{1,2})", text)
    if number and 1 <= int(number.group(1)) <= len(ladder.steps):
        return int(number.group(1)) - 1
    named = [
        i
        for i, step in enumerate(ladder.steps)
        if step.activity.lower() in text or (len(text) >= 4 and text in step.activity.lower())
    ]
    if len(named) == 1:
        return named[0]
    if read_yes_no(value, tracker) is True:
        proposal = propose_first_step(ladder)
        return proposal.index if proposal else None
    return None


# --- graded exposure: recording a practice -------------------------------------------------
class ValidateExposurePracticeForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_exposure_practice_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Nothing to ask when there is no ladder step to practise (the record action says so)."""
        if Ladder.from_slot(tracker.get_slot("exposure_ladder")).current_index() is None:
            return []
        return domain_slots

    def validate_exposure_actual_fear(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("exposure_actual_fear", value, 100, dispatcher)

    def validate_exposure_actual_pain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("exposure_actual_pain", value, 10, dispatcher)

    def validate_exposure_outcome_happened(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_yes_no("exposure_outcome_happened", value, tracker, dispatcher)
