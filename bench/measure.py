"""Summaries of a load run (latency percentiles, turns per second, errors), and the resident
memory and CPU time of a process with all its children, read from /proc."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench.loadgen import RunResult

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def _cpu_ticks(pid: int | str) -> int:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    except (OSError, IndexError, ValueError):
        return 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) so far of a process and its living descendants, in seconds."""
    children = _children_map()
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            total += _cpu_ticks(current)
            stack.extend(children.get(current, []))
    return total / CLOCK_TICKS


def own_cpu_seconds() -> float:
    """CPU time of this process alone (the load generator), without the servers it started."""
    return _cpu_ticks("self") / CLOCK_TICKS


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, every process included."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle and iowait
    return sum(values) - idle, sum(values)


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


class CpuCounter:
    """CPU time each named process tree (and this load generator) spent between entering and
    leaving, and how many of the machine's cores were busy meanwhile (every process counted,
    other people's work included)."""

    LOAD_GENERATOR = "load generator"

    def __init__(self, pids: Dict[str, int]):
        self.pids = pids
        self.spent: Dict[str, float] = {}
        self.cores_busy = 0.0

    def _now(self) -> Dict[str, float]:
        now = {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        now[self.LOAD_GENERATOR] = own_cpu_seconds()
        return now

    def __enter__(self) -> "CpuCounter":
        self._start, self._machine = self._now(), machine_cpu_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        end, (busy, total) = self._now(), machine_cpu_ticks()
        self.spent = {name: end[name] - self._start[name] for name in end}
        ticks = max(1, total - self._machine[1])
        self.cores_busy = (busy - self._machine[0]) / ticks * (os.cpu_count() or 1)

    def per_turn_ms(self, turns: int) -> Dict[str, object]:
        """CPU milliseconds per answered turn of each process tree, and the cores busy."""
        return {
            "turns": turns,
            "ms_per_turn": {
                name: round(seconds * 1000 / max(1, turns), 1)
                for name, seconds in self.spent.items()
            },
            "cores_busy": round(self.cores_busy, 2),
        }
