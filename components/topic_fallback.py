"""Rasa's FallbackClassifier, also unsure when the education topic is a guess (issue 15).

DIET decides that a message wants an education answer (the retrieval intent `explain`); the
topic ranker (components/topic_selector.py) decides which one. DIET is often sure of the first
while the ranker is not of the second, and the person then got a confident answer on the wrong
topic. This subclass predicts `nlu_fallback` in that case too, so the two-stage fallback offers
the likeliest topics ("Did you mean ...?", actions/conversation/clarify.py). Everything else is
the stock FallbackClassifier, including how `rasa test nlu` undoes its prediction. The decision
is backpain/clarify.py's `topic_unsure`; the threshold is set there and in config.yml.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

from backpain.clarify import TOPIC_CONFIDENCE_FLOOR, education_selection, topic_unsure

TOPIC_THRESHOLD_KEY = "topic_threshold"
RESPONSE_SELECTOR_KEY = "response_selector"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TopicAwareFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **FallbackClassifier.get_default_config(),
            TOPIC_THRESHOLD_KEY: TOPIC_CONFIDENCE_FLOOR,
        }

    def _should_fallback(self, message: Message) -> bool:
        if super()._should_fallback(message):
            return True
        selected = education_selection(message.get(RESPONSE_SELECTOR_KEY))
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        return topic_unsure(intent, selected, float(self.component_config[TOPIC_THRESHOLD_KEY]))
