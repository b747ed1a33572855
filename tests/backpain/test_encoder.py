"""The sentence encoder (backpain/encoder.py): one text alone gets the vector it gets in a batch,
and a text embedded twice in a row (the safety classifier, then the step fit) is embedded once."""

from __future__ import annotations

import numpy as np

from backpain.encoder import load_encoder


def test_a_single_text_gets_the_same_vector_as_in_a_batch_and_is_reused() -> None:
    encoder = load_encoder()
    texts = ["my back aches after gardening", "hang on, the kettle has boiled"]
    batch = encoder.embed(texts)
    alone = encoder.embed([texts[1]])
    assert np.allclose(alone[0], batch[1], atol=1e-5)
    again = encoder.embed([texts[1]])
    again[0, :] = 0.0  # a caller changing its copy must not change the next caller's vector
    assert np.allclose(encoder.embed([texts[1]])[0], batch[1], atol=1e-5)
    assert texts[1] in encoder._recent
