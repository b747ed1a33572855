"""The base validator of the scripts' forms: what counts as an answer to the step asked.

A script step is a question; the person may answer it, ask something, give a command or say
something else. Questions the assistant understood are answered by rules and the step asked
again (data/rules/script_questions.yml); this module handles what reaches the validators.
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

from actions.conversation.clarify import clarify_buttons
from actions.guided.checks import QUESTIONS_ARE_ANSWERS
from backpain.answer_parsing import looks_like_question, parse_yes_no
from backpain.step_fit import STEP_FIT_KEY, STEP_FIT_THRESHOLD, fits_poorly

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
# A fit to the step this high (backpain/step_fit.py) reads as an answer whatever the intent
# classifier thought of the words out of context; on the dev set no remark reached it.
STEP_FIT_CLEAR = 0.1
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


def answer_mistaken_for_command(
    latest_message: Dict[str, Any], requested: Optional[Text] = None
) -> Optional[str]:
    """The message text, when its intent is a script command or a question it shows no sign of being."""
    intent = latest_message.get("intent") or {}
    text = latest_message.get("text") or ""
    if not text.strip() or text.startswith("/"):
        return None
    if intent.get("name") in QUESTION_INTENTS:
        return None if looks_like_question(text) else text
    if intent.get("name") == "out_of_scope":  # "omg it's snowing!!" is not an answer either
        certain = float(intent.get("confidence") or 0) >= CERTAIN_CONFIDENCE
        # ... but "lifting my 2 year old into her car seat" is the situation asked for.
        fits = (latest_message.get(STEP_FIT_KEY) or {}).get(requested or "")
        clearly_an_answer = isinstance(fits, (int, float)) and fits >= STEP_FIT_CLEAR
        return None if (certain and not clearly_an_answer) or looks_like_question(text) else text
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
    An emptied slot is never an answer. `replaced` puts a confirmed answer in place of the "yes".
    """

    def __init__(self, tracker: Tracker, replaced: Optional[Dict[Text, Any]] = None) -> None:
        self._tracker = tracker
        self._replaced = replaced or {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def slots_to_validate(self) -> Dict[Text, Any]:
        candidates = {**self._tracker.slots_to_validate(), **self._replaced}
        return {slot: value for slot, value in candidates.items() if value is not None}


# --- remarks typed at a step -------------------------------------------------------------------
# A message that reads less like an answer to the step than STEP_FIT_THRESHOLD
# (backpain/step_fit.py) is held back, not refused: a "yes", or the same words again, take it.
UNNOTED_SLOT = "unnoted_answer"


def _pending_unnoted(tracker: Tracker, requested: Optional[Text]) -> Optional[Text]:
    pending = tracker.get_slot(UNNOTED_SLOT)
    if isinstance(pending, dict) and pending.get("step") == requested:
        text = pending.get("text")
        return text if isinstance(text, str) else None
    return None


def remark_not_answer(tracker: Tracker, requested: Optional[Text]) -> Optional[Text]:
    """The message's text, when it was typed as the step's answer but does not read as one."""
    latest = tracker.latest_message or {}
    text = latest.get("text") or ""
    value = tracker.slots_to_validate().get(requested) if requested else None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # a list slot hands the message over as a list of one
    # Only the words of this very message: a message handed back to its step after a safety
    # question, or a button, is not this message's to judge.
    if not isinstance(value, str) or value != text or text.startswith("/"):
        return None
    if _pending_unnoted(tracker, requested) == text:
        return None  # sent again after being held back: it is the answer
    return (
        text if fits_poorly(latest.get(STEP_FIT_KEY) or {}, requested, STEP_FIT_THRESHOLD) else None
    )


def _stores(events: List[EventType], slot: Optional[Text]) -> bool:
    """True when the validation events give `slot` a value."""
    return any(
        event.get("event") == "slot"
        and event.get("name") == slot
        and event.get("value") is not None
        for event in events
    )


def confirmed_unnoted(tracker: Tracker, requested: Optional[Text]) -> Optional[Text]:
    """The held-back message, when the person now says "yes" to noting it."""
    held = _pending_unnoted(tracker, requested)
    if held is None or requested not in tracker.slots_to_validate():
        return None
    latest = tracker.latest_message or {}
    said_yes = parse_yes_no(latest.get("text")) is True
    return held if said_yes or (latest.get("intent") or {}).get("name") == "affirm" else None


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
            answer = answer_mistaken_for_command(tracker.latest_message or {}, requested)
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
        confirmed = confirmed_unnoted(tracker, requested)
        replaced = {requested: confirmed} if confirmed is not None else None
        # The step's own checks first, on a scratch dispatcher: a message they reject keeps their
        # message ("I couldn't read one amount there"); one they would store, but that reads as
        # a remark, is held back instead.
        scratch = CollectingDispatcher()
        events = await super().get_validation_events(
            scratch,
            _AnswerCandidates(tracker, replaced),  # type: ignore[arg-type]
            domain,
        )
        remark = None if confirmed is not None else remark_not_answer(tracker, requested)
        if remark is not None and _stores(events, requested):
            dispatcher.utter_message(response="utter_scripts_not_noted")
            return [
                SlotSet(requested, None),
                SlotSet(UNNOTED_SLOT, {"step": requested, "text": remark}),
            ]
        dispatcher.messages.extend(scratch.messages)
        if tracker.get_slot(UNNOTED_SLOT) is not None:
            events.append(SlotSet(UNNOTED_SLOT, None))
        return events

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
