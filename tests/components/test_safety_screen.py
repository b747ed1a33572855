"""The SafetyScreen NLU component (components/safety_screen.py) on Rasa Message objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain.safety_pattern_file import SafetyPatternError
from components.safety_screen import SafetyScreen


def make_screen(tmp_path: Path, **config: Any) -> SafetyScreen:
    return SafetyScreen.create(
        {**SafetyScreen.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("safety_screen"),
        ExecutionContext(graph_schema=None),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> SafetyScreen:
    return make_screen(tmp_path_factory.mktemp("storage"))


def classified(text: str, intent: Optional[str], confidence: float = 0.9, **extra: Any) -> Message:
    message = Message(data={TEXT: text, **extra})
    if intent:
        ranking: List[Dict[str, Any]] = [
            {"name": intent, "confidence": confidence},
            {"name": "greet", "confidence": round(1 - confidence, 3)},
        ]
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return message


def test_a_red_flag_overrides_the_intent_and_keeps_the_ranking(screen: SafetyScreen) -> None:
    message = screen.process([classified("my legs keep giving way", "ask_trial_figure")])[0]
    assert message.get(INTENT) == {"name": "red_flag_emergency", "confidence": 1.0}
    names = [entry["name"] for entry in message.get(INTENT_RANKING_KEY)]
    assert names == ["red_flag_emergency", "ask_trial_figure", "greet"]
    assert message.get("safety") == {
        "kind": "red_flag_emergency",
        "category": "legs_weakness_both",
        "layer": "pattern",
    }
    output = message.as_dict(only_output_properties=True)
    assert output["safety"]["kind"] == "red_flag_emergency"
    assert "my legs" not in str(output["safety"])


def test_the_screen_reads_the_full_text_of_a_trimmed_message(screen: SafetyScreen) -> None:
    trimmed = classified(
        "a very long message about my day",
        "message_too_long",
        full_text="a very long message about my day ... and I want to kill myself",
    )
    message = screen.process([trimmed])[0]
    assert message.get(INTENT)["name"] == "crisis"


def test_no_match_leaves_the_message_alone(screen: SafetyScreen) -> None:
    message = screen.process([classified("what did the trial find?", "ask_trial_figure")])[0]
    assert message.get(INTENT)["name"] == "ask_trial_figure"
    assert message.get("safety") is None


def test_a_classifier_escalation_on_a_look_alike_becomes_a_question(screen: SafetyScreen) -> None:
    message = screen.process([classified("I'm dying to know the results", "crisis", 0.7)])[0]
    assert message.get(INTENT)["name"] == "red_flag_unclear"
    assert message.get("safety") == {
        "kind": "red_flag_unclear",
        "category": "look_alike_idiom_dying_to",
        "confirm": "crisis",
        "layer": "intent",
    }


def test_a_weaker_screen_result_never_softens_a_sure_classifier_escalation(
    screen: SafetyScreen,
) -> None:
    message = screen.process([classified("my legs feel funny", "red_flag_emergency", 0.95)])[0]
    assert message.get(INTENT)["name"] == "red_flag_emergency"


def test_an_unsure_classifier_escalation_on_an_unclear_message_is_asked_about(
    screen: SafetyScreen,
) -> None:
    message = screen.process([classified("my legs feel funny", "red_flag_emergency", 0.8)])[0]
    assert message.get(INTENT)["name"] == "red_flag_unclear"
    assert message.get("safety")["confirm"] == "red_flag_emergency"


def test_works_without_a_classifier_and_on_empty_messages(screen: SafetyScreen) -> None:
    alone, empty = screen.process([classified("I want to end my life", None), classified("", None)])
    assert alone.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert empty.get(INTENT) is None


def test_a_broken_pattern_file_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(SafetyPatternError, match="missing.yml: file not found"):
        make_screen(tmp_path, patterns_file=str(tmp_path / "missing.yml"))


def test_an_unconfirmed_uncertain_classifier_escalation_becomes_a_question(
    screen: SafetyScreen,
) -> None:
    message = classified(
        "I bent to load the dishwasher yesterday and was fine", "red_flag_urgent", confidence=0.74
    )
    screen.process([message])
    assert message.get(INTENT)["name"] == "red_flag_unclear"
    assert message.get("safety") == {
        "kind": "red_flag_unclear",
        "category": "unconfirmed_classifier_guess",
        "confirm": "red_flag_urgent",
        "layer": "intent",
    }


def test_a_confident_classifier_escalation_stands_without_a_pattern(screen: SafetyScreen) -> None:
    message = classified("some new way of saying it", "crisis", confidence=0.97)
    screen.process([message])
    assert message.get(INTENT)["name"] == "crisis"


def test_an_unsure_classifier_does_not_outrank_a_matched_red_flag(screen: SafetyScreen) -> None:
    message = classified("I've been peeing myself since yesterday", "crisis", confidence=0.6)
    screen.process([message])
    assert message.get(INTENT)["name"] == "red_flag_emergency"
