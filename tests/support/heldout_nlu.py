"""The held-out NLU files, never trained on: tests/nlu/ (written next to the topics, held to the
0.95 bar) and tests/nlu_blind/ (written blind, with their own floor; see tests/heldout/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import List

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HELD_OUT_NLU_FILES: List[Path] = sorted((PROJECT_ROOT / "tests" / "nlu").glob("*.yml")) + sorted(
    (PROJECT_ROOT / "tests" / "nlu_blind").glob("*.yml")
)
