"""The load phases both bench modes share: warm-up, the closed-loop levels (which find the
saturation) and the one-line descriptions the progress display prints."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional, Sequence

from bench.loadgen import closed_loop
from bench.measure import summarise
from bench.progress import Progress
from bench.scenarios import Scenario


def live(progress: Progress) -> Callable[[int, int], None]:
    return lambda turns, errors: progress.update(f"{turns} turns, {errors} errors")


def describe(summary: Dict[str, Any]) -> str:
    late = f", {summary['late_sends']} late sends" if summary["mode"] == "open" else ""
    return (
        f"{summary['turns']} turns, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, {summary['turns_per_second']} turns/s, "
        f"{summary['errors']} errors{late}"
    )


def warm_up(url: str, scenarios: Sequence[Scenario], run_id: str) -> None:
    """Each scenario once, one conversation, not measured (the first turns load the models)."""
    turns = sum(len(s.turns) for s in scenarios)
    asyncio.run(closed_loop(url, scenarios, 1, 600, turns, f"{run_id}-warm"))


def closed_loops(
    url: str,
    scenarios: Sequence[Scenario],
    levels: Sequence[int],
    seconds: float,
    max_turns_per_conversation: int,
    run_id: str,
    progress: Progress,
    label: str,
) -> List[Dict[str, Any]]:
    """One closed-loop run per level of conversations at once, each summarised."""
    closed: List[Dict[str, Any]] = []
    for level in levels:
        progress.step(f"{label}: closed loop, {level} conversation{'s' * (level > 1)}")
        run = asyncio.run(
            closed_loop(
                url,
                scenarios,
                level,
                seconds,
                max_turns_per_conversation,
                run_id,
                live(progress),
            )
        )
        closed.append(summarise(run))
        progress.finish(describe(closed[-1]))
    return closed


def saturation(closed: Sequence[Dict[str, Any]]) -> Optional[float]:
    """The best closed-loop turns/s (None when no level got an answer)."""
    answered = [run["turns_per_second"] for run in closed if run["turns"]]
    return max(answered) if answered else None
