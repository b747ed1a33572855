"""The machine the figures were measured on, recorded with every run's results."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Dict


def machine() -> Dict[str, Any]:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    cores = os.cpu_count()
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "rasa": metadata.version("rasa"),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "description": f"{cores} cores ({cpu}), {memory_gib} GiB, Python {platform.python_version()}, "
        f"Rasa {metadata.version('rasa')}",
    }
