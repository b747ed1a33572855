"""Safety actions (issue 6): escalation for red flags and crisis language.

The wording lives in domain.yml (responses utter_red_flag_*, utter_crisis_*, utter_confirm_*);
the emergency number and contact texts come from config/clinic.yml (backpain/clinic_config.py)
and are passed to the responses as template values. Each action:
- pauses an active form (ActiveLoop(None)) and remembers it in `paused_form`, so the scripts
  can offer to continue afterwards;
- records the escalation in the tracker as `last_escalation`
  ({"kind", "category", "source", "at"}), never with the person's words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.guided.checks import QUESTIONS_ARE_ANSWERS
from actions.guided.titles import SCRIPT_TITLES
from backpain.answer_parsing import looks_like_question
from backpain.clarify import RETRIEVAL_INTENT, education_selection
from backpain.clinic_config import ClinicConfigError, clinic_config
from backpain.safety_layers import ANSWER_FEELINGS, FEELINGS_MIN_CONFIDENCE, FEELINGS_TOPICS
from backpain.step_fit import STEP_FIT_KEY, STEP_FIT_THRESHOLD, fits_poorly

logger = logging.getLogger(__name__)

CRISIS = "crisis"
EMERGENCY = "red_flag_emergency"
URGENT = "red_flag_urgent"
UNCLEAR = "red_flag_unclear"
INFLAMMATORY = "inflammatory_signs"
# Intents a form must never take as an answer (see the not_intent lists in domain.yml).
ESCALATION_INTENTS = (CRISIS, EMERGENCY, URGENT, INFLAMMATORY)
SAFETY_INTENTS = ESCALATION_INTENTS + (UNCLEAR,)

PAUSED_FORM_SLOT = "paused_form"
SCRIPT_TO_RESUME_SLOT = "script_to_resume"
# The values of the categorical slot script_to_resume (domain.yml): every script.
RESUMABLE_FORMS = tuple(SCRIPT_TITLES)
LAST_ESCALATION_SLOT = "last_escalation"
SAFETY_PARSE_KEY = "safety"  # set by components/safety_screen.py

_ADVICE_RESPONSES = {
    EMERGENCY: "utter_red_flag_emergency",
    URGENT: "utter_red_flag_urgent",
    INFLAMMATORY: "utter_inflammatory_signs",
}
_CONFIRM_RESPONSES = {
    EMERGENCY: "utter_confirm_red_flag_emergency",
    URGENT: "utter_confirm_red_flag_urgent",
    INFLAMMATORY: "utter_confirm_inflammatory_signs",
    CRISIS: "utter_confirm_crisis",
}
# What a question marked `answer_first` by the screen may get before the confirming question
# (backpain/safety_layers.py): an education answer (the response selector's pick), or one of
# these refusals. All are fixed wording in domain.yml; nothing here is advice for the person.
_ANSWERS_BEFORE_ASKING = {
    "ask_diagnosis": "utter_refuse_diagnosis",
    "ask_medication": "utter_refuse_medication",
    "ask_stop_treatment": "utter_refuse_stop_treatment",
}
# Used only if config/clinic.yml cannot be read at the moment of an escalation: the person
# must still be told to get help. Start-up normally stops on a broken clinic file.
_FALLBACK_CONTACTS = {
    "emergency_number": "your local emergency number",
    "crisis_line_text": "Please contact a crisis line or go to your nearest emergency department now.",
    "urgent_care_text": "your doctor",
}


def clinic_contacts() -> Dict[str, str]:
    """The template values every safety response may use."""
    try:
        config = clinic_config()
    except ClinicConfigError as error:
        logger.error(f"Safety escalation without clinic contacts: {error}")
        return dict(_FALLBACK_CONTACTS)
    return {
        "emergency_number": config.emergency_number,
        "crisis_line_text": config.crisis_line_text,
        "urgent_care_text": config.urgent_care_text,
    }


def pause_active_form(tracker: Tracker) -> List[EventType]:
    """Deactivates a running form and remembers it (answers so far stay in their slots)."""
    active = tracker.active_loop_name
    if not active:
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PAUSED_FORM_SLOT, active)]


def escalation_record(
    kind: Text, category: Text, source: Text, confirm: Optional[Text] = None
) -> Dict[str, Any]:
    """What the clinic may review later: the kind of escalation, not what was said."""
    record: Dict[str, Any] = {
        "kind": kind,
        "category": category,
        "source": source,
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if confirm:
        record["confirm"] = confirm
    return record


def _latest_intent(tracker: Tracker) -> Optional[Text]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _screen_result(tracker: Tracker) -> Dict[str, Any]:
    result = (tracker.latest_message or {}).get(SAFETY_PARSE_KEY)
    return result if isinstance(result, dict) else {}


def answer_before_asking(tracker: Tracker) -> Optional[Text]:
    """The response that answers a message the screen marked `answer_first`, or None.

    What the person asked is the intent DIET gave, kept below the screen's override in the
    ranking. A statement (ANSWER_FEELINGS) may only get an answer from FEELINGS_TOPICS that the
    response selector is fairly sure of (backpain/safety_layers.py says why). Never inside a
    script: there the step is the conversation, and a "no" hands the message back to it.
    """
    latest = tracker.latest_message or {}
    how = _screen_result(tracker).get("answer_first")
    if not how or tracker.active_loop_name:
        return None
    ranking = latest.get("intent_ranking") or []
    asked = ranking[1].get("name") if len(ranking) > 1 else None
    if asked == RETRIEVAL_INTENT:
        selected = education_selection(latest.get("response_selector")).get("response") or {}
        key = selected.get("intent_response_key")
        if not isinstance(key, str) or not key.startswith("explain/"):
            return None
        if how == ANSWER_FEELINGS and (
            key not in FEELINGS_TOPICS
            or float(selected.get("confidence") or 0.0) < FEELINGS_MIN_CONFIDENCE
        ):
            return None
        return f"utter_{key}"
    return _ANSWERS_BEFORE_ASKING.get(asked or "") if how != ANSWER_FEELINGS else None


def resolve_escalation(tracker: Tracker) -> Dict[str, Text]:
    """Which escalation this turn asks for, with its category and where it came from.

    - an escalation intent: that kind; the category from the safety screen when it agrees,
      else "classifier" (DIET recognised it without a pattern);
    - anything else (a "yes" to the confirming question): the kind that question was about;
    - nothing known: the most cautious medical advice (emergency).
    """
    intent = _latest_intent(tracker)
    screen = _screen_result(tracker)
    if intent in ESCALATION_INTENTS:
        screened = screen.get("kind") == intent and screen.get("category")
        source = str(screen.get("layer") or "screen") if screened else "classifier"
        return {"kind": intent, "category": screened or "classifier", "source": source}
    pending = tracker.get_slot(LAST_ESCALATION_SLOT)
    if (
        isinstance(pending, dict)
        and pending.get("kind") == UNCLEAR
        and pending.get("confirm") in ESCALATION_INTENTS
    ):
        return {
            "kind": pending["confirm"],
            "category": str(pending.get("category") or "unclear"),
            "source": "confirmed",
        }
    return {"kind": EMERGENCY, "category": "unknown", "source": "fallback"}


def send_crisis_support(dispatcher: CollectingDispatcher, gentle: bool = False) -> None:
    """The crisis reply; `gentle` opens with the feeling when no act was named (see domain.yml)."""
    contacts = clinic_contacts()
    dispatcher.utter_message(
        response="utter_crisis_support_gentle" if gentle else "utter_crisis_support", **contacts
    )
    dispatcher.utter_message(response="utter_crisis_offer_to_stay")


# Steps whose answer is a list of warning signs to watch for: the red flags named there are what
# the step asks for, not symptoms now. NICE NG59's signs typed at the flare-up plan's warning-signs
# step get the confirming question ("Right now, do you have ...?"), never the advice at once
# (issue 13); a "yes" escalates, a "no" keeps the list as the answer.
STEPS_THAT_LIST_RED_FLAGS = frozenset({("flare_plan_form", "flare_warning_signs")})


def listing_warning_signs(tracker: Tracker) -> bool:
    return (
        tracker.active_loop_name,
        tracker.get_slot("requested_slot"),
    ) in STEPS_THAT_LIST_RED_FLAGS


def reads_as_step_answer(tracker: Tracker) -> bool:
    """Whether the latest message reads as the answer to the script step it was typed at.

    Then a crisis verdict of the safety classifier alone (no pattern named an act) is asked about
    rather than answered with crisis support. The classifier was trained and its bands set on
    messages typed outside the scripts; inside them it was sure of crisis for plain answers ("um
    Sunday when my husband is around" to "when will you practise?", "it didn't happen the last 10
    times I picked up my daughter" as evidence against a thought). On the blind development sets
    (docs/safety.md, fourteenth pass) this turns crisis support for 7 of 228 genuine answers into
    the question, and one self-harm message of 12 typed in scripts, which then gets the crisis
    reply after a "yes". When unsure, ask directly about suicide (NICE NG225; Samaritans).
    """
    step = tracker.get_slot("requested_slot")
    if not (tracker.active_loop_name and step):
        return False
    latest = tracker.latest_message or {}
    fits = latest.get(STEP_FIT_KEY)
    if not isinstance(fits, dict) or step not in fits:  # a number step, or not scored
        return False
    return _may_be_answer(step, _UserMessage(str(latest.get("text") or ""), fits))


class ActionEscalateRedFlag(Action):
    """Red flag: clear advice first (emergency department now, or a doctor today)."""

    def name(self) -> Text:
        return "action_escalate_red_flag"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        escalation = resolve_escalation(tracker)
        kind = escalation["kind"]
        if (
            kind != CRISIS
            and escalation["source"] != "confirmed"
            and listing_warning_signs(tracker)
        ):
            # The confirming action asks, so the rules for its "yes" and "no" apply as usual.
            return [FollowupAction("action_confirm_red_flag")]
        if kind == CRISIS:  # a "yes" to "are you having thoughts of harming yourself?"
            send_crisis_support(dispatcher)
        else:
            dispatcher.utter_message(response=_ADVICE_RESPONSES[kind], **clinic_contacts())
        logger.info(f"Safety escalation: {kind} ({escalation['category']}, {escalation['source']})")
        return pause_active_form(tracker) + [
            SlotSet(
                LAST_ESCALATION_SLOT,
                escalation_record(kind, escalation["category"], escalation["source"]),
            )
        ]


class ActionCrisisSupport(Action):
    """Crisis language: a warm, direct message with crisis and emergency contacts, offers to stay."""

    def name(self) -> Text:
        return "action_crisis_support"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        screen = _screen_result(tracker)
        screened = screen.get("kind") == CRISIS and screen.get("category")
        # Only the safety classifier decided (no pattern named an act).
        classifier_alone = bool(screened) and screen.get("layer") == "classifier"
        if classifier_alone and reads_as_step_answer(tracker):
            # The confirming action asks, so the rules for its "yes" and "no" apply as usual.
            return [FollowupAction("action_confirm_red_flag")]
        send_crisis_support(dispatcher, gentle=classifier_alone)  # the gentler opening
        category, source = (screened, "screen") if screened else ("classifier", "classifier")
        logger.info(f"Safety escalation: crisis ({category}, {source})")
        return pause_active_form(tracker) + [
            SlotSet(LAST_ESCALATION_SLOT, escalation_record(CRISIS, category, source))
        ]


class ActionConfirmRedFlag(Action):
    """A message that might be a red flag: ask a yes/no question before escalating. A question
    the screen was only unsure of is answered first (answer_before_asking), the question last."""

    def name(self) -> Text:
        return "action_confirm_red_flag"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        screen = _screen_result(tracker)
        kind = screen.get("kind")
        # An unsure match names what to ask about; a sure red flag that is only being asked about
        # (a warning sign listed in the flare-up plan) is asked about as itself.
        confirm = screen.get("confirm") if kind == UNCLEAR else kind
        if confirm not in _CONFIRM_RESPONSES:
            confirm = EMERGENCY  # the classifier said "unclear": check the most serious signs
        category = str(screen.get("category") or "classifier")
        source = str(screen.get("layer") or "screen") if screen else "classifier"
        answer = answer_before_asking(tracker)
        if answer:  # the question answered first; the confirming question stays the last word
            dispatcher.utter_message(response=answer)
        return ask_to_confirm(dispatcher, tracker, confirm, category, source)


def ask_to_confirm(
    dispatcher: CollectingDispatcher, tracker: Tracker, confirm: Text, category: Text, source: Text
) -> List[EventType]:
    """The yes/no question about `confirm`, remembered (with the step it paused) for the answer."""
    dispatcher.utter_message(response=_CONFIRM_RESPONSES[confirm])
    record = escalation_record(UNCLEAR, category, source, confirm)
    if tracker.active_loop_name and tracker.get_slot("requested_slot"):
        record["paused_slot"] = tracker.get_slot("requested_slot")  # the step, never the words
    return pause_active_form(tracker) + [SlotSet(LAST_ESCALATION_SLOT, record)]


class ActionRedFlagCheckClear(Action):
    """A "no" to the confirming question: acknowledged, and a paused script goes on.

    Sets `script_to_resume` (the rules reopen that form, as they do for "continue") and clears
    `paused_form`; the message that prompted the question becomes the answer to the step it
    interrupted. With nothing paused, both slots are cleared and the assistant listens.
    """

    def name(self) -> Text:
        return "action_red_flag_check_clear"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_red_flag_check_clear")
        pending = tracker.get_slot(LAST_ESCALATION_SLOT)
        events: List[EventType] = (
            [SlotSet(LAST_ESCALATION_SLOT, dict(pending, answered="no"))] if pending else []
        )
        paused = tracker.get_slot(PAUSED_FORM_SLOT)
        if paused not in RESUMABLE_FORMS:
            return events + [SlotSet(SCRIPT_TO_RESUME_SLOT, None), SlotSet(PAUSED_FORM_SLOT, None)]
        dispatcher.utter_message(response="utter_safety_carry_on")
        # The rules reopen the form named in script_to_resume, as they do for "continue". The
        # message that prompted the question was typed as an answer to the step it interrupted:
        # it is handed back to that step (and checked by its validator), so nothing is lost,
        # unless it was a question or reads as a remark rather than the step's answer ("just
        # thinking about making this list makes my heart race" is no feared activity): then the
        # step is simply asked again.
        events += [SlotSet(SCRIPT_TO_RESUME_SLOT, paused), SlotSet(PAUSED_FORM_SLOT, None)]
        step = pending.get("paused_slot") if isinstance(pending, dict) else None
        before = _message_before_the_no(tracker)
        if step and before and _takes_words(domain, step) and _may_be_answer(step, before):
            events.append(SlotSet(step, before.text))
        return events


@dataclass(frozen=True)
class _UserMessage:
    text: Text
    step_fit: Mapping[Text, float]  # the fits the pipeline gave it (components/step_fit.py)


# A number or yes/no step is simply asked again: "I bent over and my back went" handed back to
# a 0-10 rating only drew "I couldn't find a number in that" after the person's "no".
_NOT_WORDS = frozenset({"float", "bool"})


def _may_be_answer(step: Text, message: _UserMessage) -> bool:
    """A question typed at a step was not its answer (unless the step asks for a thought that
    may be one): handed back, it only drew "that sounds like a question". Nor was a message that
    the step fit (measured when it was typed) reads as a remark."""
    if fits_poorly(message.step_fit, step, STEP_FIT_THRESHOLD):
        return False
    return step in QUESTIONS_ARE_ANSWERS or not looks_like_question(message.text)


def _takes_words(domain: DomainDict, step: Text) -> bool:
    slot = (domain.get("slots") or {}).get(step) or {}
    return slot.get("type") not in _NOT_WORDS


def _message_before_the_no(tracker: Tracker) -> Optional[_UserMessage]:
    """The user message before the latest one (the "no"), unless it was a button."""
    user_events = [event for event in tracker.events if event.get("event") == "user"]
    if len(user_events) < 2:
        return None
    text = user_events[-2].get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None
    fits = (user_events[-2].get("parse_data") or {}).get(STEP_FIT_KEY)
    return _UserMessage(text, fits if isinstance(fits, dict) else {})
