"""Which education answer a question wants: a linear ranker over n-grams and sentence vectors.

DIET decides that a message asks for an education answer (the retrieval intent `explain`);
this ranker decides which of about sixty. It replaced Rasa's ResponseSelector (issue 15) for
two measured reasons (2026-12-03, the same training data; figures also in config.yml):
- The ResponseSelector's held-out F1 moved by up to three points from one training to the next
  on unchanged data (0.939 to 0.967 on tests/nlu/education_heldout.yml), so the 0.95 bar
  passed or failed by chance, and a new topic could not be added without a coin toss.
- One logistic regression over the same features the safety classifier reads (word and
  character n-grams and all-MiniLM-L6-v2 embeddings, backpain/text_features.py) is
  deterministic, trains in seconds rather than minutes, and ranked better: held-out answers
  F1 0.983 against 0.947, blind everyday answers 0.939 against 0.855.
Its two settings were chosen by five-fold cross-validation on the training examples alone
(C 3-100, embedding weight 0.5-3), never on the held-out files.

No Rasa imports: components/topic_selector.py feeds it training examples and messages.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

from backpain.encoder import SentenceEncoder, load_encoder
from backpain.text_features import Featurizer

# Chosen by cross-validation on the training examples (module docstring): accuracy 0.8725 at
# C 10 and weight 2, against 0.843-0.872 elsewhere in the grid.
INVERSE_REGULARISATION = 10.0
EMBEDDING_WEIGHT = 2.0
MODEL_FILE = "topic_ranker.pkl"


class TopicRanker:
    """Ranks the topics for a text, with a probability for each (they sum to one)."""

    def __init__(self, featurizer: Featurizer, model: object) -> None:
        self._featurizer = featurizer
        self._model = model
        self.topics: List[str] = [str(topic) for topic in getattr(model, "classes_")]

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        topics: Sequence[str],
        encoder: SentenceEncoder | None = None,
    ) -> "TopicRanker":
        from sklearn.linear_model import LogisticRegression

        if len(set(topics)) < 2:
            raise ValueError("the topic ranker needs examples of at least two topics")
        texts = list(texts)
        embeddings = (encoder or load_encoder()).embed(texts)
        featurizer = Featurizer("both", EMBEDDING_WEIGHT).fit(texts, embeddings)
        # lbfgs is deterministic: the same data gives the same ranker on every machine.
        model = LogisticRegression(C=INVERSE_REGULARISATION, max_iter=3000)
        model.fit(featurizer.transform(texts, embeddings), list(topics))
        return cls(featurizer, model)

    def rank(self, text: str, encoder: SentenceEncoder | None = None) -> List[Tuple[str, float]]:
        """Every topic with its probability, likeliest first."""
        embedding = (encoder or load_encoder()).embed([text])
        row = self._model.predict_proba(self._featurizer.transform([text], embedding))[0]  # type: ignore[attr-defined]
        order = np.argsort(-row, kind="stable")
        return [(self.topics[index], float(row[index])) for index in order]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / MODEL_FILE).open("wb") as out:
            pickle.dump({"featurizer": self._featurizer, "model": self._model}, out)

    @classmethod
    def load(cls, folder: Path) -> "TopicRanker":
        with (folder / MODEL_FILE).open("rb") as handle:
            saved = pickle.load(handle)  # our own trained model, inside the Rasa model archive
        return cls(saved["featurizer"], saved["model"])
