"""Dense features for DIET from all-MiniLM-L6-v2 (issue 15): language knowledge the counts lack.

The sparse count featurizers know only the words of about 4,000 training examples, so "my
back kills me when I drive" has little in common with "sitting in the car hurts". A pretrained
sentence encoder puts them close together. This featurizer adds, for each message, one
contextual vector per token (the token's word pieces averaged) and the sentence vector, as
Rasa's LanguageModelFeaturizer would; the encoder itself is backpain/encoder.py (weights fetched
once, verified by hash, no download at run time). Rasa's own LanguageModelFeaturizer is not used
because it loads the weights through `transformers`' TensorFlow classes, which would mean a
second conversion of the same weights and a package this project does not otherwise need.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain.encoder import load_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Token and sentence vectors from the project's sentence encoder."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `folder`: the converted weights; None means build/encoder/minilm-l6-v2.
        return {**DenseFeaturizer.get_default_config(), "folder": None}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        encoder = load_encoder(self._config["folder"])

        # Training examples share response texts and many short phrasings: embed each once.
        @lru_cache(maxsize=20_000)
        def embed(words: Tuple[str, ...]) -> Tuple[np.ndarray, np.ndarray]:
            return encoder.embed_words(list(words))

        self._embed = embed

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                self._add_features(message, attribute)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _add_features(self, message: Message, attribute: Text) -> None:
        tokens: Optional[List[Any]] = message.get(TOKENS_NAMES[attribute])
        if not tokens:
            return
        word_vectors, sentence = self._embed(tuple(token.text for token in tokens))
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(word_vectors, FEATURE_TYPE_SEQUENCE, attribute, alias))
        message.add_features(Features(sentence[None, :], FEATURE_TYPE_SENTENCE, attribute, alias))

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass
