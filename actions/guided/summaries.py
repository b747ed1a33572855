"""What each guided script gives back at the end, and the saved flare-up plan and fear ladder.

Every sentence comes from a domain.yml response (`utter_scripts_*`); Python only fills in the
person's own answers and computed changes (backpain/fear_ladder.py for the practice records).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guided.flow import FEAR_ABOUT_THE_SAME, PACING_PREVIEW_STEPS, listed, number
from actions.safety.escalation import (
    EMERGENCY,
    LAST_ESCALATION_SLOT,
    clinic_contacts,
    escalation_record,
)
from backpain.amount_parsing import Amount, parse_amount
from backpain.fear_ladder import (
    FirstStepReason,
    Ladder,
    Suggestion,
    progress_lines,
    record_practice,
)


# --- summaries at the end of each script ---------------------------------------------------
class ActionSummariseBreathing(Action):
    def name(self) -> Text:
        return "action_summarise_breathing"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        before, after = (
            tracker.get_slot("breathing_tension_before"),
            tracker.get_slot("breathing_tension_after"),
        )
        if not isinstance(before, (int, float)) or not isinstance(after, (int, float)):
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
            return []
        change = after - before
        direction = "down" if change < 0 else "up" if change > 0 else "same"
        dispatcher.utter_message(
            response=f"utter_scripts_breathing_{direction}",
            before=number(before),
            after=number(after),
            change=number(abs(change)),
            reflection=tracker.get_slot("breathing_reflection") or "",
        )
        return []


class ActionSummariseThoughtRecord(Action):
    def name(self) -> Text:
        return "action_summarise_thought_record"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        slot = tracker.get_slot
        before, after = slot("thought_feeling_before"), slot("thought_feeling_after")
        if not isinstance(before, (int, float)) or not isinstance(after, (int, float)):
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
            return []
        dispatcher.utter_message(
            response="utter_scripts_thought_record_summary",
            situation=slot("thought_situation"),
            thought=slot("thought_automatic"),
            before=number(before),
            feeling=slot("thought_feeling"),
            evidence_for=slot("thought_evidence_for"),
            evidence_against=slot("thought_evidence_against"),
            balanced=slot("thought_balanced"),
            after=number(after),
        )
        change = after - before
        direction = "down" if change < 0 else "up" if change > 0 else "same"
        dispatcher.utter_message(
            response=f"utter_scripts_thought_feeling_{direction}", change=number(abs(change))
        )
        return []


def pacing_preview(
    start: Amount, increase: Dict[str, Any], steps: int = PACING_PREVIEW_STEPS
) -> str:
    """The first few amounts of the person's own plan: "15, 17, 19, 21 minutes"."""
    amounts = [start.value]
    step = parse_amount(increase.get("step")) if increase.get("step") else None
    percent = increase.get("percent")
    for _ in range(steps - 1):
        if step is not None:
            amounts.append(amounts[-1] + step.value)
        elif isinstance(percent, (int, float)):
            amounts.append(round(amounts[-1] * (1 + percent / 100), 1))
    unit = f" {start.unit}" if start.unit else ""
    return ", ".join(number(amount) for amount in amounts) + unit


class ActionSummarisePacing(Action):
    def name(self) -> Text:
        return "action_summarise_pacing"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        baseline, start = (
            parse_amount(tracker.get_slot("pacing_baseline")),
            parse_amount(tracker.get_slot("pacing_start")),
        )
        increase = tracker.get_slot("pacing_increase")
        if baseline is None or start is None or not isinstance(increase, dict):
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
            return []
        dispatcher.utter_message(
            response="utter_scripts_pacing_summary",
            activity=tracker.get_slot("pacing_activity"),
            baseline=baseline.describe(),
            start=start.describe(),
            increase=increase.get("text", ""),
            preview=pacing_preview(start, increase),
            every_days=number(increase.get("every_days")),
        )
        return []


def utter_flare_plan(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The saved flare-up plan, or False when there is none yet."""
    helps, reduce, contact = (
        tracker.get_slot("flare_helps"),
        tracker.get_slot("flare_reduce"),
        tracker.get_slot("flare_contact"),
    )
    if not (helps or reduce or contact):
        return False
    own_signs = tracker.get_slot("flare_warning_signs")
    dispatcher.utter_message(
        response="utter_scripts_flare_plan",
        helps=listed(helps),
        reduce=listed(reduce),
        contact=contact or "nobody listed yet",
    )
    dispatcher.utter_message(response="utter_scripts_flare_usual_signs")
    if own_signs:
        dispatcher.utter_message(
            response="utter_scripts_flare_own_signs", own_signs=listed(own_signs)
        )
    dispatcher.utter_message(response="utter_scripts_flare_build_back")
    return True


class ActionSummariseFlarePlan(Action):
    def name(self) -> Text:
        return "action_summarise_flare_plan"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if utter_flare_plan(dispatcher, tracker):
            dispatcher.utter_message(response="utter_scripts_flare_plan_saved")
        else:
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
        return []


class ActionShowFlarePlan(Action):
    def name(self) -> Text:
        return "action_show_flare_plan"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if not utter_flare_plan(dispatcher, tracker):
            dispatcher.utter_message(response="utter_scripts_no_flare_plan")
        return []


class ActionSummariseExposurePlan(Action):
    """End of the exposure script: not ready, a warning sign applies, or the plan for step one."""

    def name(self) -> Text:
        return "action_summarise_exposure_plan"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        slot = tracker.get_slot
        if slot("exposure_ready") is False:
            dispatcher.utter_message(response="utter_scripts_exposure_not_ready")
            return []
        if slot("exposure_red_flags") is True:
            # The checklist mixes emergency signs (cauda equina) with same-day ones and a "yes"
            # cannot tell which: the advice names both, with the clinic's contacts, and the
            # escalation is recorded as the safety actions record theirs.
            dispatcher.utter_message(
                response="utter_scripts_exposure_seek_care", **clinic_contacts()
            )
            return [
                SlotSet(
                    LAST_ESCALATION_SLOT,
                    escalation_record(EMERGENCY, "exposure_safety_check", "script"),
                )
            ]
        if slot("exposure_first_step") is None or slot("exposure_expected_pain") is None:
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
            return []
        dispatcher.utter_message(
            response="utter_scripts_exposure_plan",
            step=slot("exposure_first_step"),
            what=slot("exposure_practice_what"),
            when=slot("exposure_practice_when"),
            how_often=slot("exposure_practice_how_often"),
            feared_outcome=slot("exposure_feared_outcome"),
            expected_fear=number(slot("exposure_expected_fear")),
            expected_pain=number(slot("exposure_expected_pain")),
        )
        return []


class ActionRecordExposurePractice(Action):
    """After "I did my exposure step": compare with what was expected; stay or move up."""

    def name(self) -> Text:
        return "action_record_exposure_practice"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        ladder = Ladder.from_slot(tracker.get_slot("exposure_ladder"))
        if not ladder.steps:
            dispatcher.utter_message(response="utter_scripts_no_ladder")
            return []
        fear, pain = (
            tracker.get_slot("exposure_actual_fear"),
            tracker.get_slot("exposure_actual_pain"),
        )
        if ladder.current_index() is None:
            dispatcher.utter_message(response="utter_scripts_ladder_climbed")
            return []
        if not isinstance(fear, (int, float)) or not isinstance(pain, (int, float)):
            dispatcher.utter_message(response="utter_scripts_nothing_saved")
            return []
        happened = tracker.get_slot("exposure_outcome_happened")
        outcome = record_practice(
            ladder, float(fear), float(pain), happened if isinstance(happened, bool) else None
        )
        difference = outcome.fear_difference or 0.0
        comparison = (
            "lower"
            if difference <= -FEAR_ABOUT_THE_SAME
            else "higher"
            if difference >= FEAR_ABOUT_THE_SAME
            else "same"
        )
        dispatcher.utter_message(
            response=f"utter_scripts_practice_fear_{comparison}",
            activity=outcome.activity,
            expected=number(outcome.expected_fear),
            actual=number(outcome.actual_fear),
        )
        if outcome.expected_pain is not None:
            dispatcher.utter_message(
                response="utter_scripts_practice_pain",
                expected=number(outcome.expected_pain),
                actual=number(outcome.actual_pain),
            )
        if outcome.feared_outcome_happened is not None:
            dispatcher.utter_message(
                response="utter_scripts_practice_prediction_happened"
                if outcome.feared_outcome_happened
                else "utter_scripts_practice_prediction_wrong"
            )
        responses = {
            Suggestion.MOVE_UP: "utter_scripts_practice_move_up",
            Suggestion.STAY: "utter_scripts_practice_stay",
            Suggestion.PAUSE: "utter_scripts_practice_pause",
            Suggestion.TOP_REACHED: "utter_scripts_practice_top",
        }
        dispatcher.utter_message(
            response=responses[outcome.suggestion],
            activity=outcome.activity,
            next_activity=outcome.next_activity or "",
        )
        return [SlotSet("exposure_ladder", ladder.to_slot())]


class ActionShowFearLadder(Action):
    def name(self) -> Text:
        return "action_show_fear_ladder"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        ladder = Ladder.from_slot(tracker.get_slot("exposure_ladder"))
        if not ladder.steps:
            dispatcher.utter_message(response="utter_scripts_no_ladder")
            return []
        dispatcher.utter_message(
            response="utter_scripts_fear_ladder", ladder="\n".join(progress_lines(ladder))
        )
        return []


def first_step_reason_responses() -> List[str]:
    """Every proposal response name (tests check each exists in domain.yml)."""
    return [f"utter_scripts_propose_first_step_{reason.value}" for reason in FirstStepReason]
