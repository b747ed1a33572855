"""Setting an intent from a component that runs after DIET (input limits, language gate, safety screen).

One way to do it, so every override looks the same to the policies and to the "did you mean"
buttons (which read the ranking): the new intent at confidence 1.0 on top, and what DIET thought
kept below it, including Rasa's `nlu_fallback` when it had set one.
"""

from __future__ import annotations

from typing import Text

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def override_intent(message: Message, intent_name: Text) -> None:
    """The new intent at confidence 1.0 on top; the original intent stays in the ranking."""
    original = message.get(INTENT)
    override = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [dict(entry) for entry in (message.get(INTENT_RANKING_KEY) or [])]
    if (
        original
        and original.get(INTENT_NAME_KEY)
        and all(entry.get(INTENT_NAME_KEY) != original.get(INTENT_NAME_KEY) for entry in ranking)
    ):
        ranking.insert(0, dict(original))
    ranking = [override] + [entry for entry in ranking if entry.get(INTENT_NAME_KEY) != intent_name]
    message.set(INTENT, override, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
