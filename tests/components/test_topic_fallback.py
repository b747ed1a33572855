"""An education answer on a topic the response selector is guessing becomes "did you mean"
(components/topic_fallback.py, backpain/clarify.py::topic_unsure)."""

from __future__ import annotations

from typing import Optional

import pytest
from rasa.nlu.classifiers.fallback_classifier import undo_fallback_prediction
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain.clarify import education_selection, topic_unsure
from components.topic_fallback import TopicAwareFallbackClassifier


def parsed(intent: str, confidence: float, topic_confidence: Optional[float]) -> Message:
    message = Message(data={TEXT: "is a standing desk worth the money"})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    if topic_confidence is not None:
        response = {
            "intent_response_key": "explain/trial_take_home",
            "confidence": topic_confidence,
        }
        message.set("response_selector", {"default": {"response": response, "ranking": [response]}})
    return message


def classify(message: Message) -> str:
    fallback = TopicAwareFallbackClassifier(
        {
            **TopicAwareFallbackClassifier.get_default_config(),
            "threshold": 0.55,
            "topic_threshold": 0.2,
        }
    )
    return fallback.process([message])[0].get(INTENT)["name"]


@pytest.mark.parametrize(
    "intent, confidence, topic_confidence, expected",
    [
        ("explain", 1.0, 0.06, "nlu_fallback"),  # sure it wants a topic, guessing which one
        ("explain", 1.0, 0.8, "explain"),
        ("explain", 1.0, None, "nlu_fallback"),  # no topic picked at all
        ("explain", 0.3, 0.9, "nlu_fallback"),  # the stock threshold still applies
        ("greet", 0.95, 0.01, "greet"),  # the selector only matters for education answers
    ],
)
def test_a_guessed_topic_falls_back(
    intent: str, confidence: float, topic_confidence: Optional[float], expected: str
) -> None:
    assert classify(parsed(intent, confidence, topic_confidence)) == expected


def test_rasa_test_nlu_can_still_undo_the_fallback() -> None:
    message = parsed("explain", 1.0, 0.06)
    classify(message)
    undone = undo_fallback_prediction(message.as_dict())
    assert undone[INTENT]["name"] == "explain"


def test_topic_unsure_reads_malformed_selector_output_as_unsure() -> None:
    assert topic_unsure("explain", {"response": {"confidence": "high"}})
    assert topic_unsure("explain", {"response": None})
    assert not topic_unsure("thank", {})


@pytest.mark.parametrize(
    "selectors, expected",
    [
        ({"default": {"ranking": [1]}}, {"ranking": [1]}),
        ({"explain": {"ranking": [2]}, "default": {}}, {"ranking": [2]}),
        (None, {}),
        ({"default": "not a mapping"}, {}),
        ({}, {}),
    ],
)
def test_the_education_selection_is_found_under_either_name(
    selectors: object, expected: dict
) -> None:
    # Rasa files a ResponseSelector for every retrieval intent under "default"; one trained for
    # `explain` alone would be filed under "explain". The actions and the fallback read both.
    assert education_selection(selectors) == expected
