"""Messages too long (or empty) to understand get a clear answer instead of a guess.

Two small components around the classifiers (see config.yml):
- `LongMessageTrimmer`, first in the pipeline: a message over the limit is cut to the limit
  before tokenising, so 100 KB of text costs no more than 2,000 characters. The full text is
  kept on the message for the safety screen, which always reads everything.
- `InputLimitClassifier`, after the FallbackClassifier: a message that was over the limit gets
  the intent `message_too_long` and an empty one `message_empty` (each answered by a rule),
  so neither reaches a confident wrong answer. The safety screen still runs after it and wins.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_override import override_intent

# Where the untrimmed text of an over-long message is kept (read by the safety screen).
FULL_TEXT = "full_text"
TOO_LONG_INTENT = "message_too_long"
EMPTY_INTENT = "message_empty"
DEFAULT_MAX_CHARACTERS = 2000


class _ConfiguredComponent(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_characters": DEFAULT_MAX_CHARACTERS}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_characters = int(config["max_characters"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


def full_text(message: Message) -> Text:
    """The message as the person sent it, even when the pipeline only saw the first part."""
    return message.get(FULL_TEXT) or message.get(TEXT) or ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class LongMessageTrimmer(_ConfiguredComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if len(text) > self.max_characters:
                message.set(FULL_TEXT, text)
                message.set(TEXT, text[: self.max_characters])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are short; nothing to trim


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputLimitClassifier(_ConfiguredComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            override = self._override_for(full_text(message))
            if override:
                override_intent(message, override)
        return messages

    def _override_for(self, text: Text) -> Optional[Text]:
        if len(text) > self.max_characters:
            return TOO_LONG_INTENT
        if not text.strip():
            return EMPTY_INTENT
        return None
