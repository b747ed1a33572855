"""The scripted conversations the load generator walks (bench/scenarios.yml).

A scenario whose `requires` names an intent missing from data/nlu/ is left out (that area of the
assistant is not written yet), so the benchmark runs on whatever the project has today.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Set, Tuple

import yaml

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
SCENARIOS_FILE = BENCH_DIR / "scenarios.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"


@dataclass(frozen=True)
class Scenario:
    name: str
    turns: Tuple[str, ...]


def trained_intents(nlu_dir: Path = NLU_DIR) -> Set[str]:
    """Every intent with examples in the NLU training files (retrieval intents as `explain/x`)."""
    intents: Set[str] = set()
    for file in sorted(nlu_dir.glob("*.yml")):
        content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for item in content.get("nlu") or []:
            if isinstance(item, dict) and item.get("intent"):
                intents.add(str(item["intent"]))
    return intents


def load_scenarios(
    file: Path = SCENARIOS_FILE, available: Iterable[str] | None = None
) -> Tuple[List[Scenario], List[str]]:
    """(scenarios to run, names of scenarios skipped because an intent they need is missing)."""
    known = set(trained_intents() if available is None else available)
    content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    runnable: List[Scenario] = []
    skipped: List[str] = []
    for entry in content.get("scenarios") or []:
        name = str(entry["name"])
        turns = tuple(str(turn) for turn in entry.get("turns") or [])
        if not turns:
            raise ValueError(f"{file}: scenario {name!r} has no turns")
        missing = [intent for intent in entry.get("requires") or [] if intent not in known]
        if missing:
            skipped.append(f"{name} (needs {', '.join(missing)})")
        else:
            runnable.append(Scenario(name, turns))
    if not runnable:
        raise ValueError(f"{file}: no scenario can run; the intents they need are not in {NLU_DIR}")
    return runnable, skipped
