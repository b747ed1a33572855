"""The study actions' glue: intent and entities in, the study file's figures out, slots kept."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.study.answers import (
    ActionStudyChart,
    ActionStudyDesign,
    ActionStudyStatistic,
    entities_of,
)
from tests.support.doubles import make_tracker


def after_a_study_answer(follow_up: str) -> List[Dict[str, Any]]:
    """The events of a conversation whose last reply came from the study file."""
    return [
        {"event": "user", "text": "pain at 10 weeks in the CBT group?"},
        {"event": "action", "name": "action_study_statistic"},
        {"event": "bot", "text": "At 10 weeks ..."},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": follow_up},
    ]


def tracker_for(
    intent: str,
    entities: Optional[Dict[str, str]] = None,
    text: str = "",
    events: Optional[List[Dict[str, Any]]] = None,
    **slots: Any,
) -> Tracker:
    """The shared tracker double, with the message's entities and the slots by name."""
    return make_tracker(slots, text, intent, confidence=0.99, entities=entities, events=events)


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_a_full_question_gets_the_exact_figure_with_its_source_for_trainees() -> None:
    messages, slots = run(
        ActionStudyStatistic(),
        tracker_for(
            "ask_trial_figure",
            {"outcome": "pain", "group": "control", "timepoint": "week22"},
            audience="trainee",
        ),
    )
    assert "3.86 (SD 2.35)" in messages[0]["text"]
    assert "source" in messages[0]["text"]
    assert slots == {
        "outcome": "pain",
        "group": "control",
        "timepoint": "week22",
        "last_study_query": "figure",
    }


def test_patients_hear_plain_rounded_words() -> None:
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for(
            "ask_trial_figure",
            {"outcome": "pain", "group": "control", "timepoint": "week22"},
            audience="patient",
        ),
    )
    assert "about 4 out of 10" in messages[0]["text"]
    assert "3.86" not in messages[0]["text"]


def test_follow_up_naming_a_group_keeps_the_rest_of_the_question() -> None:
    previous = dict(
        outcome="pain",
        group="control",
        timepoint="week22",
        last_study_query="figure",
        audience="trainee",
    )
    messages, slots = run(
        ActionStudyStatistic(),
        tracker_for("ask_trial_followup", {"group": "experimental"}, **previous),
    )
    assert "1.66 (SD 2.00)" in messages[0]["text"]
    assert slots["group"] == "experimental" and slots["timepoint"] == "week22"


def test_follow_up_naming_a_timepoint_keeps_group_and_outcome() -> None:
    previous = dict(
        outcome="pain",
        group="control",
        timepoint="week22",
        last_study_query="figure",
        audience="trainee",
    )
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for("ask_trial_followup", {"timepoint": "week10"}, **previous),
    )
    assert "3.29 (SD 2.01)" in messages[0]["text"]


def test_follow_up_about_the_other_group_switches_arm() -> None:
    previous = dict(
        outcome="pain",
        group="experimental",
        timepoint="week10",
        last_study_query="figure",
        audience="trainee",
    )
    follow_up = tracker_for(
        "ask_trial_followup", {}, events=after_a_study_answer("and the other group?"), **previous
    )
    messages, slots = run(ActionStudyStatistic(), follow_up)
    assert slots["group"] == "control"
    assert "3.29 (SD 2.01)" in messages[0]["text"]


def test_a_follow_up_with_nothing_in_the_trial_before_it_offers_topics_not_a_figure() -> None:
    """ "what about deadlifts?" after an answer about the gym: no figure from the last study
    question of the conversation, but "did you mean", without the follow-up itself as an option."""
    events = [
        {"event": "user", "text": "what was pain at 10 weeks?"},
        {"event": "action", "name": "action_study_statistic"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "is the gym ok for my back?"},
        {"event": "action", "name": "utter_explain"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "what about deadlifts"},
    ]
    tracker = make_tracker(
        {"last_study_query": "figure", "outcome": "pain"},
        "what about deadlifts",
        "ask_trial_followup",
        confidence=0.8,
        events=events,
        intent_ranking=[
            {"name": "ask_trial_followup", "confidence": 0.8},
            {"name": "ask_trial_figure", "confidence": 0.1},
        ],
    )
    messages, slots = run(ActionStudyStatistic(), tracker)
    assert [m["response"] for m in messages] == ["utter_clarify"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "The trial's results over time" not in titles and titles[-1] == "Something else"
    assert slots == {}


def test_comparison_quotes_the_reported_difference_and_ci() -> None:
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for("ask_trial_comparison", {"timepoint": "week10"}, audience="trainee"),
    )
    assert "−1.54 (95% CI −2.59 to −0.49)" in messages[0]["text"]


def test_a_figure_the_sources_do_not_have_is_said_to_be_not_reported() -> None:
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for("ask_trial_figure", {"outcome": "disability", "timepoint": "week10"}),
    )
    assert "not reported in the sources I have" in messages[0]["text"]
    assert not re.search(r"\d\.\d", messages[0]["text"]), "no figure from another outcome stands in"


def test_two_groups_named_in_one_question_mean_both() -> None:
    assert entities_of(tracker_for("x", {})) == {}
    tracker = tracker_for("ask_trial_comparison")
    tracker.latest_message["entities"] = [
        {"entity": "group", "value": "control"},
        {"entity": "group", "value": "experimental"},
    ]
    assert entities_of(tracker) == {"group": None}


@pytest.mark.parametrize(
    "intent, expected",
    [
        ("trial_participants", "70 people"),
        ("trial_sessions", "12"),
        ("trial_registration", "NCT04270422"),
        ("trial_setting", "Tehran"),
        ("trial_limitations", "anxiety or depression"),
    ],
)
def test_design_intents_answer_their_topic(intent: str, expected: str) -> None:
    messages, slots = run(ActionStudyDesign(), tracker_for(intent))
    assert expected in messages[0]["text"]
    assert slots["last_study_query"] == "design:" + intent[len("trial_") :]


def test_chart_is_sent_as_an_image_url_with_a_text_alternative() -> None:
    messages, _ = run(ActionStudyChart(), tracker_for("ask_pain_chart", audience="trainee"))
    assert messages[0]["image"].startswith("http") and messages[0]["image"].endswith(".png")
    assert "5.03" in messages[0]["text"] and "1.66" in messages[0]["text"]
    messages, _ = run(ActionStudyChart(), tracker_for("ask_pain_chart"))  # a patient, by default
    assert "about 1.7" in messages[0]["text"] and "SD" not in messages[0]["text"]


def test_a_design_question_about_an_unreported_detail_is_told_so_not_given_another_topic() -> None:
    # DIET may read "who paid for that study" as a design question; the answer must not be the design.
    messages, slots = run(
        ActionStudyDesign(), tracker_for("trial_design", text="who paid for that study")
    )
    text = messages[0]["text"]
    assert text.startswith("The sources I have do not report who funded the trial")
    assert "randomised" not in text
    assert slots["last_study_query"] == "design:not_reported"


def test_a_figure_question_that_also_asks_what_is_unreported_gets_both() -> None:
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for(
            "ask_trial_comparison",
            {"outcome": "pain", "timepoint": "week22"},
            audience="trainee",
            text="what was the difference in pain at 22 weeks, and was it clinically important?",
        ),
    )
    first, _, rest = messages[0]["text"].partition("\nThe sources I have do not report ")
    assert "2.20" in first and "minimal clinically important difference" in rest


def test_a_question_about_two_outcomes_is_answered_for_both_without_repeating_itself() -> None:
    tracker = tracker_for(
        "ask_trial_comparison",
        audience="trainee",
        text="did catastrophizing or kinesiophobia differ?",
    )
    tracker.latest_message["entities"] = [
        {"entity": "outcome", "value": "catastrophizing"},
        {"entity": "outcome", "value": "kinesiophobia"},
    ]
    messages, _ = run(ActionStudyStatistic(), tracker)
    text = messages[0]["text"]
    assert (
        "pain catastrophizing: there was no difference" in text
        and "kinesiophobia: there was no difference" in text
    )
    assert "assume pain" not in text  # both were named: no guess at a third
    assert text.count("That figure is not reported in the sources I have.") == 1
    assert text.count("What I can give you") == 1


def test_after_a_did_you_mean_click_the_typed_question_names_the_detail() -> None:
    tracker = tracker_for("trial_not_reported", text="/trial_not_reported")
    tracker.events = [
        {"event": "user", "text": "Who funded the trial?"},
        {"event": "bot", "text": "Did you mean..."},
        {"event": "user", "text": "/trial_not_reported"},
    ]
    messages, _ = run(ActionStudyDesign(), tracker)
    assert messages[0]["text"].startswith("The sources I have do not report who funded the trial")


def test_a_button_for_another_topic_is_not_read_as_the_typed_question() -> None:
    tracker = tracker_for("trial_participants", text="/trial_participants")
    tracker.events = [
        {"event": "user", "text": "who funded it"},
        {"event": "user", "text": "/trial_participants"},
    ]
    messages, _ = run(ActionStudyDesign(), tracker)
    assert "70 people" in messages[0]["text"]


@pytest.mark.parametrize(
    "text, comparison",
    [
        ("what was the mean difference in pain at 10 weeks?", True),
        ("pain at 10 weeks, CBT group vs usual physio", True),
        ("what was the between-group difference at 22 weeks", True),
        ("what was pain at 10 weeks in the control group?", False),
    ],
)
def test_a_figure_question_asking_for_the_difference_gets_the_comparison(
    text: str, comparison: bool
) -> None:
    messages, slots = run(
        ActionStudyStatistic(),
        tracker_for(
            "ask_trial_figure",
            {"outcome": "pain", "timepoint": "week10"},
            audience="trainee",
            text=text,
        ),
    )
    assert ("−1.54 (95% CI −2.59 to −0.49)" in messages[0]["text"]) is comparison
    assert slots["last_study_query"] == ("comparison" if comparison else "figure")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("and the MD with its 95% CI?", "comparison"),
        ("what was the mean difference between the groups, as an effect size?", "comparison"),
        ("what was the effect size?", "effect_size"),
        ("how big was the effect, Cohen's d?", "effect_size"),
    ],
)
def test_an_effect_size_question_asking_for_the_mean_difference_gets_the_comparison(
    text: str, kind: str
) -> None:
    messages, slots = run(
        ActionStudyStatistic(),
        tracker_for("ask_trial_effect_size", {}, audience="trainee", text=text),
    )
    assert slots["last_study_query"] == kind
    shows_mean_difference = "−2.20 (95% CI −3.25 to −1.15)" in messages[0]["text"]
    assert shows_mean_difference is (kind == "comparison")


def test_an_effect_size_question_about_disability_is_not_given_pains_figure() -> None:
    messages, _ = run(
        ActionStudyStatistic(),
        tracker_for(
            "ask_trial_effect_size",
            {"outcome": "disability"},
            audience="trainee",
            text="what was the effect size for disability?",
        ),
    )
    assert "0.89" not in messages[0]["text"]
    assert "not reported in the sources" in messages[0]["text"]
