"""`python -m bench --scaled`: one Rasa server against two behind nginx, on the same load.

With our model only (the benchmark's own, results/bench/models-ours/, when a full run left one;
else the newest in models/), each set-up in turn (bench/setups.py; the other one stopped):
warm-up of each Rasa server, the closed loop at each level through the set-up's front door (the
Rasa server, or nginx) to find its saturation, then the open loop offering the same fraction of
that set-up's own saturation (bench/offered.py). The two servers also get an open loop at the one
server's load (the same people), for latency at the same rate. Between the two, nginx over one
Rasa server on PostgreSQL and Redis separates what the shared stores and nginx cost per turn from
what the second server adds. Memory of the Rasa and action servers is sampled throughout. Writes
bench_scaled.json and bench_scaled.md (bench/scaled_report.py).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence

from bench import scaled_report
from bench.machine import machine
from bench.measure import CpuCounter, MemorySampler, tree_rss_mb
from bench.offered import open_loop_plan, plan_with_people, run_open_loop
from bench.phases import closed_loops, describe, live, saturation, warm_up
from bench.plans import SCALED_PLANS, ScaledPlan
from bench.progress import Progress
from bench.scenarios import Scenario, load_scenarios
from bench.setups import Target, scaled_servers, single_server
from tests.support.harness import latest_model

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUSY_LOAD_AVERAGE = 0.7
SetUp = Callable[[], AbstractContextManager[Target]]


def bench_model(out_dir: Path) -> Path:
    own = out_dir / "bench" / "models-ours" / "ours.tar.gz"
    return own if own.exists() else latest_model()


def measure(
    target: Target,
    plan: ScaledPlan,
    fraction: float,
    scenarios: Sequence[Scenario],
    progress: Progress,
    same_people: Optional[int] = None,
) -> Dict[str, Any]:
    """Warm-up, closed loop, open loop at `fraction` of the saturation (and, when given, at
    `same_people` people) against one running set-up."""
    run_id = f"bench-{target.name}-{os.getpid()}"
    progress.step(f"{target.name}: warming up each Rasa server, then through the front")
    for number, url in enumerate(target.rasa_urls):
        warm_up(url, scenarios, f"{run_id}-{number}")
    if target.url not in target.rasa_urls:  # nginx: its connections to the servers too
        warm_up(target.url, scenarios, run_id)
    idle = {name: tree_rss_mb(pid) for name, pid in target.pids.items()}
    progress.finish(f"{sum(idle.values()):.0f} MiB resident (Rasa and action servers)")

    results: Dict[str, Any] = {"description": target.description}
    with MemorySampler(target.pids) as memory:
        with CpuCounter({**target.pids, **target.others}) as cpu:
            closed = closed_loops(
                target.url,
                scenarios,
                plan.levels,
                plan.closed_seconds,
                plan.max_turns_per_conversation,
                run_id,
                progress,
                target.name,
            )
        results["closed_loop"] = closed
        answered = sum(run["turns"] - run["errors"] for run in closed)
        results["cpu_closed_loop"] = cpu.per_turn_ms(answered)
        results["saturation_turns_per_second"] = best = saturation(closed)
        results["open_loop"] = results["open_loop_same_people"] = None
        if best:
            offered = open_loop_plan(
                best, fraction, plan.open_interval, plan.open_seconds, plan.open_jitter
            )
            progress.step(f"{target.name}: open loop, {offered.describe()}")
            results["open_loop"] = run_open_loop(
                target.url, scenarios, offered, f"{run_id}-open", live(progress)
            )
            progress.finish(describe(results["open_loop"]))
            if same_people:
                same = plan_with_people(offered, same_people)
                progress.step(
                    f"{target.name}: open loop at the one server's load, {same.describe()}"
                )
                results["open_loop_same_people"] = run_open_loop(
                    target.url, scenarios, same, f"{run_id}-same", live(progress)
                )
                progress.finish(describe(results["open_loop_same_people"]))
    results["memory_mb"] = {
        "idle": round(sum(idle.values()), 1),
        "peak": memory.peak_total_mb,
        "peak_each": memory.peak_mb,
    }
    return results


def _steps(plan: ScaledPlan, setups: int) -> int:
    per_setup = 2 + len(plan.levels) + 1
    return setups * per_setup + plan.same_people


def compare(
    setups: Dict[str, SetUp],
    plan: ScaledPlan,
    fraction: float,
    model: Path,
    out_dir: Path,
    quiet: bool = False,
) -> Dict[str, Any]:
    """Measure each set-up in turn (single first: the scaled one reuses its load) and write the
    two outputs. Returns the results."""
    scenarios, skipped = load_scenarios()
    progress = Progress(_steps(plan, len(setups)), quiet=quiet)
    info = machine()
    notes = []
    if info["load_average_at_start"] > BUSY_LOAD_AVERAGE:
        notes.append(
            f"Measured while other work was running on the machine (1-minute load average "
            f"{info['load_average_at_start']} at the start): treat the timings as pessimistic."
        )
    if plan.mode != "full":
        notes.append(f"A {plan.mode} run: shortened, not comparable with a full run.")
    results: Dict[str, Any] = {
        "mode": plan.mode,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "notes": notes,
        "plan": {**plan.__dict__, "open_fraction": fraction},
        "model": str(model),
        "scenarios": [s.name for s in scenarios],
        "skipped_scenarios": list(skipped),
        "setups": {},
    }
    same_people: Optional[int] = None
    for name, start in setups.items():
        progress.step(f"{name}: starting")
        with start() as target:
            progress.finish(target.description)
            measured = measure(
                target,
                plan,
                fraction,
                scenarios,
                progress,
                same_people if plan.same_people and name == "scaled" else None,
            )
        results["setups"][name] = measured
        if same_people is None and measured["open_loop"]:
            same_people = measured["open_loop"]["offered"]["people"]
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    scaled_report.write(results, out_dir)
    return results


def main(mode: str, fraction: float, out: Optional[Path]) -> int:
    plan = SCALED_PLANS[mode]
    out_dir = (out or PROJECT_ROOT / "results").resolve()
    work = out_dir / "bench"
    work.mkdir(parents=True, exist_ok=True)
    model = bench_model(out_dir)
    print(
        f"Benchmark, scaled ({mode}): {model.name}; one Rasa server, then one and two behind nginx; "
        f"open loop at {fraction:.0%} of each one's saturation",
        file=sys.stderr,
    )
    setups: Dict[str, SetUp] = {"single": lambda: single_server(work, model)}
    if plan.one_behind_nginx:
        setups["nginx-1"] = lambda: scaled_servers(work, model, count=1)
    setups["scaled"] = lambda: scaled_servers(work, model)
    try:
        compare(
            setups,
            plan,
            fraction,
            model,
            out_dir,
        )
    except RuntimeError as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 1
    md = out_dir / scaled_report.MD_NAME
    print(md.read_text(encoding="utf-8"), end="")
    print(f"\nWrote {out_dir / scaled_report.JSON_NAME} and {md}")
    return 0
