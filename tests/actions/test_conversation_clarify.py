"""'Did you mean ...?' (issue 15): the likeliest topics, in plain words, as buttons."""

from __future__ import annotations

import json
from typing import Callable

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.clarify import (
    TITLES_FILE,
    ActionDefaultAskAffirmation,
    ActionDefaultFallback,
    intent_titles,
    topic_questions,
)
from backpain.clarify import MAX_OPTIONS, Option, clarify_options, plain_example
from tests.support.doubles import make_tracker

TITLES = {
    "ask_trial_figure": "A figure from the trial",
    "choose_script": "A guided coping exercise",
}
QUESTIONS = {
    "pacing": "what is pacing",
    "sleep_and_pain": "how does sleep affect pain",
    "flare_ups": "what is a flare-up",
}


def test_education_topics_come_from_the_response_ranking_as_questions() -> None:
    options = clarify_options(
        [
            {"name": "nlu_fallback", "confidence": 0.55},
            {"name": "explain", "confidence": 0.4},
            {"name": "choose_script", "confidence": 0.2},
        ],
        [
            {"intent_response_key": "explain/sleep_and_pain", "confidence": 0.5},
            {"intent_response_key": "explain/pacing", "confidence": 0.3},
            {"intent_response_key": "explain/flare_ups", "confidence": 0.1},
        ],
        TITLES,
        QUESTIONS,
    )
    assert options == [
        Option("How does sleep affect pain?", "how does sleep affect pain"),
        Option("What is pacing?", "what is pacing"),
        Option("A guided coping exercise", "/choose_script"),
    ]


def test_greetings_safety_intents_and_noise_are_never_offered() -> None:
    options = clarify_options(
        [
            {"name": "greet", "confidence": 0.4},
            {"name": "crisis", "confidence": 0.3},
            {"name": "choose_script", "confidence": 0.01},
            {"name": "ask_trial_figure", "confidence": 0.2},
        ],
        [],
        TITLES,
        QUESTIONS,
    )
    assert [option.title for option in options] == ["A figure from the trial"]


def test_a_click_keeps_the_study_entities_the_message_named() -> None:
    options = clarify_options(
        [{"name": "ask_trial_figure", "confidence": 0.3}],
        [],
        TITLES,
        QUESTIONS,
        [{"entity": "outcome", "value": "pain"}, {"entity": "timepoint", "value": "week_10"}],
    )
    intent, _, entities = options[0].payload.partition("{")
    assert intent == "/ask_trial_figure"
    assert json.loads("{" + entities) == {"outcome": "pain", "timepoint": "week_10"}


def test_at_most_three_options() -> None:
    ranking = [
        {"name": name, "confidence": 0.2}
        for name in ("ask_trial_figure", "choose_script", "explain")
    ]
    topics = [{"intent_response_key": f"explain/{topic}", "confidence": 0.3} for topic in QUESTIONS]
    assert len(clarify_options(ranking, topics, TITLES, QUESTIONS)) == MAX_OPTIONS


def test_annotations_are_stripped_from_a_training_example() -> None:
    assert (
        plain_example('what is [CBT](group) for [pain]{"entity": "outcome"}')
        == "what is CBT for pain"
    )


def test_every_title_names_an_intent_the_domain_knows_and_none_is_a_safety_intent() -> None:
    domain = Domain.load("domain.yml")
    titles = intent_titles()
    assert len(titles) >= 30
    assert set(titles) <= set(domain.intents)
    assert not set(titles) & {
        "crisis",
        "red_flag_emergency",
        "red_flag_urgent",
        "red_flag_unclear",
        "inflammatory_signs",
        "nlu_fallback",
        "affirm",
        "deny",
        "greet",
    }
    assert yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8"))["intents"] == titles


def test_every_education_topic_has_a_question_for_its_button() -> None:
    domain = Domain.load(["domain.yml", "data/responses/education.yml"])
    topics = {
        name.split("/", 1)[1] for name in domain.responses if name.startswith("utter_explain/")
    }
    questions = topic_questions()
    assert topics and topics <= set(questions)
    assert all("[" not in question and question.strip() for question in questions.values())


def test_a_first_miss_with_nothing_to_offer_gets_the_menu_without_still(
    tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    """'Sorry, I still couldn't...' on the first message of a conversation reads as a bug."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "thank", "confidence": 0.26}]
    unclear = tracker(
        text="ur really helpful lol", intent="nlu_fallback", confidence=0.55, intent_ranking=ranking
    )
    ActionDefaultAskAffirmation().run(dispatcher, unclear, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify_menu"]


def test_what_i_can_help_with_is_not_offered_beside_something_else(
    tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    """ "zzz qqq": DIET's only candidate is the menu itself, which "Something else" already opens."""
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "out_of_scope", "confidence": 0.38},
        {"name": "what_can_you_do", "confidence": 0.17},
    ]
    unclear = tracker(
        text="zzz qqq", intent="nlu_fallback", confidence=0.55, intent_ranking=ranking
    )
    ActionDefaultAskAffirmation().run(dispatcher, unclear, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify_menu"]


OFFER = [
    {"title": "Start graded exposure", "payload": "/start_graded_exposure"},
    {"title": "Show my fear ladder", "payload": "/show_fear_ladder"},
    {"title": "Something else", "payload": "/what_can_you_do"},
]
CLARIFY_EVENT = {
    "event": "bot",
    "text": "Did you mean one of these?",
    "data": {"buttons": OFFER},
    "metadata": {"utter_action": "utter_clarify"},
}
OTHER_EVENT = {
    "event": "bot",
    "text": "Hello!",
    "data": {"buttons": None},
    "metadata": {"utter_action": "utter_greet"},
}


def _run_fallback(intent: str, events: list, **message: object) -> tuple:
    tracker = make_tracker(text=intent, intent=intent, events=events, **message)
    dispatcher = CollectingDispatcher()
    result = ActionDefaultFallback().run(dispatcher, tracker, {})
    return dispatcher.messages, result


def test_a_yes_to_did_you_mean_offers_the_same_topics_again() -> None:
    """Rasa's two-stage fallback puts the "yes" in place of the unclear message; no rule answers it."""
    user_yes = {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}}
    messages, result = _run_fallback(
        "affirm", [CLARIFY_EVENT, user_yes, {"event": "rewind"}, user_yes]
    )
    assert [(m["response"], m["buttons"]) for m in messages] == [("utter_clarify_which", OFFER)]
    assert result == [{"event": "rewind", "timestamp": None}]


def test_a_no_to_did_you_mean_gets_the_menu_without_still() -> None:
    messages, _ = _run_fallback("deny", [CLARIFY_EVENT])
    assert [m["response"] for m in messages] == ["utter_clarify_declined"]


@pytest.mark.parametrize(
    "intent, events",
    [("affirm", [OTHER_EVENT]), ("affirm", []), ("deny", [OTHER_EVENT])],
    ids=["yes-elsewhere", "yes-first", "no-elsewhere"],
)
def test_a_yes_or_no_to_nothing_gets_what_i_can_help_with(intent: str, events: list) -> None:
    """ "ok" after the welcome is not a miss: no "Sorry, I still couldn't work out ..."."""
    messages, result = _run_fallback(intent, events)
    assert [m["response"] for m in messages] == ["utter_what_can_you_do"]
    assert [event["event"] for event in result] == ["rewind"]


def test_a_second_unclear_message_with_nothing_to_offer_gets_the_stock_menu() -> None:
    messages, result = _run_fallback("nlu_fallback", [CLARIFY_EVENT])
    assert [m["response"] for m in messages] == ["utter_default"]
    assert [event["event"] for event in result] == ["rewind"]


def test_a_second_unclear_question_gets_its_own_likeliest_topics() -> None:
    """ "Was that significant or just a trend?" after "did you mean" about a figure: the menu would
    throw away the classifier's guesses. A trial follow-up is not offered, having nothing to follow."""
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "ask_trial_followup", "confidence": 0.3},
        {"name": "trial_analysis", "confidence": 0.24},
        {"name": "trial_not_reported", "confidence": 0.14},
    ]
    messages, result = _run_fallback("nlu_fallback", [CLARIFY_EVENT], intent_ranking=ranking)
    assert [(m["response"], [b["payload"] for b in m["buttons"]]) for m in messages] == [
        ("utter_clarify", ["/trial_analysis", "/trial_not_reported", "/what_can_you_do"])
    ]
    assert [event["event"] for event in result] == ["rewind"]


def test_a_second_unclear_message_guessing_the_same_topics_gets_the_menu() -> None:
    """Offering the same buttons again would be a loop: the menu says what else there is."""
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "start_graded_exposure", "confidence": 0.3},
        {"name": "show_fear_ladder", "confidence": 0.2},
    ]
    titles = {
        "start_graded_exposure": "Start graded exposure",
        "show_fear_ladder": "Show my fear ladder",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("actions.conversation.clarify.intent_titles", lambda: titles)
        messages, _ = _run_fallback("nlu_fallback", [CLARIFY_EVENT], intent_ranking=ranking)
    assert [m["response"] for m in messages] == ["utter_default"]


@pytest.mark.parametrize(
    "text, first",
    [
        # DIET hesitated between participants (0.32) and not reported (0.31) on this one.
        ("How many participants dropped out of each group?", "/trial_not_reported"),
        ("and who funded it", "/trial_not_reported"),
        ("how many people took part", "/trial_participants"),  # nothing unreported named
    ],
)
def test_a_detail_the_study_file_marks_unreported_is_offered_first(
    tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, text: str, first: str
) -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "trial_participants", "confidence": 0.32},
        {"name": "trial_not_reported", "confidence": 0.31},
    ]
    unclear = tracker(text=text, intent="nlu_fallback", confidence=0.55, intent_ranking=ranking)
    ActionDefaultAskAffirmation().run(dispatcher, unclear, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_clarify"
    assert message["buttons"][0]["payload"] == first
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads.count("/trial_not_reported") == 1


def test_a_topic_is_offered_only_when_an_education_question_is_likely_too() -> None:
    # "zzz qqq": DIET barely reads it as an education question (0.1), and the topic ranker's
    # likeliest topic (0.2) is then a 0.02 chance, not a candidate; the choose_script intent is.
    options = clarify_options(
        [{"name": "choose_script", "confidence": 0.3}, {"name": "explain", "confidence": 0.1}],
        [{"intent_response_key": "explain/pacing", "confidence": 0.2}],
        TITLES,
        QUESTIONS,
    )
    assert options == [Option("A guided coping exercise", "/choose_script")]
