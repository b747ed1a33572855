"""Validators for the guided scripts' forms (`validate_<form>` actions run by Rasa's forms).

Every answer is checked; a value that does not fit is never replaced by a default: the slot is
left empty (so the form asks again) and the person is told what was wrong, in one sentence,
with a response from domain.yml (`utter_scripts_*`). Validators accept their own output too:
when a paused script resumes, Rasa validates the answers already given once more.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.clarify_actions import clarify_buttons
from backpain.answer_parsing import (
    Amount,
    IncreasePlan,
    IncreaseProblem,
    looks_like_question,
    parse_amount,
    parse_increase_plan,
    parse_list,
    parse_rating,
    parse_yes_no,
)
from backpain.fear_ladder import MAX_STEPS, Ladder, propose_first_step, start_at
from backpain.pacing_rules import check_increase, largest_step

FREE_TEXT_MAX_CHARACTERS = 300
MIN_LADDER_STEPS = 2
MAX_PLAN_ITEMS = 10  # per list in the flare-up plan: enough to be useful, short enough to read
SlotChanges = Dict[Text, Any]
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# --- shared checks -------------------------------------------------------------------------
def check_rating(
    slot: Text, value: Any, scale_max: int, dispatcher: CollectingDispatcher
) -> SlotChanges:
    """A 0..scale_max rating, or an empty slot and a message saying what was wrong."""
    result = parse_rating(value, scale_max)
    if result.ok:
        return {slot: result.value}
    dispatcher.utter_message(
        response=f"utter_scripts_rating_{result.problem.value}", scale_max=scale_max
    )
    return {slot: None}


def clean_text(value: Any) -> str:
    """The answer as one tidy string (list slots hand over lists; control characters dropped)."""
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", " ", _CONTROL_CHARACTERS.sub(" ", value)).strip()


def question_instead_of_answer(value: Any, dispatcher: CollectingDispatcher) -> bool:
    """A question where a number, a yes/no or an amount was asked for: not an answer.

    Questions the assistant understood never get here (the forms' mappings leave them to the
    rules that answer them, see data/rules/script_questions.yml); this is one it did not.
    """
    if not looks_like_question(value):
        return False
    dispatcher.utter_message(response="utter_scripts_answer_was_question")
    return True


# Steps whose answer may itself be a question: the worrying thought or the feared outcome
# ("what if it never gets better?").
QUESTIONS_ARE_ANSWERS = frozenset({"thought_automatic", "exposure_feared_outcome"})


def check_free_text(slot: Text, value: Any, dispatcher: CollectingDispatcher) -> SlotChanges:
    """A short answer in the person's own words: not empty, not only symbols, not an essay,
    and not a question (unless the step asks for a thought that may be one)."""
    text = clean_text(value)
    if slot not in QUESTIONS_ARE_ANSWERS and question_instead_of_answer(text, dispatcher):
        return {slot: None}
    if not re.search(r"\w", text):
        dispatcher.utter_message(response="utter_scripts_text_empty")
        return {slot: None}
    if len(text) > FREE_TEXT_MAX_CHARACTERS:
        dispatcher.utter_message(
            response="utter_scripts_text_too_long", max_characters=FREE_TEXT_MAX_CHARACTERS
        )
        return {slot: None}
    return {slot: text}


def read_yes_no(value: Any, tracker: Tracker) -> Optional[bool]:
    """Yes/no from the words, or from the intent when the words alone do not say ("let's go")."""
    answer = parse_yes_no(value)
    if answer is None and not isinstance(value, bool):
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        answer = {"affirm": True, "deny": False}.get(intent)
    return answer


def check_yes_no(
    slot: Text, value: Any, tracker: Tracker, dispatcher: CollectingDispatcher
) -> SlotChanges:
    answer = read_yes_no(value, tracker)
    if (answer is None or "?" in str(value)) and question_instead_of_answer(value, dispatcher):
        return {slot: None}
    if answer is None:
        dispatcher.utter_message(response="utter_scripts_yes_no_unclear")
    return {slot: answer}


def check_list(
    slot: Text, value: Any, dispatcher: CollectingDispatcher, allow_none: bool = False
) -> SlotChanges:
    """A list of short items; with `allow_none`, a plain "no"/"nothing else" is an empty list."""
    if isinstance(value, list) and not value and allow_none:
        return {slot: []}
    if allow_none and parse_yes_no(value) is False:
        return {slot: []}
    text = clean_text(value)
    if question_instead_of_answer(text, dispatcher):
        return {slot: None}
    if len(text) > FREE_TEXT_MAX_CHARACTERS * 2:
        dispatcher.utter_message(
            response="utter_scripts_text_too_long", max_characters=FREE_TEXT_MAX_CHARACTERS * 2
        )
        return {slot: None}
    items = parse_list(value, max_items=MAX_PLAN_ITEMS)
    if not items:
        dispatcher.utter_message(response="utter_scripts_list_empty")
        return {slot: None}
    if len(items) > MAX_PLAN_ITEMS:
        items = items[:MAX_PLAN_ITEMS]
        dispatcher.utter_message(
            response="utter_scripts_list_kept_first", count=MAX_PLAN_ITEMS, items=", ".join(items)
        )
    return {slot: items}


def amount_to_slot(amount: Amount) -> Dict[str, Any]:
    return {"value": amount.value, "unit": amount.unit}


# --- answers mistaken for script commands ------------------------------------------------------
# The forms' free-text mappings ignore messages classified as these intents (see domain.yml).
# A short answer is sometimes misread as one of them ("tomorrow after breakfast" as stop_script):
# when the intent is not certain and the words carry none of its cues, the text is the answer.
# The safety intents are never second-guessed here.
COMMAND_CUES = {
    "stop_script": re.compile(
        r"\b(stop|pause|quit|cancel|later|not now|not right now|another time|enough|break|"
        r"finish|done|leave|end|exit|got to go|gotta go|have to go|hold on|don'?t want)\b"
    ),
    # Not a bare "pick up": graded-exposure answers are full of it ("pick up a sock from the floor").
    "continue_script": re.compile(
        r"\b(continue|carry on|resume|go on|keep going|back to|left off|where we|"
        r"pick (?:\S+ ){0,2}?back up|pick up where|pick (?:it|this|that) up again|"
        r"ready)\b"
    ),
    "ask_why_this_helps": re.compile(
        r"\b(why|point|how (is|does|will|would|can)|what'?s (this|it) for|useful|"
        r"good will|purpose|reason)\b"
    ),
    "show_flare_plan": re.compile(r"\b(show|see|remind|open|what was|what'?s in|display)\b"),
    "show_fear_ladder": re.compile(r"\b(show|see|where am i|progress|display|how far)\b"),
}
CERTAIN_CONFIDENCE = 0.9
FALLBACK_INTENT = (
    "nlu_fallback"  # set by Rasa's FallbackClassifier below its threshold (config.yml)
)
# Questions the assistant answers inside a script (then asks the step again: the rules in
# data/rules/script_questions.yml). An answer misread as one of them ("I bent down to pick up my
# bag" as a question about bending) is taken as the answer when it is not shaped like a question,
# however sure the intent classifier is: in a script, a statement is an answer.
QUESTION_INTENTS = frozenset(
    {
        "explain",
        "what_can_you_do",
        "bot_challenge",
        "choose_script",
        "ask_warning_signs",
        "ask_diagnosis",
        "ask_medication",
        "ask_stop_treatment",
        "ask_pain_chart",
        "ask_trial_figure",
        "ask_trial_followup",
        "ask_trial_comparison",
        "ask_trial_change",
        "ask_trial_effect_size",
        "trial_participants",
        "trial_age",
        "trial_sex",
        "trial_inclusion",
        "trial_exclusion",
        "trial_sessions",
        "trial_treatments",
        "trial_setting",
        "trial_registration",
        "trial_analysis",
        "trial_design",
        "trial_outcomes",
        "trial_timepoints",
        "trial_citation",
        "trial_limitations",
        "trial_generalisability",
        "trial_secondary_outcomes",
        "trial_not_reported",
        "trial_results",
    }
)


def answer_mistaken_for_command(latest_message: Dict[str, Any]) -> Optional[str]:
    """The message text, when its intent is a script command or a question it shows no sign of being."""
    intent = latest_message.get("intent") or {}
    text = latest_message.get("text") or ""
    if not text.strip() or text.startswith("/"):
        return None
    if intent.get("name") in QUESTION_INTENTS:
        return None if looks_like_question(text) else text
    if intent.get("name") == "out_of_scope":  # "omg it's snowing!!" is not an answer either
        certain = float(intent.get("confidence") or 0) >= CERTAIN_CONFIDENCE
        return None if certain or looks_like_question(text) else text
    cues = COMMAND_CUES.get(intent.get("name"))
    if cues is None:
        return None
    if float(intent.get("confidence") or 0) >= CERTAIN_CONFIDENCE or cues.search(
        text.lower().replace("’", "'")
    ):
        return None
    return text


class _AnswerCandidates:
    """The tracker as the validators see it, minus slots cleared among the candidates.

    `action_start_script` empties a script's slots just before its form opens, and rasa_sdk
    validates every slot event since the last other event: without this, each emptied slot was
    "validated" as a blank answer and every script started with its re-ask messages (issue 14).
    An emptied slot is never an answer.
    """

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def slots_to_validate(self) -> Dict[Text, Any]:
        return {
            slot: value
            for slot, value in self._tracker.slots_to_validate().items()
            if value is not None
        }


# "What's this for?" that the intent classifier did not recognise as ask_why_this_helps: the
# script's own "why" answer, then the step again (rather than "I didn't follow that"). Only
# wording about the exercise itself: "what's the point of it all" is never read as this, since a
# hopeless message must meet the safety screen, not an explanation (fail safe).
WHY_THIS_HELPS = re.compile(
    r"\b(?:what'?s (?:this|that) for|what is (?:this|that) for|why (?:does|would|will) (?:this|that) (?:help|work)"
    r"|why (?:do|should) i (?:do|rate|write|list|answer) (?:this|these|that)"
    r"|how (?:does|will|would|is|can) (?:this|that|breathing|writing (?:it|this|thoughts) down|pacing|a ladder|the ladder|a plan) (?:meant to )?help"
    r"|(?:purpose|point) of (?:this|these|doing this|writing (?:this|them|thoughts) down|rating))"
)
WHY_RESPONSES = {
    "breathing_form": "utter_why_breathing",
    "thought_record_form": "utter_why_thought_record",
    "pacing_form": "utter_why_pacing",
    "flare_plan_form": "utter_why_flare_plan",
    "exposure_form": "utter_why_exposure",
    "exposure_practice_form": "utter_why_exposure_practice",
}


def asks_why_this_helps(text: str) -> bool:
    return looks_like_question(text) and bool(WHY_THIS_HELPS.search(text.lower().replace("’", "'")))


class ScriptFormValidation(FormValidationAction):
    """A form validator that also takes answers mistaken for script commands (see above), and
    validates only what the person said (see _AnswerCandidates)."""

    @abstractmethod
    def name(self) -> Text:
        """Abstract, so that rasa_sdk registers only the concrete validators, not this base."""

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        if tracker.active_loop_name == self.form_name() and requested in self.domain_slots(domain):
            answer = answer_mistaken_for_command(tracker.latest_message or {})
            if answer is not None:
                events.append(SlotSet(requested, answer))
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        text = (tracker.latest_message or {}).get("text") or ""
        if (
            requested in tracker.slots_to_validate()
            and requested not in QUESTIONS_ARE_ANSWERS
            and self.form_name() in WHY_RESPONSES
            and asks_why_this_helps(text)
        ):
            dispatcher.utter_message(response=WHY_RESPONSES[self.form_name()])
            return [SlotSet(requested, None)]  # not an answer: the same step is asked again
        buttons = self._unclear_question_buttons(tracker, requested)
        if buttons:
            # A question the classifier was unsure of: "did you mean ...?" as outside a script,
            # rather than "I didn't follow"; a click is answered by the question rules, and then
            # the same step is asked again (issue 14).
            dispatcher.utter_message(response="utter_scripts_clarify_question", buttons=buttons)
            return [SlotSet(requested, None)]
        return await super().get_validation_events(dispatcher, _AnswerCandidates(tracker), domain)  # type: ignore[arg-type]

    @staticmethod
    def _unclear_question_buttons(
        tracker: Tracker, requested: Optional[Text]
    ) -> List[Dict[str, str]]:
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        if (
            requested not in tracker.slots_to_validate()
            or requested in QUESTIONS_ARE_ANSWERS
            or (latest.get("intent") or {}).get("name") != FALLBACK_INTENT
            or not looks_like_question(text)
        ):
            return []
        return clarify_buttons(latest)


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
