"""How fast a pacing plan may build up (plain Python, no Rasa).

Activity pacing as physiotherapists teach it (../shared/reference/clinical-reference.md, "Activity
pacing"): increase in small, planned steps of about 10-20% of the baseline, every few days to a
week, never doubling. A step bigger than that, or an increase every day, is questioned with the
reason, not silently accepted.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

from backpain.amount_parsing import Amount, IncreasePlan

# "About 10-20%": a quarter of the baseline is the most we accept, so that round numbers pass
# (5 minutes on a 20-minute baseline), and nothing near a doubling does.
MAX_STEP_FRACTION = 0.25
# "Every few days to a week": not every day.
MIN_DAYS_BETWEEN_STEPS = 2


class PacingProblem(str, Enum):
    STEP_TOO_BIG = "step_too_big"  # more than about 20% of the baseline
    PERCENT_TOO_BIG = "percent_too_big"  # "add 50% a week"
    TOO_OFTEN = "too_often"  # an increase every day


def largest_step(baseline: Amount) -> Amount:
    """The biggest step we accept on this baseline (rounded to one decimal place)."""
    return Amount(round(baseline.value * MAX_STEP_FRACTION, 1), baseline.unit)


def check_increase(plan: IncreasePlan, baseline: Optional[Amount]) -> Optional[PacingProblem]:
    """What is wrong with the plan's pace, or None when it builds up gradually."""
    if plan.percent is not None and plan.percent > MAX_STEP_FRACTION * 100:
        return PacingProblem.PERCENT_TOO_BIG
    if plan.step is not None and baseline is not None and plan.step.comparable_with(baseline):
        if plan.step.value > largest_step(baseline).value:
            return PacingProblem.STEP_TOO_BIG
    if plan.every_days < MIN_DAYS_BETWEEN_STEPS:
        return PacingProblem.TOO_OFTEN
    return None
