"""Picks the education answer for a message, in the shape Rasa's ResponseSelector gives it.

The choice itself is backpain/topic_ranker.py (why it replaced the ResponseSelector is said
there). This component trains it on the examples of the retrieval intent (`explain/<topic>`),
keeps it in the model archive, and writes the parse data's `response_selector` exactly as the
ResponseSelector would: filed under "default", the pick with its `utter_action`, and a ranking.
So Rasa's retrieval action (`utter_explain`), `rasa test nlu`'s response-selection report, the
topic fallback and the "did you mean" buttons all read it unchanged.

Config (config.yml):
    - name: components.topic_selector.TopicSelector
      ranking_length: 10   # how many topics the ranking lists
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Dict, List, Optional, Text, Tuple, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from backpain.topic_ranker import MODEL_FILE, TopicRanker

RANKING_LENGTH_KEY = "ranking_length"
RESPONSES_FILE = "responses.json"

# Rasa's recipe validator warns at training time that the response examples have no
# ResponseSelector to train them; this component trains them (Rasa checks the exact class).
warnings.filterwarnings(
    "ignore", message="You have defined training data with examples for training a response"
)

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicSelector(GraphComponent):
    """Trains and runs the education topic ranker (see the module docstring)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {RANKING_LENGTH_KEY: 10}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        ranker: Optional[TopicRanker] = None,
        responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
        retrieval_intents: Optional[List[Text]] = None,
    ) -> None:
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self._ranker = ranker
        self._responses = responses or {}
        self._retrieval_intents = retrieval_intents or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicSelector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            example
            for example in training_data.intent_examples
            if example.get(INTENT_RESPONSE_KEY) and example.get(TEXT)
        ]
        self._retrieval_intents = sorted(training_data.retrieval_intents)
        self._responses = dict(training_data.responses)
        if len({example.get(INTENT_RESPONSE_KEY) for example in examples}) < 2:
            logger.warning("Fewer than two education topics in the training data: none ranked.")
            self._ranker = None
        else:
            self._ranker = TopicRanker.train(
                [example.get(TEXT) for example in examples],
                [example.get(INTENT_RESPONSE_KEY) for example in examples],
            )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            if self._ranker is not None:
                self._ranker.save(folder)
            (folder / RESPONSES_FILE).write_text(
                json.dumps(
                    {"responses": self._responses, "retrieval_intents": self._retrieval_intents}
                )
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicSelector:
        try:
            with model_storage.read_from(resource) as folder:
                saved = json.loads((folder / RESPONSES_FILE).read_text())
                ranker = TopicRanker.load(folder) if (folder / MODEL_FILE).exists() else None
        except (ValueError, OSError):
            logger.warning("No trained topic ranker in the model: education topics not ranked.")
            return cls(config, model_storage, resource)
        return cls(
            config, model_storage, resource, ranker, saved["responses"], saved["retrieval_intents"]
        )

    def process(self, messages: List[Message]) -> List[Message]:
        if self._ranker is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            ranking = self._ranker.rank(text)[: int(self.component_config[RANKING_LENGTH_KEY])]
            self._set_selection(message, ranking)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _set_selection(self, message: Message, ranking: List[Tuple[Text, float]]) -> None:
        key, confidence = ranking[0]
        utter_action = intent_response_key_to_template_key(key)
        prediction = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self._responses.get(utter_action) or [{TEXT: key}],
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {PREDICTED_CONFIDENCE_KEY: score, INTENT_RESPONSE_KEY: topic}
                for topic, score in ranking
            ],
        }
        message.set(
            RESPONSE_SELECTOR_PROPERTY_NAME,
            {
                RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self._retrieval_intents,
                RESPONSE_SELECTOR_DEFAULT_INTENT: prediction,
            },
            add_to_output=True,
        )
