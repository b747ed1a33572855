"""Texts to one feature matrix: word and character n-grams beside sentence embeddings.

Shared by the two linear models that read messages: the safety classifier
(backpain/safety_classifier.py) and the education topic ranker (backpain/topic_ranker.py).
The n-grams carry the exact words of the training data (drug names, "CBT", typos); the
embeddings (backpain/encoder.py) carry what the words mean, so a phrasing nobody wrote down
still lands near its topic. One logistic regression over both did better than either alone on
both jobs (docs/safety.md; tests/nlu and tests/nlu_blind for the topics).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

FEATURE_SETS = ("embedding", "ngrams", "both")


class Featurizer:
    """Texts to a feature matrix for one of FEATURE_SETS (n-gram vocabularies fitted on training)."""

    # How much the embedding block weighs against the n-grams under one penalty. A class
    # attribute, so that classifiers pickled before it was a parameter load with their value.
    embedding_weight = 3.0

    def __init__(self, kind: str, embedding_weight: float = 3.0) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if kind not in FEATURE_SETS:
            raise ValueError(f"feature set {kind!r}, expected one of {FEATURE_SETS}")
        self.kind = kind
        self.embedding_weight = embedding_weight
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
        )

    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> "Featurizer":
        if self.kind != "embedding":
            self.words.fit(texts)
            self.chars.fit(texts)
        return self

    def transform(self, texts: Sequence[str], embeddings: np.ndarray):  # noqa: ANN201 (sparse or dense)
        from scipy.sparse import csr_matrix, hstack

        if self.kind == "embedding":
            return embeddings
        grams = hstack([self.words.transform(texts), self.chars.transform(texts)])
        if self.kind == "ngrams":
            return grams.tocsr()
        # Embeddings scaled up so that neither block drowns the other under one penalty.
        return hstack([grams, csr_matrix(embeddings * self.embedding_weight)]).tocsr()
