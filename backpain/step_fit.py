"""Does a message answer the script step that was asked, or is it a remark typed there?

A free-text step takes whatever words come, so "hang on, the kettle's boiled" became the
situation of a thought record and "the bus was 40 minutes late" the pacing baseline (issue 14).
This compares the message, as an all-MiniLM-L6-v2 sentence vector (backpain/encoder.py), with
example answers to each step and with example remarks that answer no step
(content/scripts/step_examples.yml): the fit of a step is how much closer the message is to
that step's answers than to the remarks (mean cosine of the nearest few of each).

The scripts use it to ask, not to refuse: a message that fits its step poorly is not stored,
and the person is told so and may confirm it (actions/guided/validation.py). Plain Python; no
Rasa imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Protocol, Sequence

import numpy as np
import yaml

from backpain.paths import PROJECT_ROOT

EXAMPLES_FILE = PROJECT_ROOT / "content" / "scripts" / "step_examples.yml"
NEAREST = 3  # examples averaged on each side: one odd neighbour does not decide
# The parse-data key that carries the fits (set by components/step_fit.py, read by the validators).
STEP_FIT_KEY = "step_fit"
# A message that reads less like an answer to the step than this is not stored: "hang on, the
# kettle's boiled" is no thought-record situation. Set on the blind dev set
# tests/dev/step_answers_dev.yml: 3 of 240 answers held back, 93 of 100 remarks (config.yml).
STEP_FIT_THRESHOLD = -0.06


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class StepExamplesError(ValueError):
    """The examples file is missing, unreadable or has an empty step."""


@dataclass(frozen=True)
class StepExamples:
    answers: Dict[str, List[str]]  # step (the slot it fills) -> example answers
    not_answers: List[str]  # remarks that answer no step


def load_step_examples(path: Path = EXAMPLES_FILE) -> StepExamples:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise StepExamplesError(f"{path}: {error}") from error
    if not isinstance(raw, dict):
        raise StepExamplesError(f"{path}: expected 'answers' and 'not_answers'")
    answers = raw.get("answers")
    remarks = raw.get("not_answers")
    if not isinstance(answers, dict) or not isinstance(remarks, list) or not remarks:
        raise StepExamplesError(f"{path}: expected 'answers' by step and a list 'not_answers'")
    cleaned: Dict[str, List[str]] = {}
    for step, examples in answers.items():
        texts = [str(text) for text in examples or [] if str(text).strip()]
        if not texts:
            raise StepExamplesError(f"{path}: step '{step}' has no example answers")
        cleaned[str(step)] = texts
    return StepExamples(cleaned, [str(text) for text in remarks if str(text).strip()])


class StepFit:
    """Each step's fit for a message: positive when it reads like an answer to that step."""

    def __init__(self, examples: StepExamples, embedder: Embedder) -> None:
        self._embedder = embedder
        self._steps = sorted(examples.answers)
        self._answers = {step: embedder.embed(examples.answers[step]) for step in self._steps}
        self._remarks = embedder.embed(examples.not_answers)

    @property
    def steps(self) -> List[str]:
        return list(self._steps)

    def fits(self, text: str, vector: Optional[np.ndarray] = None) -> Dict[str, float]:
        """Fit per step (rounded); {} for a message without words."""
        if not str(text or "").strip():
            return {}
        if vector is None:
            vector = self._embedder.embed([text])[0]
        remark = _nearest_mean(self._remarks @ vector)
        return {
            step: round(_nearest_mean(self._answers[step] @ vector) - remark, 4)
            for step in self._steps
        }


def _nearest_mean(similarities: np.ndarray) -> float:
    top = np.sort(similarities)[-NEAREST:]
    return float(top.mean()) if len(top) else 0.0


def fits_poorly(fits: Mapping[str, float], step: str, threshold: float) -> bool:
    """True when the message was scored and reads less like an answer to `step` than `threshold`.
    A step without examples, or a message that was not scored, is never held back."""
    return step in fits and fits[step] < threshold
