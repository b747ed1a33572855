"""Actions around the scripts' forms: start, pause, resume, and questions built from answers.

The forms themselves (which questions, in which order) are declared in domain.yml and their
answers checked in actions/guided/. Every sentence comes from a domain.yml response
(`utter_scripts_*`); Python only fills in the person's own answers.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guided.exposure_forms import next_activity_to_rate
from actions.guided.titles import SCRIPT_TITLES
from backpain.fear_ladder import (
    Ladder,
    propose_first_step,
)

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
