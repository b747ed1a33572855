"""The dense featurizer for DIET (components/sentence_featurizer.py): one vector per token, one
for the sentence, from all-MiniLM-L6-v2, so paraphrases with no word in common land close."""

from __future__ import annotations

from typing import List

import numpy as np
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain.encoder import DIMENSION
from components.sentence_featurizer import SentenceEncoderFeaturizer


def message(text: str) -> Message:
    tokens: List[Token] = []
    offset = 0
    for word in text.split():
        start = text.index(word, offset)
        tokens.append(Token(word, start))
        offset = start + len(word)
    msg = Message(data={TEXT: text})
    msg.set(TOKENS_NAMES[TEXT], tokens)
    return msg


def featurizer() -> SentenceEncoderFeaturizer:
    return SentenceEncoderFeaturizer(
        {**SentenceEncoderFeaturizer.get_default_config(), "alias": "sentence_encoder"},
        "sentence_encoder",
    )


def test_each_token_and_the_sentence_get_a_vector() -> None:
    msg = featurizer().process([message("does heat or ice help a sore back")])[0]
    sequence, sentence = msg.get_dense_features(TEXT)
    assert sequence.features.shape == (8, DIMENSION)
    assert sentence.features.shape == (1, DIMENSION)
    assert np.isfinite(sequence.features).all() and np.linalg.norm(sentence.features) > 0.5


def test_paraphrases_without_shared_words_are_closer_than_another_topic() -> None:
    f = featurizer()
    a, b, c = f.process(
        [
            message("who paid for the study"),
            message("what was the funding source of the trial"),
            message("my back is stiff every morning"),
        ]
    )
    vectors = [m.get_dense_features(TEXT)[1].features[0] for m in (a, b, c)]
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1


def test_a_message_without_tokens_gets_no_features_and_no_error() -> None:
    msg = featurizer().process([Message(data={TEXT: ""})])[0]
    assert msg.get_dense_features(TEXT) == (None, None)
