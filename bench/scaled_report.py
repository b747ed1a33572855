"""The outputs of `python -m bench --scaled`: bench_scaled.json (everything) and bench_scaled.md,
the table of one Rasa server against two behind nginx, with two ÷ one (and, when it ran, one
Rasa server behind nginx on the same stores, with two ÷ that one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

from bench.report import PERCENTILES, _fmt, lookup, ratio

JSON_NAME, MD_NAME = "bench_scaled.json", "bench_scaled.md"
COLUMNS = {
    "single": "one Rasa server",
    "nginx-1": "one behind nginx",
    "scaled": "two behind nginx",
}
RATIOS = {("scaled", "single"): "two ÷ one", ("scaled", "nginx-1"): "two ÷ one behind nginx"}


def metrics(results: Dict[str, Any]) -> List[Tuple[str, str, str, int]]:
    """(label, path inside a set-up's results, unit, decimals) of every row."""
    levels = sorted(
        {run["concurrency"] for s in results["setups"].values() for run in s["closed_loop"]}
    )
    return [
        ("saturation (best closed-loop turns/s)", "saturation_turns_per_second", "/s", 1),
        *[(f"closed loop, {n} conv.: turns/s", f"closed_loop.{n}.turns_per_second", "/s", 1)
          for n in levels],
        *[(f"closed loop, {n} conv.: p95", f"closed_loop.{n}.p95_ms", "ms", 1) for n in levels],
        ("closed loop: errors, all levels", "closed_errors", "", 0),
        ("open loop: offered turns/s", "open_loop.offered.turns_per_second", "/s", 2),
        ("open loop: people", "open_loop.offered.people", "", 0),
        *[(f"open loop: {p[:3]}", f"open_loop.{p}", "ms", 1) for p in PERCENTILES],
        ("open loop: answered turns/s", "open_loop.turns_per_second", "/s", 2),
        ("open loop: errors", "open_loop.errors", "", 0),
        ("open loop: late sends", "open_loop.late_sends", "", 0),
        *[(f"one server's load: {p[:3]}", f"open_loop_same_people.{p}", "ms", 1)
          for p in PERCENTILES],
        ("one server's load: errors", "open_loop_same_people.errors", "", 0),
        ("closed loop: CPU ms per turn, Rasa server(s)", "cpu:rasa", "", 1),
        ("closed loop: CPU ms per turn, action server", "cpu:actions", "", 1),
        ("closed loop: CPU ms per turn, PostgreSQL + Redis + nginx", "cpu:others", "", 1),
        ("closed loop: CPU ms per turn, load generator", "cpu:load generator", "", 1),
        ("closed loop: cores busy, whole machine", "cpu_closed_loop.cores_busy", "", 2),
        ("RSS Rasa + action servers, peak", "memory_mb.peak", "MiB", 0),
    ]  # fmt: skip


CPU_OTHERS = ("postgresql", "redis", "nginx")


def _cpu_part(name: str) -> str:
    """Which row a process's CPU time goes to: the Rasa servers together, the services together."""
    return "rasa" if name.startswith("rasa") else "others" if name in CPU_OTHERS else name


def _value(setup: Dict[str, Any], path: str) -> Any:
    if path == "closed_errors":
        return sum(run["errors"] for run in setup["closed_loop"])
    if path.startswith("cpu:"):  # CPU per turn of the named processes, summed
        spent = (setup.get("cpu_closed_loop") or {}).get("ms_per_turn") or {}
        names = [n for n in spent if _cpu_part(n) == path[4:]]
        return round(sum(spent[n] for n in names), 1) if names else None
    return lookup(setup, path)


def _notes(results: Dict[str, Any]) -> List[str]:
    lines = [f"> {note}" for note in results.get("notes", [])]
    for name, setup in results["setups"].items():
        lines.append(f"> {COLUMNS.get(name, name)}: {setup['description']}.")
        offered = (setup.get("open_loop") or {}).get("offered")
        if offered:
            lines.append(
                f"> Its open loop: {offered['people']} people, a turn every "
                f"~{offered['interval']:g} s, {offered['turns_per_second']:g} turns/s offered = "
                f"{offered['fraction']:.0%} of its own saturation ({offered['saturation']:g} "
                f"turns/s), for {offered['seconds']:g} s."
            )
        same = (setup.get("open_loop_same_people") or {}).get("offered")
        if same:
            lines.append(
                f"> Also at the one server's load: {same['people']} people, "
                f"{same['turns_per_second']:g} turns/s = {same['fraction']:.0%} of its saturation."
            )
    return lines


def markdown(results: Dict[str, Any]) -> str:
    setups = results["setups"]
    names = [name for name in COLUMNS if name in setups]
    ratios = [(pair, label) for pair, label in RATIOS.items() if set(pair) <= set(names)]
    lines = [
        f"# Scaled benchmark ({results['mode']} run): one Rasa server against two behind nginx",
        "",
        f"{results['date']} · {results['machine']['description']} · model "
        f"{Path(results['model']).name}",
        "",
        *_notes(results),
        "",
        "| metric | " + " | ".join([COLUMNS[n] for n in names] + [r for _, r in ratios]) + " |",
        "| --- |" + " ---: |" * (len(names) + len(ratios)),
    ]
    for label, path, unit, decimals in metrics(results):
        values = {n: _value(setups[n], path) for n in names}
        if all(v is None for v in values.values()):
            continue
        cells = [_fmt(values[n], unit, decimals) for n in names]
        for (top, bottom), _ in ratios:
            value = ratio(values[top], values[bottom])
            cells.append("–" if value is None else f"{value:.2f}×")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Scenarios: " + ", ".join(results.get("scenarios", [])), ""]
    return "\n".join(lines)


def write(results: Dict[str, Any], out_dir: Path) -> Dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"json": out_dir / JSON_NAME, "md": out_dir / MD_NAME}
    files["json"].write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files["md"].write_text(markdown(results), encoding="utf-8")
    return files
