"""What the study query tests share: the project's study file, loaded once, and how answers
name their sources."""

from __future__ import annotations

from backpain.study.answer import MINUS
from backpain.study.loading import load_study

STUDY = load_study()
M = MINUS  # answers write negatives with the minus sign


def sources_named(text: str) -> bool:
    return "(source: " in text or "(sources: " in text
