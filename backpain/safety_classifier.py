"""The safety classifier: the second layer of the safety screen, trained for this job alone.

The patterns (backpain/safety_patterns.py) catch the clear cases; people who never saw them
write the rest ("I'm going to swallow every tablet in the cupboard"). This classifier reads a
message as all-MiniLM-L6-v2 sentence embeddings (backpain/encoder.py) and gives each label a
probability with a multinomial logistic regression trained on a corpus written for safety
alone (content/safety/classifier_corpus.yml plus every non-safety NLU example as `none`).

Its decision has three bands, set at training time from out-of-fold recall on that corpus
(backpain/safety_training.py), never guessed:
- `escalate`: the label's probability is at or above its confident threshold;
- `ask`: the probability of any risk (1 - P(none)) is at or above the asking threshold, so the
  person gets the confirming question;
- `none`: below both.
A long message is read in windows of a few sentences and judged by its riskiest window, so a
crisis sentence in the middle of a paragraph about sleep is not averaged away.

English only: the encoder was trained on English, and the bands were measured on English.
"""

from __future__ import annotations

import json
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from backpain.encoder import SentenceEncoder, load_encoder

# Re-exported: classifiers pickled before the move name the featurizer here.
from backpain.text_features import FEATURE_SETS, Featurizer  # noqa: F401

LABEL_CRISIS = "crisis"
LABEL_EMERGENCY = "emergency"
LABEL_URGENT = "urgent"
LABEL_GP_SOON = "gp_soon"
LABEL_NONE = "none"
LABELS = (LABEL_CRISIS, LABEL_EMERGENCY, LABEL_URGENT, LABEL_GP_SOON, LABEL_NONE)
RISK_LABELS = LABELS[:-1]

DECISION_ESCALATE = "escalate"
DECISION_ASK = "ask"
DECISION_NONE = "none"

MODEL_FILE = "model.pkl"
BANDS_FILE = "bands.json"
# Windows of about this many words; at most this many windows per message (first and last
# halves of a very long one), which bounds the cost of a turn.
WINDOW_WORDS = 40
MAX_WINDOWS = 12
_SENTENCE_END = re.compile(r"(?<=[.!?\n;])\s+|\n+")


@dataclass(frozen=True)
class Bands:
    """Thresholds and the measurements that set them (kept for the README and the tests)."""

    escalate: Dict[str, float]
    ask: float
    measured: Dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Dict[str, object]) -> "Bands":
        escalate = {str(k): float(v) for k, v in dict(data["escalate"]).items()}  # type: ignore[arg-type]
        if set(escalate) != set(RISK_LABELS):
            raise ValueError(
                f"bands: escalate thresholds for {sorted(escalate)}, expected {RISK_LABELS}"
            )
        return cls(
            escalate=escalate, ask=float(data["ask"]), measured=dict(data.get("measured") or {})
        )  # type: ignore[arg-type]

    def to_json(self) -> Dict[str, object]:
        return {"escalate": self.escalate, "ask": self.ask, "measured": self.measured}


@dataclass(frozen=True)
class SafetyVerdict:
    decision: str  # escalate, ask or none
    label: str  # the likeliest risk label (even when the decision is none)
    probability: float  # that label's probability
    risk: float  # 1 - P(none) in the riskiest window
    scores: Dict[str, float]  # every label's probability in the riskiest window
    window: str = ""  # the riskiest window's text (for the context checks)

    def as_dict(self) -> Dict[str, object]:
        return {
            "decision": self.decision,
            "label": self.label,
            "probability": round(self.probability, 3),
            "risk": round(self.risk, 3),
        }


def windows(text: str) -> List[str]:
    """The whole message when short; else runs of whole sentences of up to WINDOW_WORDS words.

    A sentence longer than a window is cut into half-overlapping windows of words.
    """
    words = str(text or "").split()
    if not words:
        return []
    if len(words) <= WINDOW_WORDS:
        return [" ".join(words)]
    chunks: List[str] = []
    current: List[str] = []
    for sentence in _SENTENCE_END.split(str(text)):
        sentence_words = sentence.split()
        if len(current) + len(sentence_words) > WINDOW_WORDS and current:
            chunks.append(" ".join(current))
            current = []
        if len(sentence_words) > WINDOW_WORDS:
            step = WINDOW_WORDS // 2
            for start in range(0, len(sentence_words) - step, step):
                chunks.append(" ".join(sentence_words[start : start + WINDOW_WORDS]))
            continue
        current.extend(sentence_words)
    if current:
        chunks.append(" ".join(current))
    if len(chunks) > MAX_WINDOWS:
        half = MAX_WINDOWS // 2
        chunks = chunks[:half] + chunks[-half:]
    return chunks


class SafetyClassifier:
    """A trained classifier with its bands: a featurizer and a model giving LABELS probabilities."""

    def __init__(
        self,
        featurizer: "Featurizer",
        model: object,
        bands: Bands,
        encoder: Optional[SentenceEncoder] = None,
    ) -> None:
        self._featurizer = featurizer
        self._model = model
        self._classes = [str(c) for c in getattr(model, "classes_")]
        if sorted(self._classes) != sorted(LABELS):
            raise ValueError(f"classifier labels {self._classes}, expected {LABELS}")
        self.bands = bands
        self._encoder = encoder or load_encoder()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, len(LABELS)) probabilities in LABELS order, one row per text (no windowing)."""
        texts = list(texts)
        features = self._featurizer.transform(texts, self._encoder.embed(texts))
        raw = self._model.predict_proba(features)  # type: ignore[attr-defined]
        order = [self._classes.index(label) for label in LABELS]
        return raw[:, order]

    def assess(self, text: str) -> Optional[SafetyVerdict]:
        """The verdict on the message's riskiest window, or None for an empty message."""
        parts = windows(text)
        if not parts:
            return None
        probabilities = self.probabilities(parts)
        riskiest = int(np.argmax(1.0 - probabilities[:, LABELS.index(LABEL_NONE)]))
        return self.verdict(probabilities[riskiest], parts[riskiest])

    def verdict(self, row: np.ndarray, window: str = "") -> SafetyVerdict:
        scores = {label: float(row[index]) for index, label in enumerate(LABELS)}
        risk = 1.0 - scores[LABEL_NONE]
        label = max(RISK_LABELS, key=lambda name: scores[name])
        if scores[label] >= self.bands.escalate[label]:
            decision = DECISION_ESCALATE
        elif risk >= self.bands.ask:
            decision = DECISION_ASK
        else:
            decision = DECISION_NONE
        return SafetyVerdict(decision, label, scores[label], risk, scores, window)


def save_classifier(folder: Path, featurizer: Featurizer, model: object, bands: Bands) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / MODEL_FILE).open("wb") as out:
        pickle.dump({"featurizer": featurizer, "model": model}, out)
    (folder / BANDS_FILE).write_text(json.dumps(bands.to_json(), indent=2, sort_keys=True) + "\n")


@lru_cache(maxsize=2)
def load_classifier(folder: str) -> SafetyClassifier:
    """A classifier saved by backpain/safety_training.py (built by `make pipeline`; not committed)."""
    path = Path(folder)
    if not (path / MODEL_FILE).exists():
        raise FileNotFoundError(f"{path}: no trained safety classifier; `make pipeline` builds it")
    with (path / MODEL_FILE).open("rb") as handle:
        saved = pickle.load(handle)  # our own build output, never a file from outside
    bands = Bands.from_json(json.loads((path / BANDS_FILE).read_text()))
    return SafetyClassifier(saved["featurizer"], saved["model"], bands)
