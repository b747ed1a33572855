"""A stand-in for the safety classifier, so that each layer's path can be pinned down, and the
screen's decision for a message."""

from __future__ import annotations

from typing import Dict, Optional

from backpain.safety_classifier import (
    DECISION_NONE,
    LABEL_CRISIS,
    SafetyVerdict,
)
from backpain.safety_layers import (
    screen_message,
)
from backpain.safety_patterns import (
    SafetyPatterns,
)


class StubClassifier:
    """Answers with a fixed verdict, or raises."""

    def __init__(
        self, decision: str = DECISION_NONE, label: str = LABEL_CRISIS, fail: bool = False
    ) -> None:
        self.decision, self.label, self.fail = decision, label, fail

    def assess(self, text: str) -> Optional[SafetyVerdict]:
        if self.fail:
            raise RuntimeError("broken model")
        scores: Dict[str, float] = {self.label: 0.9}
        return SafetyVerdict(self.decision, self.label, 0.9, 0.9, scores)


def kind_of(
    text: str, patterns: SafetyPatterns, classifier: Optional[StubClassifier] = None
) -> Optional[str]:
    result = screen_message(text, patterns, classifier or StubClassifier())
    return result.match.kind if result.match else None
