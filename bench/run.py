"""`python -m bench`: the benchmark of issue 9 (see docs/bench.md).

For each configuration (ours: config.yml; default: bench/default_config.yml, Rasa's own) it
trains from scratch (timed), starts the action server and the Rasa server (tests/support/harness.py),
warms them up, asks the trial statistic questions, drives the REST channel in closed loop and
open loop while sampling resident memory, stops the servers and scores the held-out NLU files.
Then it writes bench.json, bench.md and bench_latency.png.

The open loop offers --fraction (0.5) of the saturation the closed loop found (bench/offered.py).

--smoke: our latest model only, 1 and 2 conversations for a few turns, a 4-second open loop, no
training, no `rasa test nlu` (what `make test` runs, through tests/bench/test_bench_smoke.py).
--quick: both configurations, short runs, models reused when they exist.
--scaled: our model only, one Rasa server against two behind nginx (bench/scaled.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bench import accuracy, report, targets
from bench.machine import machine
from bench.measure import MemorySampler, tree_rss_mb
from bench.offered import check_fraction, open_loop_plan, run_open_loop
from bench.phases import closed_loops, describe, live, saturation, warm_up
from bench.plans import OPEN_FRACTION, PLANS, Plan
from bench.progress import Progress
from bench.scenarios import Scenario, load_scenarios
from bench.training import (
    TrainedModel,
    TrainingError,
    model_size_mb,
    recorded_training_seconds,
    train_from_scratch,
)
from tests.support.harness import Assistant, latest_model, server_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILES = {
    "ours": PROJECT_ROOT / "config.yml",
    "default": PROJECT_ROOT / "bench" / "default_config.yml",
}
BUSY_LOAD_AVERAGE = 0.7  # a 1-minute load above this at the start means other work was running


# --- machine and models -----------------------------------------------------------------------


def bench_model_path(work: Path, config: str) -> Path:
    return work / f"models-{config}" / f"{config}.tar.gz"


def needs_training(config: str, plan: Plan, work: Path) -> bool:
    """Full runs train (that is the measurement); others reuse a bench model, or ours from models/."""
    return plan.train or not (bench_model_path(work, config).exists() or config == "ours")


def get_model(
    config: str, plan: Plan, out_dir: Path, work: Path, progress: Progress
) -> Dict[str, Any]:
    existing = bench_model_path(work, config)
    if not needs_training(config, plan, work):
        if existing.exists():
            return {
                "path": str(existing),
                "seconds": recorded_training_seconds(existing),
                "size_mb": model_size_mb(existing),
                "reused": True,
            }
        if not existing.exists():
            model = latest_model()
            return {
                "path": str(model),
                "seconds": None,
                "size_mb": model_size_mb(model),
                "reused": True,
            }
    progress.step(
        f"{config}: training from scratch ({CONFIG_FILES[config].relative_to(PROJECT_ROOT)})"
    )
    trained: TrainedModel = train_from_scratch(
        CONFIG_FILES[config],
        existing.parent,
        config,
        server_env(),
        work / f"train-{config}.log",
        on_wait=lambda: progress.update(
            "waiting for /tmp/rasa-train.lock (someone else is training)"
        ),
        data=plan.data,
    )
    progress.finish(f"{trained.seconds:.0f} s, model {trained.size_mb:.1f} MiB")
    return {
        "path": str(trained.path),
        "seconds": trained.seconds,
        "size_mb": trained.size_mb,
        "reused": False,
    }


# --- one configuration ------------------------------------------------------------------------


def load_and_measure(
    assistant: Assistant, config: str, plan: Plan, scenarios: Sequence[Scenario], progress: Progress
) -> Dict[str, Any]:
    """Warm-up, statistic questions and load runs against a running assistant."""
    url = assistant.rasa_url
    run_id = f"bench-{config}-{os.getpid()}"
    progress.step(f"{config}: warming up (each scenario once)")
    warm_up(url, scenarios, run_id)
    pids = {"rasa": assistant.rasa_server.pid, "actions": assistant.action_server.pid}
    idle = {name: tree_rss_mb(pid) for name, pid in pids.items()}
    progress.finish(f"Rasa {idle['rasa']:.0f} MiB, actions {idle['actions']:.0f} MiB resident")

    results: Dict[str, Any] = {}
    with MemorySampler(pids) as memory:
        questions = accuracy.load_statistic_questions()[: plan.statistic_questions]
        progress.step(f"{config}: {len(questions)} statistic questions as a trainee")
        exact = accuracy.exact_statistic_answers(assistant.send, questions, run_id)
        progress.finish(f"{exact['exact']}/{exact['asked']} with the exact figure")
        results["exact_statistics"] = exact

        closed = closed_loops(
            url,
            scenarios,
            plan.levels,
            plan.closed_seconds,
            plan.max_turns_per_conversation,
            run_id,
            progress,
            config,
        )
        results["closed_loop"] = closed
        results["saturation_turns_per_second"] = saturation(closed)

        results["open_loop"] = None
        if plan.open_fraction and results["saturation_turns_per_second"]:
            offered = open_loop_plan(
                results["saturation_turns_per_second"],
                plan.open_fraction,
                plan.open_interval,
                plan.open_seconds,
                plan.open_jitter,
            )
            progress.step(f"{config}: open loop, {offered.describe()}, {offered.seconds:g} s")
            results["open_loop"] = run_open_loop(url, scenarios, offered, run_id, live(progress))
            progress.finish(describe(results["open_loop"]))
    results["memory_mb"] = {
        "rasa_idle": idle["rasa"],
        "actions_idle": idle["actions"],
        "rasa_peak": memory.peak_mb["rasa"],
        "actions_peak": memory.peak_mb["actions"],
        "total_peak": memory.peak_total_mb,
    }
    return results


def bench_config(
    config: str,
    model: Dict[str, Any],
    plan: Plan,
    scenarios: Sequence[Scenario],
    work: Path,
    progress: Progress,
) -> Dict[str, Any]:
    workdir = work / f"servers-{config}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    progress.step(f"{config}: starting the action server and the Rasa server")
    assistant = Assistant(workdir=workdir, model=Path(model["path"]))
    try:
        assistant.start()
        progress.finish(
            f"up; logs in {workdir.relative_to(PROJECT_ROOT) if workdir.is_relative_to(PROJECT_ROOT) else workdir}"
        )
        measured = load_and_measure(assistant, config, plan, scenarios, progress)
    finally:
        assistant.stop()
    accuracy_results: Dict[str, Any] = {"exact_statistics": measured.pop("exact_statistics")}
    if plan.held_out_nlu:
        progress.step(f"{config}: rasa test nlu on the held-out files")
        accuracy_results.update(
            accuracy.held_out_nlu(Path(model["path"]), work / f"nlu-{config}", server_env())
        )
        progress.finish(
            f"intent F1 {accuracy_results['intent_f1']}, entity F1 {accuracy_results['entity_f1']}"
        )
    return {
        "config": str(CONFIG_FILES[config].relative_to(PROJECT_ROOT)),
        "model": model["path"],
        "training": {k: model[k] for k in ("seconds", "size_mb", "reused")},
        **measured,
        "accuracy": accuracy_results,
    }


# --- the whole run ----------------------------------------------------------------------------


def _total_steps(plan: Plan, trains: int) -> int:
    per_config = 3 + len(plan.levels) + bool(plan.open_fraction) + plan.held_out_nlu
    return trains + per_config * len(plan.configs)


def finish_results(results: Dict[str, Any]) -> Dict[str, Any]:
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    results["ratios"] = report.ratios(results)
    results["targets"] = targets.evaluate(results)
    return results


def new_results(
    plan: Plan, scenarios: Sequence[Scenario], skipped: Sequence[str]
) -> Dict[str, Any]:
    info = machine()
    notes = []
    if info["load_average_at_start"] > BUSY_LOAD_AVERAGE:
        notes.append(
            f"Measured while other work was running on the machine (1-minute load average "
            f"{info['load_average_at_start']} at the start): treat the timings as pessimistic."
        )
    if plan.data != PROJECT_ROOT / "data":
        notes.append(f"Trained on {plan.data}, not data/.")
    if plan.mode != "full":
        notes.append(f"A {plan.mode} run: shortened, not comparable with a full run.")
    return {
        "mode": plan.mode,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "notes": notes,
        "plan": {**plan.__dict__, "configs": list(plan.configs), "data": str(plan.data)},
        "scenarios": [s.name for s in scenarios],
        "skipped_scenarios": list(skipped),
        "configs": {},
    }


def run_smoke(assistant: Assistant, out_dir: Path) -> Dict[str, Any]:
    """The smoke run against an assistant that is already running (tests/bench/test_bench_smoke.py)."""
    plan = PLANS["smoke"]
    scenarios, skipped = load_scenarios()
    progress = Progress(_total_steps(plan, 0) - 1, quiet=True)
    results = new_results(plan, scenarios, skipped)
    model = {
        "path": str(assistant.model),
        "seconds": None,
        "size_mb": model_size_mb(assistant.model),
        "reused": True,
    }
    measured = load_and_measure(assistant, "ours", plan, scenarios, progress)
    exact = measured.pop("exact_statistics")
    results["configs"]["ours"] = {
        "config": "config.yml",
        "model": model["path"],
        "training": {k: model[k] for k in ("seconds", "size_mb", "reused")},
        **measured,
        "accuracy": {"exact_statistics": exact},
    }
    report.write(finish_results(results), out_dir)
    return results


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--smoke", action="store_true", help="tiny run: our model, 1-2 conversations, a few turns"
    )
    size.add_argument(
        "--quick", action="store_true", help="short run of both configurations, models reused"
    )
    parser.add_argument(
        "--reuse-models",
        action="store_true",
        help="use the models of the last run (results/bench/models-*) instead of training",
    )
    parser.add_argument(
        "--data", type=Path, help="train both configurations on this data folder instead of data/"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where the three outputs go (default results/, or results/bench-smoke/)",
    )
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="our model only: one Rasa server against two behind nginx on PostgreSQL and Redis",
    )
    parser.add_argument(
        "--fraction",
        type=float,
        default=OPEN_FRACTION,
        help=f"the open loop offers this fraction of the measured saturation ({OPEN_FRACTION})",
    )
    args = parser.parse_args(argv)
    try:
        check_fraction(args.fraction)
    except ValueError as error:
        parser.error(str(error))
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    if args.scaled:
        from bench import scaled  # PostgreSQL's and nginx's support, loaded only when asked

        return scaled.main(mode, args.fraction, args.out)

    plan = replace(PLANS[mode], open_fraction=args.fraction)
    if args.reuse_models:
        plan = replace(plan, train=False)
    if args.data:
        plan = replace(plan, data=args.data.resolve())
    out_dir = (
        args.out or PROJECT_ROOT / ("results/bench-smoke" if args.smoke else "results")
    ).resolve()
    work = out_dir / "bench"
    work.mkdir(parents=True, exist_ok=True)
    scenarios, skipped = load_scenarios()

    trains = sum(needs_training(config, plan, work) for config in plan.configs)
    progress = Progress(_total_steps(plan, trains))
    progress.note(
        f"Benchmark ({plan.mode}): {', '.join(plan.configs)}; scenarios: {', '.join(s.name for s in scenarios)}"
    )
    for name in skipped:
        progress.note(f"  skipped scenario: {name}")
    results = new_results(plan, scenarios, skipped)
    try:
        models = {
            config: get_model(config, plan, out_dir, work, progress) for config in plan.configs
        }
        for config in plan.configs:
            results["configs"][config] = bench_config(
                config, models[config], plan, scenarios, work, progress
            )
    except (TrainingError, RuntimeError) as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 1
    files = report.write(finish_results(results), out_dir)
    print(files["md"].read_text(), end="")
    print(
        "\nWrote "
        + ", ".join(
            str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path)
            for path in files.values()
        )
    )
    return 0
