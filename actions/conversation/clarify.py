"""When the assistant is unsure what a message meant, and when it is not in English (issue 15).

- `action_default_ask_affirmation` replaces Rasa's stock first stage of the two-stage fallback
  (data/rules/core.yml). Instead of "Did you mean 'ask_trial_figure'?" it offers the two or
  three likeliest topics in words a person understands (backpain/clarify.py chooses them), plus
  "Something else", which shows the menu of what the assistant can do. A click is parsed like a
  typed message, and Rasa's two-stage fallback then answers it in place of the unclear one. A
  second unclear message in a row gets `action_default_fallback`, whose `utter_default` is the
  menu of what the assistant can do.
- `action_default_fallback` replaces Rasa's stock last resort for one case it gets wrong. Rasa's
  two-stage fallback ends on any confident intent and puts it in place of the unclear message,
  so a typed "yes" to "Did you mean one of these?" became a bare "yes" that no rule answers and
  got "Sorry, I still couldn't work out what you need". Now a yes re-offers the same topics
  ("Which one?"), since a yes to several options does not say which, and a no gets the menu
  without "still"; a yes or no when nothing was offered or asked ("ok" after the welcome) gets
  what the assistant can help with. A second unclear message that is a new question of its own
  ("was that significant or just a trend?" after "did you mean" about a figure) gets its own
  likeliest topics: the menu would throw away what the classifier did guess. Only with nothing
  new to offer is it the stock behaviour: the menu. The message is reverted either way.
- `action_other_language` sends the English-only notice with the clinic's emergency and crisis
  contacts (config/clinic.yml), since a person writing in another language may need them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety.escalation import clinic_contacts
from backpain.clarify import (
    clarify_options,
    education_selection,
    first_question_per_topic,
    plain_example,
    put_first,
    without_intent,
)
from backpain.paths import PROJECT_ROOT
from backpain.study.answer import FOLLOW_UP_INTENT, NOT_REPORTED_INTENT
from backpain.study.loading import get_study

TITLES_FILE = PROJECT_ROOT / "content" / "clarify_titles.yml"
EDUCATION_NLU_FILE = PROJECT_ROOT / "data" / "nlu" / "education.yml"
SOMETHING_ELSE = {"title": "Something else", "payload": "/what_can_you_do"}
CLARIFY_RESPONSE = "utter_clarify"
# What a yes or a no to "Did you mean one of these?" gets, in place of the stock menu.
REPLY_TO_THE_OFFER = {"affirm": "utter_clarify_which", "deny": "utter_clarify_declined"}


@lru_cache(maxsize=1)
def intent_titles() -> Dict[str, str]:
    raw = yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8")) or {}
    return {str(name): str(title) for name, title in (raw.get("intents") or {}).items()}


@lru_cache(maxsize=1)
def topic_questions() -> Dict[str, str]:
    raw = yaml.safe_load(EDUCATION_NLU_FILE.read_text(encoding="utf-8")) or {}
    examples = {
        str(block["intent"]): [
            plain_example(line.strip()[2:])
            for line in str(block.get("examples") or "").splitlines()
            if line.strip().startswith("- ")
        ]
        for block in raw.get("nlu") or []
        if "intent" in block
    }
    return first_question_per_topic(examples)


def _topic_ranking(latest_message: Dict[str, Any]) -> List[Dict[str, Any]]:
    return list(education_selection(latest_message.get("response_selector")).get("ranking") or [])


def _intent_ranking(latest: Dict[str, Any]) -> List[Dict[str, Any]]:
    """DIET's ranking, except that a message naming a detail the study file marks as not
    reported ("how many dropped out of each group?") offers that answer first: the file knows
    those words better than the classifier does when it hesitates between trial intents."""
    ranking = list(latest.get("intent_ranking") or [])
    if get_study().unreported_in(str(latest.get("text") or "")) is not None:
        return put_first(ranking, NOT_REPORTED_INTENT)
    return ranking


def clarify_buttons(latest: Dict[str, Any]) -> List[Dict[str, str]]:
    """The likeliest topics of an unclear message as buttons, plus "Something else"; [] if none."""
    options = clarify_options(
        _intent_ranking(latest),
        _topic_ranking(latest),
        intent_titles(),
        topic_questions(),
        latest.get("entities") or [],
    )
    return (
        [{"title": option.title, "payload": option.payload} for option in options]
        + [SOMETHING_ELSE]
        if options
        else []
    )


def offer_likely_topics(dispatcher: CollectingDispatcher, latest: Dict[str, Any]) -> None:
    """ "Did you mean ...?" with the likeliest topics; the menu when there is none to offer."""
    buttons = clarify_buttons(latest)
    if not buttons:  # nothing likely to offer: the menu, as a first miss ("still" comes later)
        dispatcher.utter_message(response="utter_clarify_menu")
        return
    dispatcher.utter_message(response="utter_clarify", buttons=buttons)


class ActionDefaultAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        offer_likely_topics(dispatcher, tracker.latest_message or {})
        return []


def last_bot_message(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The assistant's most recent message on the tracker, reverted turns included; {} if none."""
    return next((event for event in reversed(events) if event.get("event") == "bot"), {})


def offered_buttons(bot_message: Dict[str, Any]) -> List[Dict[str, str]]:
    """The topics a "Did you mean one of these?" message offered; [] for any other message."""
    if (bot_message.get("metadata") or {}).get("utter_action") != CLARIFY_RESPONSE:
        return []
    return list((bot_message.get("data") or {}).get("buttons") or [])


def fresh_topics(latest: Dict[str, Any], offered: List[Dict[str, str]]) -> List[Dict[str, str]]:
    """The likeliest topics of a second unclear message, if they are not the ones just offered.
    A follow-up about the trial is never among them: after "did you mean" there is no study
    answer to follow up (actions/study/answers.py asks again for the same reason)."""
    buttons = clarify_buttons(without_intent(latest, FOLLOW_UP_INTENT))
    return buttons if buttons and buttons != offered else []


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return "action_default_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        offered = offered_buttons(last_bot_message(tracker.events))
        if intent in REPLY_TO_THE_OFFER and offered:
            # a yes shows the same topics again ("which one?"); a no, the menu
            again = offered if intent == "affirm" else None
            dispatcher.utter_message(response=REPLY_TO_THE_OFFER[intent], buttons=again)
        elif intent in REPLY_TO_THE_OFFER:
            # "ok" after the welcome, with nothing asked: "Sorry, I still couldn't work out what
            # you need" would blame the person for a miss that never happened.
            dispatcher.utter_message(response="utter_what_can_you_do")
        elif fresh := fresh_topics(latest, offered):
            dispatcher.utter_message(response=CLARIFY_RESPONSE, buttons=fresh)
        else:
            dispatcher.utter_message(response="utter_default")
        # As Rasa's own: the turn that could not be answered leaves no trace in the dialogue state.
        return [UserUtteranceReverted()]


class ActionOtherLanguage(Action):
    def name(self) -> Text:
        return "action_other_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_other_language", **clinic_contacts())
        return []
