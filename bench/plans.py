"""What each kind of benchmark run does: full, --quick and --smoke (see bench/run.py), and the
same three for --scaled (bench/scaled.py).

The open loop offers a fraction of the saturation the closed loop measured just before
(bench/offered.py), not a fixed number of people, so its figures mean the same on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OPEN_FRACTION = 0.5  # of the measured saturation (--fraction)


@dataclass(frozen=True)
class Plan:
    mode: str
    configs: Sequence[str]
    levels: Sequence[int]  # closed-loop conversations at once
    closed_seconds: float  # per level
    max_turns_per_conversation: int
    open_fraction: float  # of the saturation; 0: no open loop
    open_seconds: float
    open_interval: float  # seconds between one person's turns, on average
    open_jitter: float
    train: bool  # train from scratch (else reuse a model when there is one)
    held_out_nlu: bool
    statistic_questions: Optional[int]  # None: all of them
    data: Path  # the training data (both configurations get the same)


PLANS = {
    "full": Plan(
        mode="full",
        configs=("ours", "default"),
        levels=(1, 5, 20, 50),
        closed_seconds=30,
        max_turns_per_conversation=100_000,
        open_fraction=OPEN_FRACTION,
        open_seconds=65,
        open_interval=10,
        open_jitter=0.3,
        train=True,
        held_out_nlu=True,
        statistic_questions=None,
        data=PROJECT_ROOT / "data",
    ),
    "quick": Plan(
        mode="quick",
        configs=("ours", "default"),
        levels=(1, 5, 20),
        closed_seconds=6,
        max_turns_per_conversation=100_000,
        open_fraction=OPEN_FRACTION,
        open_seconds=15,
        open_interval=5,
        open_jitter=0.3,
        train=False,
        held_out_nlu=False,
        statistic_questions=3,
        data=PROJECT_ROOT / "data",
    ),
    "smoke": Plan(
        mode="smoke",
        configs=("ours",),
        levels=(1, 2),
        closed_seconds=30,
        max_turns_per_conversation=4,
        open_fraction=OPEN_FRACTION,
        open_seconds=4,
        open_interval=2,
        open_jitter=0.3,
        train=False,
        held_out_nlu=False,
        statistic_questions=2,
        data=PROJECT_ROOT / "data",
    ),
}


@dataclass(frozen=True)
class ScaledPlan:
    """One Rasa server against two behind nginx: the same closed loop, then the open loop."""

    mode: str
    levels: Sequence[int]
    closed_seconds: float
    max_turns_per_conversation: int
    open_fraction: float
    open_seconds: float
    open_interval: float
    open_jitter: float
    # Also offer the two servers the one server's load (its number of people), for latency at
    # the same absolute rate.
    same_people: bool
    # Also measure nginx over one Rasa server on PostgreSQL and Redis (what the stores cost).
    one_behind_nginx: bool


SCALED_PLANS = {
    "full": ScaledPlan("full", (1, 5, 20, 50), 30, 100_000, OPEN_FRACTION, 65, 10, 0.3, True, True),
    "quick": ScaledPlan("quick", (1, 5, 20), 6, 100_000, OPEN_FRACTION, 15, 5, 0.3, True, True),
    "smoke": ScaledPlan("smoke", (1, 2), 30, 4, OPEN_FRACTION, 2, 1, 0.3, True, False),
}
