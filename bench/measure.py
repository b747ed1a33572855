"""Summaries of a load run (latency percentiles, turns per second, errors) and the resident
memory of a process with all its children, read from /proc."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench.loadgen import RunResult

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """Nearest-rank percentile (None for no values): the smallest value with p% at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(result: RunResult) -> Dict[str, object]:
    """Latencies in milliseconds over the turns that got an answer; errors counted apart."""
    answered = [t.latency * 1000 for t in result.turns if t.ok]
    elapsed = max(result.elapsed, 1e-9)

    def ms(p: float) -> Optional[float]:
        value = percentile(answered, p)
        return None if value is None else round(value, 1)

    errors = [t.error for t in result.turns if not t.ok]
    return {
        "mode": result.mode,
        "concurrency": result.concurrency,
        "turns": len(result.turns),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "empty_replies": sum(t.empty for t in result.turns),
        "late_sends": result.late_sends,
        "seconds": round(result.elapsed, 2),
        "turns_per_second": round(len(answered) / elapsed, 2),
        "p50_ms": ms(50),
        "p95_ms": ms(95),
        "p99_ms": ms(99),
        "max_ms": round(max(answered), 1) if answered else None,
    }


# --- memory ---------------------------------------------------------------------------------


def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces or parentheses: the fields start after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _rss_kb(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0  # the process has ended


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (0 when it is gone)."""
    children = _children_map()
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_kb(current)
        stack.extend(children.get(current, []))
    return round(total / 1024, 1)


class MemorySampler:
    """Samples the resident memory of named process trees in a background thread; keeps the peak."""

    def __init__(self, pids: Dict[str, int], every: float = 0.5):
        self.pids, self.every = pids, every
        self.peak_mb: Dict[str, float] = {name: 0.0 for name in pids}
        self.peak_total_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> Dict[str, float]:
        now = {name: tree_rss_mb(pid) for name, pid in self.pids.items()}
        for name, value in now.items():
            self.peak_mb[name] = max(self.peak_mb[name], value)
        self.peak_total_mb = max(self.peak_total_mb, round(sum(now.values()), 1))
        return now

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
