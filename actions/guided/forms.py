"""Validators of the breathing, thought record, pacing and flare-up plan forms.

Pacing's rules (small, gradual increases) are in backpain/pacing_rules.py, with their sources.
"""

from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guided.checks import (
    SlotChanges,
    amount_to_slot,
    check_free_text,
    check_list,
    check_rating,
    clean_text,
    question_instead_of_answer,
)
from actions.guided.validation import ScriptFormValidation
from backpain.amount_parsing import (
    Amount,
    IncreasePlan,
    IncreaseProblem,
    parse_amount,
    parse_increase_plan,
)
from backpain.pacing_rules import check_increase, largest_step


# --- paced breathing -----------------------------------------------------------------------
class ValidateBreathingForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_breathing_form"

    def validate_breathing_tension_before(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("breathing_tension_before", value, 10, dispatcher)

    def validate_breathing_tension_after(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("breathing_tension_after", value, 10, dispatcher)

    def validate_breathing_reflection(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("breathing_reflection", value, dispatcher)


# --- thought record ------------------------------------------------------------------------
class ValidateThoughtRecordForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_thought_record_form"

    def validate_thought_situation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_situation", value, dispatcher)

    def validate_thought_automatic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_automatic", value, dispatcher)

    def validate_thought_feeling_before(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("thought_feeling_before", value, 100, dispatcher)

    def validate_thought_feeling(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_feeling", value, dispatcher)

    def validate_thought_evidence_for(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_evidence_for", value, dispatcher)

    def validate_thought_evidence_against(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_evidence_against", value, dispatcher)

    def validate_thought_balanced(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("thought_balanced", value, dispatcher)

    def validate_thought_feeling_after(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_rating("thought_feeling_after", value, 100, dispatcher)


# --- activity pacing -----------------------------------------------------------------------
class ValidatePacingForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_pacing_form"

    def validate_pacing_activity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("pacing_activity", value, dispatcher)

    def validate_pacing_baseline(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        if question_instead_of_answer(value, dispatcher):
            return {"pacing_baseline": None}
        amount = parse_amount(value)
        if amount is None:
            dispatcher.utter_message(response="utter_scripts_amount_unclear")
            return {"pacing_baseline": None}
        if amount.value <= 0:
            dispatcher.utter_message(response="utter_scripts_amount_not_positive")
            return {"pacing_baseline": None}
        return {"pacing_baseline": amount_to_slot(amount)}

    def validate_pacing_start(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        """The starting amount must be below the comfortable amount (baseline), in the same unit."""
        if question_instead_of_answer(value, dispatcher):
            return {"pacing_start": None}
        baseline = parse_amount(tracker.get_slot("pacing_baseline"))
        amount = parse_amount(value)
        if amount is None:
            dispatcher.utter_message(response="utter_scripts_amount_unclear")
            return {"pacing_start": None}
        if amount.value <= 0:
            dispatcher.utter_message(response="utter_scripts_amount_not_positive")
            return {"pacing_start": None}
        if baseline is None:  # cannot compare; the baseline will be asked first anyway
            return {"pacing_start": amount_to_slot(amount)}
        if not amount.comparable_with(baseline):
            dispatcher.utter_message(
                response="utter_scripts_pacing_same_unit", baseline=baseline.describe()
            )
            return {"pacing_start": None}
        if amount.value >= baseline.value:
            dispatcher.utter_message(
                response="utter_scripts_pacing_start_not_below", baseline=baseline.describe()
            )
            return {"pacing_start": None}
        return {"pacing_start": amount_to_slot(Amount(amount.value, amount.unit or baseline.unit))}

    def validate_pacing_increase(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        """How much to add and how often; a step bigger than the starting amount is not gradual."""
        if isinstance(value, dict) and "every_days" in value:  # already validated (resuming)
            return {"pacing_increase": value}
        if question_instead_of_answer(value, dispatcher):
            return {"pacing_increase": None}
        plan, problem = parse_increase_plan(clean_text(value))
        if plan is None:
            response = (
                "utter_scripts_pacing_increase_no_interval"
                if problem == IncreaseProblem.NO_INTERVAL
                else "utter_scripts_pacing_increase_unclear"
            )
            dispatcher.utter_message(response=response)
            return {"pacing_increase": None}
        start = parse_amount(tracker.get_slot("pacing_start"))
        if plan.step is not None and start is not None:
            if not plan.step.comparable_with(start):
                dispatcher.utter_message(
                    response="utter_scripts_pacing_same_unit", baseline=start.describe()
                )
                return {"pacing_increase": None}
            if plan.step.value > start.value:
                dispatcher.utter_message(
                    response="utter_scripts_pacing_increase_too_big", start=start.describe()
                )
                return {"pacing_increase": None}
        baseline = parse_amount(tracker.get_slot("pacing_baseline"))
        pace = check_increase(plan, baseline)
        if pace is not None:
            biggest = largest_step(baseline).describe() if baseline else ""
            dispatcher.utter_message(
                response=f"utter_scripts_pacing_{pace.value}",
                baseline=baseline.describe() if baseline else "",
                largest=biggest,
            )
            return {"pacing_increase": None}
        step = plan.step
        if step is not None and step.unit is None and start is not None:
            step = Amount(step.value, start.unit)
        return {
            "pacing_increase": {
                "every_days": plan.every_days,
                "step": amount_to_slot(step) if step else None,
                "percent": plan.percent,
                "text": IncreasePlan(plan.every_days, step, plan.percent).describe(),
            }
        }


# --- flare-up plan -------------------------------------------------------------------------
class ValidateFlarePlanForm(ScriptFormValidation):
    def name(self) -> Text:
        return "validate_flare_plan_form"

    def validate_flare_helps(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_list("flare_helps", value, dispatcher)

    def validate_flare_reduce(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_list("flare_reduce", value, dispatcher)

    def validate_flare_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        return check_free_text("flare_contact", value, dispatcher)

    def validate_flare_warning_signs(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotChanges:
        # The usual warning signs are always part of the plan; these are the person's own extras.
        return check_list("flare_warning_signs", value, dispatcher, allow_none=True)
