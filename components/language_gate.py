"""A message clearly not in English gets the intent `other_language` (issue 15).

Runs after the FallbackClassifier and before the safety screen (config.yml), so the person gets
a short notice in English, answered by a rule, instead of a confident answer on the wrong topic.
The decision is backpain/language.py's; this is the pipeline glue. The safety screen still runs
after it (its patterns are English; the notice itself gives the emergency and crisis numbers).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain.language import clearly_not_english
from components.intent_override import override_intent

OTHER_LANGUAGE_INTENT = "other_language"
LANGUAGE_KEY = "detected_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageGate(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            language = clearly_not_english(message.get(TEXT))
            if language:
                override_intent(message, OTHER_LANGUAGE_INTENT)
                message.set(LANGUAGE_KEY, language, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
