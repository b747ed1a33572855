"""Actions around the guided scripts' forms: start, pause, resume, ask, summarise and show.

The forms themselves (which questions, in which order) are declared in domain.yml and their
answers checked in actions/script_forms.py. Every sentence comes from a domain.yml response
(`utter_scripts_*`); Python only fills in the person's own answers and computed changes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety_actions import (
    EMERGENCY,
    LAST_ESCALATION_SLOT,
    clinic_contacts,
    escalation_record,
)
from actions.script_forms import next_activity_to_rate
from backpain.answer_parsing import Amount, parse_amount
from backpain.fear_ladder import (
    FirstStepReason,
    Ladder,
    Suggestion,
    progress_lines,
    propose_first_step,
    record_practice,
)

# The scripts' forms and how they are called when talking to the person.
SCRIPT_TITLES: Dict[str, str] = {
    "breathing_form": "breathing exercise",
    "thought_record_form": "thought record",
    "pacing_form": "pacing plan",
    "flare_plan_form": "flare-up plan",
    "exposure_form": "fear ladder",
    "exposure_practice_form": "practice record",
}
# Which form each starting intent opens.
START_INTENTS: Dict[str, str] = {
    "start_breathing": "breathing_form",
    "start_thought_record": "thought_record_form",
    "start_activity_pacing": "pacing_form",
    "start_flare_plan": "flare_plan_form",
    "start_graded_exposure": "exposure_form",
    "report_exposure_practice": "exposure_practice_form",
}
# Slots a form fills besides its required slots, cleared with them on a fresh start.
EXTRA_SLOTS: Dict[str, List[str]] = {"exposure_form": ["exposure_pending_ratings"]}
# Where a small change in fear (0-100) counts as "about what you expected".
FEAR_ABOUT_THE_SAME = 10
PACING_PREVIEW_STEPS = 4


def form_slots(form: str, domain: DomainDict) -> List[str]:
    required = domain.get("forms", {}).get(form, {}).get("required_slots", []) or []
    return list(required) + EXTRA_SLOTS.get(form, [])


def number(value: Any) -> str:
    """7.0 -> "7", 6.5 -> "6.5" (slots store floats; people read whole numbers)."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "?"


def listed(items: Any) -> str:
    if isinstance(items, list):
        return ", ".join(str(item) for item in items) if items else "nothing listed"
    return str(items) if items else "nothing listed"


class ActionStartScript(Action):
    """Opens the script asked for: fresh, or where it was left if it was the paused one."""

    def name(self) -> Text:
        return "action_start_script"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        form = START_INTENTS.get(intent)
        if form is None:
            return []
        events: List[EventType] = []
        paused = tracker.get_slot("paused_form")
        active = tracker.active_loop.get("name") if tracker.active_loop else None
        if active in SCRIPT_TITLES and active != form:
            # Switching scripts mid-way: the one left behind is paused, its answers kept.
            events += [
                ActiveLoop(None),
                SlotSet("requested_slot", None),
                SlotSet("paused_form", active),
            ]
            dispatcher.utter_message(
                response="utter_scripts_switching", script_title=SCRIPT_TITLES[active]
            )
        if paused == form:
            events.append(SlotSet("paused_form", None))
            dispatcher.utter_message(
                response="utter_scripts_resuming", script_title=SCRIPT_TITLES[form]
            )
            return events
        events += [SlotSet(slot, None) for slot in form_slots(form, domain)]
        dispatcher.utter_message(response=f"utter_scripts_intro_{form}")
        if form == "exposure_form" and Ladder.from_slot(tracker.get_slot("exposure_ladder")).steps:
            dispatcher.utter_message(response="utter_scripts_exposure_replaces_ladder")
        return events


class ActionPauseScript(Action):
    """ "stop", "pause", "not now": leave the script politely, keep its answers, remember it."""

    def name(self) -> Text:
        return "action_pause_script"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        active = tracker.active_loop.get("name") if tracker.active_loop else None
        if active in SCRIPT_TITLES:
            dispatcher.utter_message(
                response="utter_scripts_paused", script_title=SCRIPT_TITLES[active]
            )
            return [
                ActiveLoop(None),
                SlotSet("requested_slot", None),
                SlotSet("paused_form", active),
            ]
        paused = tracker.get_slot("paused_form")
        if paused in SCRIPT_TITLES:
            dispatcher.utter_message(
                response="utter_scripts_still_paused", script_title=SCRIPT_TITLES[paused]
            )
        else:
            dispatcher.utter_message(response="utter_scripts_nothing_to_stop")
        return []


class ActionResumeScript(Action):
    """ "continue": reopen the paused script (whatever paused it: the person or the safety layer).

    Sets `script_to_resume` (categorical, so that rules can pick the form to run next) and
    clears `paused_form`. The form then asks the first question not yet answered.
    """

    def name(self) -> Text:
        return "action_resume_script"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        paused = tracker.get_slot("paused_form")
        if paused not in SCRIPT_TITLES:
            dispatcher.utter_message(response="utter_scripts_nothing_to_resume")
            return [SlotSet("script_to_resume", None), SlotSet("paused_form", None)]
        dispatcher.utter_message(
            response="utter_scripts_resuming", script_title=SCRIPT_TITLES[paused]
        )
        return [SlotSet("script_to_resume", paused), SlotSet("paused_form", None)]


# --- asking: questions that depend on earlier answers --------------------------------------
class ActionAskExposureFearRating(Action):
    """Asks the fear rating of the next activity on the list (one activity per question)."""

    def name(self) -> Text:
        return "action_ask_exposure_fear_rating"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        activities = tracker.get_slot("exposure_activities") or []
        activity = next_activity_to_rate(tracker) or (
            activities[-1] if activities else "this activity"
        )
        position = activities.index(activity) + 1 if activity in activities else 1
        dispatcher.utter_message(
            response="utter_scripts_ask_fear_rating",
            activity=activity,
            position=position,
            count=max(len(activities), 1),
        )
        return []


class ActionAskExposureFirstStep(Action):
    """Shows the ordered ladder and proposes a low-to-moderate first step, with a button per step."""

    def name(self) -> Text:
        return "action_ask_exposure_first_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        ladder = Ladder.from_slot(tracker.get_slot("exposure_ladder"))
        proposal = propose_first_step(ladder)
        if proposal is None:
            dispatcher.utter_message(response="utter_scripts_no_ladder")
            return []
        lines = "\n".join(
            f"{i + 1}. {step.activity} ({number(step.fear)}/100)"
            for i, step in enumerate(ladder.steps)
        )
        dispatcher.utter_message(response="utter_scripts_ladder_ordered", ladder=lines)
        if ladder.starts_too_high():
            first = ladder.steps[0]
            dispatcher.utter_message(
                response="utter_scripts_ladder_starts_high",
                activity=first.activity,
                fear=number(first.fear),
            )
        for low, high in ladder.big_gaps():
            dispatcher.utter_message(
                response="utter_scripts_ladder_gap",
                lower=low.activity,
                lower_fear=number(low.fear),
                higher=high.activity,
                higher_fear=number(high.fear),
            )
        buttons = [{"title": "Yes, start there", "payload": "yes"}] + [
            {"title": f"{i + 1}. {step.activity}", "payload": str(i + 1)}
            for i, step in enumerate(ladder.steps)
        ]
        dispatcher.utter_message(
            response=f"utter_scripts_propose_first_step_{proposal.reason.value}",
            activity=ladder.steps[proposal.index].activity,
            buttons=buttons,
        )
        return []


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
