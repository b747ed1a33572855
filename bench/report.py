"""The benchmark's outputs: bench.json (everything), bench.md (tables) and bench_latency.png
(latency percentiles against concurrency, one line per configuration and percentile)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

CONFIG_NAMES = {"ours": "ours (config.yml)", "default": "Rasa default"}
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")


def lookup(data: Dict[str, Any], path: str) -> Any:
    """A value by dotted path; a number part indexes the closed-loop list by concurrency."""
    current: Any = data
    for part in path.split("."):
        if current is None:
            return None
        if isinstance(current, list):
            current = next((run for run in current if str(run.get("concurrency")) == part), None)
        else:
            current = current.get(part)
    return current


LEVELS = (1, 5, 20, 50)  # the full run's closed-loop levels; a run's own levels are added


def metrics(results: Dict[str, Any]) -> List[Tuple[str, str, str, int]]:
    """(label, path inside a configuration's results, unit, decimals) of every table row."""
    levels = sorted(
        set(LEVELS)
        | {
            run["concurrency"]
            for config in results["configs"].values()
            for run in config.get("closed_loop") or []
        }
    )
    return [
        *[
            (f"closed loop, {n} conv.: {p[:3]}", f"closed_loop.{n}.{p}", "ms", 1)
            for n in levels
            for p in PERCENTILES
        ],
        *[
            (f"closed loop, {n} conv.: turns/s", f"closed_loop.{n}.turns_per_second", "/s", 1)
            for n in levels
        ],
        *[(f"closed loop, {n} conv.: errors", f"closed_loop.{n}.errors", "", 0) for n in levels],
        ("saturation (best closed-loop turns/s)", "saturation_turns_per_second", "/s", 1),
        ("open loop: offered turns/s", "open_loop.offered.turns_per_second", "/s", 2),
        ("open loop: people", "open_loop.offered.people", "", 0),
        *[(f"open loop: {p[:3]}", f"open_loop.{p}", "ms", 1) for p in PERCENTILES],
        ("open loop: turns/s", "open_loop.turns_per_second", "/s", 2),
        ("open loop: errors", "open_loop.errors", "", 0),
        ("open loop: late sends", "open_loop.late_sends", "", 0),
        ("training from scratch", "training.seconds", "s", 1),
        ("model size", "training.size_mb", "MiB", 1),
        ("RSS Rasa server, peak", "memory_mb.rasa_peak", "MiB", 0),
        ("RSS action server, peak", "memory_mb.actions_peak", "MiB", 0),
        ("RSS both, peak", "memory_mb.total_peak", "MiB", 0),
        ("intent F1 (all held-out)", "accuracy.intent_f1", "", 3),
        ("education response F1", "accuracy.response_selection_f1", "", 3),
        ("entity F1 (trial held-out)", "accuracy.entity_f1", "", 3),
        ("exact statistic answers", "accuracy.exact_statistics.share", "", 3),
    ]


def ratio(ours: Any, default: Any) -> Optional[float]:
    if not isinstance(ours, (int, float)) or not isinstance(default, (int, float)) or default == 0:
        return None
    return round(ours / default, 3)


def ratios(results: Dict[str, Any]) -> Dict[str, Optional[float]]:
    configs = results["configs"]
    if "default" not in configs:
        return {}
    return {
        label: ratio(lookup(configs["ours"], path), lookup(configs["default"], path))
        for label, path, _, _ in metrics(results)
    }


def _fmt(value: Any, unit: str, decimals: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        text = f"{value:.{decimals}f}"
        return f"{text} {unit}".strip() if unit in ("ms", "s", "MiB") else text
    return str(value)


def open_loop_notes(configs: Dict[str, Any]) -> List[str]:
    """One line per configuration: the load its open loop offered, and as what fraction."""
    lines = []
    for name, config in configs.items():
        offered = (config.get("open_loop") or {}).get("offered")
        if offered:
            lines.append(
                f"> Open loop, {CONFIG_NAMES.get(name, name)}: {offered['people']} people, a turn "
                f"every ~{offered['interval']:g} s, {offered['turns_per_second']:g} turns/s offered "
                f"= {offered['fraction']:.0%} of its own saturation "
                f"({offered['saturation']:g} turns/s), for {offered['seconds']:g} s."
            )
    return lines


def markdown(results: Dict[str, Any]) -> str:
    configs = results["configs"]
    names = [name for name in ("ours", "default") if name in configs]
    lines = [
        f"# Benchmark ({results['mode']} run)",
        "",
        f"{results['date']} · {results['machine']['description']}",
        "",
    ]
    lines += [f"> {note}" for note in results.get("notes", [])]
    lines += open_loop_notes(configs)
    lines += [
        "",
        "| metric | "
        + " | ".join(CONFIG_NAMES[n] for n in names)
        + (" | ours ÷ default |" if len(names) == 2 else " |"),
        "| --- |" + " ---: |" * (len(names) + (len(names) == 2)),
    ]
    table_ratios = results.get("ratios", {})
    for label, path, unit, decimals in metrics(results):
        values = [lookup(configs[n], path) for n in names]
        if all(v is None for v in values):
            continue
        row = f"| {label} | " + " | ".join(_fmt(v, unit, decimals) for v in values)
        if len(names) == 2:
            value = table_ratios.get(label)
            row += f" | {'–' if value is None else f'{value:.2f}×'}"
        lines.append(row + " |")
    if results.get("targets"):
        lines += [
            "",
            "## Targets (issue 9)",
            "",
            "| target | measured | met |",
            "| --- | --- | --- |",
        ]
        for target in results["targets"]:
            met = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
            lines.append(f"| {target['target']} | {target['measured']} | {met} |")
    skipped = results.get("skipped_scenarios") or []
    lines += ["", "Scenarios: " + ", ".join(results.get("scenarios", []))]
    if skipped:
        lines.append("Skipped (intents not in the training data yet): " + "; ".join(skipped))
    lines += ["", "![latency against concurrency](bench_latency.png)", ""]
    return "\n".join(lines)


def plot(results: Dict[str, Any], file: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"ours": "#1b7837", "default": "#762a83"}
    styles = {"p50_ms": ":", "p95_ms": "-", "p99_ms": "--"}
    figure, axes = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    for name, config in results["configs"].items():
        runs = [run for run in config.get("closed_loop") or [] if run.get("p50_ms") is not None]
        for p in PERCENTILES:
            axes.plot(
                [run["concurrency"] for run in runs],
                [run[p] for run in runs],
                styles[p],
                marker="o",
                color=colours.get(name, "grey"),
                label=f"{CONFIG_NAMES.get(name, name)} {p[:3]}",
            )
    from matplotlib.ticker import (
        FixedLocator,
        LogLocator,
        NullFormatter,
        NullLocator,
        ScalarFormatter,
    )

    axes.set_xscale("log")
    axes.set_yscale("log")
    levels = sorted(
        {
            run["concurrency"]
            for config in results["configs"].values()
            for run in config.get("closed_loop") or []
        }
    )
    axes.xaxis.set_major_locator(FixedLocator(levels))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.xaxis.set_major_formatter(ScalarFormatter())
    axes.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(ScalarFormatter())
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("conversations at once (closed loop, turns back to back)")
    axes.set_ylabel("latency per turn (ms)")
    axes.set_title(f"Latency against concurrency · {results['date'][:10]}")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(file)
    plt.close(figure)


def write(results: Dict[str, Any], out_dir: Path) -> Dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "json": out_dir / "bench.json",
        "md": out_dir / "bench.md",
        "png": out_dir / "bench_latency.png",
    }
    files["json"].write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files["md"].write_text(markdown(results), encoding="utf-8")
    plot(results, files["png"])
    return files
