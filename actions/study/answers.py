"""Rasa actions that answer trial questions from the study file (glue only).

The answers themselves are built by backpain.study.queries from content/study/bemani2023.yml; these
actions read the intent, the entities and the audience from the tracker, send the Answer, and
keep what the question was about in slots so a follow-up ("and the control group?") can reuse it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.clarify import offer_likely_topics
from backpain.clarify import without_intent
from backpain.clinic_config import clinic_config
from backpain.study import answer as study_answer
from backpain.study.answer import Answer, combine_answers
from backpain.study.design_answers import answer_unreported
from backpain.study.loading import get_study
from backpain.study.names import ENTITY_KINDS
from backpain.study.queries import answer_follow_up, answer_query, kind_for_question

# The study file is read and checked once, when the action server imports this module:
# a broken file stops start-up with the loader's error instead of failing mid-conversation.
get_study()

STATISTIC_KIND_BY_INTENT: Dict[Text, Text] = {
    "ask_trial_figure": "figure",
    "ask_trial_comparison": "comparison",
    "ask_trial_change": "change",
    "ask_trial_effect_size": "effect_size",
}
FOLLOW_UP_INTENT = study_answer.FOLLOW_UP_INTENT
DESIGN_INTENT_PREFIX = "trial_"
NOT_REPORTED_INTENT = study_answer.NOT_REPORTED_INTENT
STUDY_ACTIONS = frozenset({"action_study_statistic", "action_study_design", "action_study_chart"})
# Where the web page server publishes build/charts (scripts/serve_web.py).
CHARTS_URL_PATH = "/charts/"


def entities_of(tracker: Tracker) -> Dict[Text, Optional[Text]]:
    """Outcome/group/timepoint ids in the latest message; a kind named twice ("CBT vs usual
    physio") counts as not narrowed down, so the answer covers both."""
    found: Dict[Text, set] = {}
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") in ENTITY_KINDS and entity.get("value"):
            found.setdefault(entity["entity"], set()).add(str(entity["value"]))
    return {
        kind: (next(iter(values)) if len(values) == 1 else None) for kind, values in found.items()
    }


def outcomes_named(tracker: Tracker) -> List[Text]:
    """Every outcome id the latest message names, in order ("catastrophizing or kinesiophobia")."""
    found = [
        str(e["value"])
        for e in tracker.latest_message.get("entities", []) or []
        if e.get("entity") == "outcome" and e.get("value")
    ]
    return list(dict.fromkeys(found))


def intent_of(tracker: Tracker) -> Text:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def other_group(group_id: Optional[Text]) -> Optional[Text]:
    """ "And the other group?": the arm that was not asked about last time."""
    if not group_id:
        return None
    others = [g for g in get_study().groups if g != group_id]
    return others[0] if len(others) == 1 else None


def text_of(tracker: Tracker) -> Text:
    return str(tracker.latest_message.get("text") or "")


def follows_a_study_answer(tracker: Tracker) -> bool:
    """Whether the assistant's last reply before this message was an answer from the study file."""
    before_this_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if before_this_message:
                return False  # a whole turn went by with no action: nothing to follow up
            before_this_message = True
        elif (
            before_this_message
            and event.get("event") == "action"
            and event.get("name") not in (None, "action_listen")
        ):
            return event["name"] in STUDY_ACTIONS
    return False


def question_text(tracker: Tracker) -> Text:
    """The words of the question. After a "did you mean" button ("/trial_not_reported"), the
    typed question it stands for ("who funded it?"), which names the detail asked about."""
    text = text_of(tracker)
    if not text.startswith("/"):
        return text
    for event in reversed(tracker.events):
        typed = str(event.get("text") or "") if event.get("event") == "user" else ""
        if typed and not typed.startswith("/"):
            return typed
    return text


def with_unreported(answer: Answer, tracker: Tracker, audience: Optional[Text]) -> Answer:
    """A figure question that also names what the sources lack ("and was it clinically
    important?"): the figure, then the plain "not reported" for the rest."""
    detail = get_study().unreported_in(text_of(tracker))
    if detail is None:
        return answer
    extra = answer_unreported(detail, audience)
    answer.text = f"{answer.text}\n{extra.text}"
    answer.sources = list(dict.fromkeys(answer.sources + extra.sources))
    answer.not_reported = True
    return answer


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    image = None
    if answer.image_path:
        image = clinic_config().public_base_url + CHARTS_URL_PATH + Path(answer.image_path).name
    dispatcher.utter_message(text=answer.text, buttons=answer.buttons or None, image=image)


def remember(answer: Answer) -> List[EventType]:
    """Slots a follow-up needs: what the answer was about, and which kind of question it was."""
    events: List[EventType] = [SlotSet(kind, answer.slots.get(kind)) for kind in ENTITY_KINDS]
    kind = answer.kind if answer.kind != "design" else f"design:{answer.slots.get('topic') or ''}"
    events.append(SlotSet("last_study_query", kind))
    return events


class ActionStudyStatistic(Action):
    """Figures, comparisons, changes from baseline, the effect size, and follow-ups to them."""

    def name(self) -> Text:
        return "action_study_statistic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        audience = tracker.get_slot("audience")
        entities = entities_of(tracker)
        intent = intent_of(tracker)
        if intent == FOLLOW_UP_INTENT and not any(entities.values()):
            if not follows_a_study_answer(tracker):
                # "what about deadlifts?" after a talk about the gym: there is nothing in the
                # trial to follow up, so the likeliest topics are offered instead of a figure.
                offer_likely_topics(dispatcher, without_intent(tracker.latest_message, intent))
                return []
        if intent == FOLLOW_UP_INTENT:
            answer = self._follow_up(tracker, entities, audience)
        else:
            kind = kind_for_question(
                STATISTIC_KIND_BY_INTENT.get(intent, "figure"), text_of(tracker)
            )
            outcomes = outcomes_named(tracker)
            if len(outcomes) > 1:  # "did catastrophizing or kinesiophobia differ?": both answered
                others = {k: v for k, v in entities.items() if k != "outcome"}
                answer = combine_answers(
                    [answer_query(kind, audience=audience, outcome=o, **others) for o in outcomes]
                )
            else:
                answer = answer_query(kind, audience=audience, **entities)
            answer = with_unreported(answer, tracker, audience)
        send(dispatcher, answer)
        return remember(answer)

    @staticmethod
    def _follow_up(
        tracker: Tracker, entities: Mapping[Text, Optional[Text]], audience: Optional[Text]
    ) -> Answer:
        previous = tracker.get_slot("last_study_query") or "figure"
        previous_kind, _, topic = previous.partition(":")
        previous_slots = {kind: tracker.get_slot(kind) for kind in ENTITY_KINDS}
        previous_slots["topic"] = topic or None
        if not any(entities.values()) and previous_slots.get("group"):
            entities = {"group": other_group(previous_slots["group"])}  # "and the other group?"
        return answer_follow_up(previous_kind, previous_slots, entities, audience)


class ActionStudyDesign(Action):
    """Design questions: participants, criteria, sessions, treatments, limitations and so on."""

    def name(self) -> Text:
        return "action_study_design"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = intent_of(tracker)
        audience = tracker.get_slot("audience")
        unreported = get_study().unreported_in(
            question_text(tracker) if intent == NOT_REPORTED_INTENT else text_of(tracker)
        )
        if (
            unreported is not None or intent == NOT_REPORTED_INTENT
        ):  # "who funded it?": said plainly
            answer = answer_unreported(unreported, audience)
        else:
            topic = (
                intent[len(DESIGN_INTENT_PREFIX) :]
                if intent.startswith(DESIGN_INTENT_PREFIX)
                else "design"
            )
            answer = answer_query("design", topic=topic, audience=audience, **entities_of(tracker))
        send(dispatcher, answer)
        return remember(answer)


class ActionStudyChart(Action):
    """The pain-over-time chart, as an image with a text alternative stating the same figures."""

    def name(self) -> Text:
        return "action_study_chart"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        answer = answer_query("chart", audience=tracker.get_slot("audience"))
        send(dispatcher, answer)
        return remember(answer)
