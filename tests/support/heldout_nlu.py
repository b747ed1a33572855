"""The held-out NLU files, never trained on: tests/nlu/ (written next to the topics, held to the
0.95 bar) and tests/nlu_blind/ (written blind, with their own floor; see tests/heldout/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from backpain.paths import PROJECT_ROOT

HELD_OUT_NLU_DIR = PROJECT_ROOT / "tests" / "nlu"
BLIND_NLU_DIR = PROJECT_ROOT / "tests" / "nlu_blind"
HELD_OUT_NLU_FILES: List[Path] = sorted(HELD_OUT_NLU_DIR.glob("*.yml")) + sorted(
    BLIND_NLU_DIR.glob("*.yml")
)
