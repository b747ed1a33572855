"""The guided scripts' shared answer checks: a rating, yes/no, a list, a short free text.

Every answer is checked; a value that does not fit is never replaced by a default: the slot is
left empty (so the form asks again) and the person is told what was wrong, in one sentence,
with a response from domain.yml (`utter_scripts_*`). The checks accept their own output too:
when a paused script resumes, Rasa validates the answers already given once more.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from backpain.amount_parsing import Amount
from backpain.answer_parsing import looks_like_question, parse_list, parse_rating, parse_yes_no

FREE_TEXT_MAX_CHARACTERS = 300
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
