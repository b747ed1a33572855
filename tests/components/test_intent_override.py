"""Components that set an intent after DIET do it one way (components/intent_override.py)."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.input_limits import InputLimitClassifier
from components.intent_override import override_intent
from components.language_gate import LanguageGate


def diet_guess(text: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.55})
    message.set(
        INTENT_RANKING_KEY,
        [{"name": "explain", "confidence": 0.4}, {"name": "greet", "confidence": 0.1}],
    )
    return message


def test_the_override_is_on_top_and_what_diet_thought_stays_below() -> None:
    message = diet_guess("whatever")
    override_intent(message, "crisis")
    assert message.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert [entry["name"] for entry in message.get(INTENT_RANKING_KEY)] == [
        "crisis",
        "nlu_fallback",
        "explain",
        "greet",
    ]


def test_an_intent_already_ranked_is_not_listed_twice() -> None:
    message = diet_guess("whatever")
    override_intent(message, "explain")
    assert [entry["name"] for entry in message.get(INTENT_RANKING_KEY)] == [
        "explain",
        "nlu_fallback",
        "greet",
    ]


def test_input_limits_and_the_language_gate_override_the_same_way() -> None:
    empty = InputLimitClassifier.create(
        {**InputLimitClassifier.get_default_config(), "max_characters": 2000}, None, None, None
    ).process([diet_guess("   ")])[0]  # type: ignore[arg-type]
    assert [entry["name"] for entry in empty.get(INTENT_RANKING_KEY)][:2] == [
        "message_empty",
        "nlu_fallback",
    ]
    spanish = LanguageGate.create({}, None, None, None).process(  # type: ignore[arg-type]
        [diet_guess("¿Qué ejercicios son buenos para el dolor de espalda crónico?")]
    )[0]
    assert [entry["name"] for entry in spanish.get(INTENT_RANKING_KEY)][:2] == [
        "other_language",
        "nlu_fallback",
    ]
