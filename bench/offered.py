"""The open loop's load as a fraction of the measured saturation, and the run that offers it.

A fixed number of people means a different thing on a slower machine: 200 people every 10 s are
half of what one server takes here and could be more than all of it elsewhere. So the open loop
offers `fraction` × the closed-loop saturation (turns/s) of the same set-up. Each simulated person
sends a turn every `interval` × uniform(1 − jitter, 1 + jitter) seconds, on average one turn per
`interval`, so `people` = offered rate × interval (rounded, at least one); the rate reported is
the one those people offer, people ÷ interval.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Optional, Sequence

from bench.loadgen import open_loop
from bench.measure import summarise
from bench.scenarios import Scenario

MAX_FRACTION = 2.0  # past saturation is allowed (overload), but not by mistake


@dataclass(frozen=True)
class OpenLoopPlan:
    fraction: float  # of the saturation
    saturation: float  # turns/s, the best closed-loop throughput
    people: int
    interval: float  # seconds between a person's turns, on average
    jitter: float
    seconds: float

    @property
    def offered_turns_per_second(self) -> float:
        return round(self.people / self.interval, 2)

    def describe(self) -> str:
        return (
            f"{self.people} people, a turn every ~{self.interval:g} s: "
            f"{self.offered_turns_per_second:g} turns/s offered, "
            f"{self.fraction:.0%} of {self.saturation:g} turns/s saturation"
        )


def check_fraction(fraction: float) -> float:
    if not 0 < fraction <= MAX_FRACTION:
        raise ValueError(f"the open loop's fraction of saturation must be in (0, {MAX_FRACTION}]")
    return fraction


def open_loop_plan(
    saturation: float, fraction: float, interval: float, seconds: float, jitter: float
) -> OpenLoopPlan:
    """The people who together offer `fraction` × `saturation` turns a second."""
    check_fraction(fraction)
    if not saturation > 0:
        raise ValueError("no saturation measured (no closed-loop turn answered): no open loop")
    if not interval > 0 or not seconds > 0:
        raise ValueError("the open loop needs a positive interval and duration")
    people = max(1, round(fraction * saturation * interval))
    return OpenLoopPlan(fraction, saturation, people, interval, jitter, seconds)


def plan_with_people(plan: OpenLoopPlan, people: int) -> OpenLoopPlan:
    """The same plan with another number of people (another set-up's load, for comparison)."""
    return OpenLoopPlan(
        round(people / plan.interval / plan.saturation, 3),
        plan.saturation,
        people,
        plan.interval,
        plan.jitter,
        plan.seconds,
    )


def run_open_loop(
    url: str,
    scenarios: Sequence[Scenario],
    plan: OpenLoopPlan,
    run_id: str,
    on_progress: Optional[Callable[[int, int], None]] = None,
) -> Dict[str, Any]:
    """The open loop's summary (bench/measure.py), with the plan that set its load."""
    run = asyncio.run(
        open_loop(
            url,
            scenarios,
            plan.people,
            plan.seconds,
            plan.interval,
            plan.jitter,
            run_id,
            on_progress=on_progress,
        )
    )
    return {
        **summarise(run),
        "offered": {**asdict(plan), "turns_per_second": plan.offered_turns_per_second},
    }
