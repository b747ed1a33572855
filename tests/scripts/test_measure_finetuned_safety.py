"""The fine-tuned encoder's measurement compares models at matched error rates
(scripts/measure_finetuned_safety.py): its figures must follow the probabilities."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from backpain.safety_classifier import LABELS
from scripts import measure_finetuned_safety as measure


def _rows(risks: Sequence[float], crisis_share: float = 1.0) -> np.ndarray:
    """Probability rows: `risk` of each split between crisis and emergency, the rest none."""
    rows = np.zeros((len(risks), len(LABELS)), np.float32)
    for row, risk in zip(rows, risks):
        row[LABELS.index("crisis")] = risk * crisis_share
        row[LABELS.index("emergency")] = risk * (1 - crisis_share)
        row[LABELS.index("none")] = 1 - risk
    return rows


def test_everyday_messages_riskier_than_the_risk_messages_are_all_asked() -> None:
    groups = ["explicit"] * 100 + ["step_answer"] * 4 + ["everyday"] * 4 + ["look_alike"] * 50
    risks = [0.6] * 100 + [0.9, 0.9, 0.1, 0.1] + [0.0] * 4 + [0.0] * 50
    figures = measure.compare(_rows(risks), groups)
    assert figures["asked at 99% recall: step_answer"] == 0.5
    assert figures["asked at 99% recall: everyday"] == 0.0


def test_explicit_crisis_is_counted_against_the_look_alikes_crisis_scores() -> None:
    look_alikes = list(np.linspace(0.0, 0.99, 100))  # 2% above about 0.97, 5% above 0.94
    explicit = [0.985] * 10 + [0.96] * 10 + [0.5] * 20
    groups = ["explicit"] * 40 + ["look_alike"] * 100
    figures = measure.compare(_rows(explicit + look_alikes), groups)
    assert figures["explicit crisis at 2% look-alike crisis"] == 0.25
    assert figures["explicit crisis at 5% look-alike crisis"] == 0.5
