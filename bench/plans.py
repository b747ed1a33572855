"""What each kind of benchmark run does: full, --quick and --smoke (see bench/run.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    mode: str
    configs: Sequence[str]
    levels: Sequence[int]  # closed-loop conversations at once
    closed_seconds: float  # per level
    max_turns_per_conversation: int
    open_people: int  # 0: no open loop
    open_seconds: float
    open_interval: float
    open_jitter: float
    train: bool  # train from scratch (else reuse a model when there is one)
    held_out_nlu: bool
    statistic_questions: Optional[int]  # None: all of them
    data: Path  # the training data (both configurations get the same)


PLANS = {
    "full": Plan(
        "full",
        ("ours", "default"),
        (1, 5, 20, 50),
        30,
        100_000,
        200,
        65,
        10,
        0.3,
        True,
        True,
        None,
        PROJECT_ROOT / "data",
    ),
    "quick": Plan(
        "quick",
        ("ours", "default"),
        (1, 5, 20),
        6,
        100_000,
        30,
        15,
        5,
        0.3,
        False,
        False,
        3,
        PROJECT_ROOT / "data",
    ),
    "smoke": Plan(
        "smoke", ("ours",), (1, 2), 30, 4, 0, 0, 0, 0, False, False, 2, PROJECT_ROOT / "data"
    ),
}
