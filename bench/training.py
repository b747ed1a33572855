"""Training a configuration from scratch, timed, into its own output folder.

"From scratch" means an empty Rasa training cache: RASA_CACHE_DIRECTORY (rasa/engine/caching.py)
points at a new temporary folder, so no component is reused from an earlier `rasa train`.
Training is serialised with everyone else's on this machine by the same lock `flock
/tmp/rasa-train.lock` takes (flock(2) on that file); the wait for the lock is not timed.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TRAIN_LOCK = Path("/tmp/rasa-train.lock")
CACHE_DIRECTORY_ENV = "RASA_CACHE_DIRECTORY"


class TrainingError(RuntimeError):
    pass


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    seconds: Optional[float]  # None when an existing model was reused
    size_mb: float


def model_size_mb(path: Path) -> float:
    return round(path.stat().st_size / 2**20, 2)


def train_from_scratch(
    config: Path,
    out_dir: Path,
    name: str,
    env: Dict[str, str],
    log: Path,
    on_wait: Callable[[], None] = lambda: None,
    data: Path = PROJECT_ROOT / "data",
) -> TrainedModel:
    """`rasa train` with `config` on the project's domain and data, an empty cache, and the model
    written to `out_dir/<name>.tar.gz`. Raises TrainingError with the log's tail on failure."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="bench-rasa-cache-") as cache, TRAIN_LOCK.open(
        "a"
    ) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(lock, fcntl.LOCK_EX)
        command = [
            str(VENV_BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            "domain.yml",
            "--data",
            str(data),
            "--out",
            str(out_dir),
            "--fixed-model-name",
            name,
            "--force",
        ]
        start = time.perf_counter()
        with log.open("w") as output:
            completed = subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                env={**env, CACHE_DIRECTORY_ENV: cache},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        seconds = round(time.perf_counter() - start, 1)
    if completed.returncode != 0 or not target.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise TrainingError(
            f"rasa train --config {config} failed ({completed.returncode}); see {log}:\n{tail}"
        )
    trained = TrainedModel(target, seconds, model_size_mb(target))
    timing_file(target).write_text(json.dumps({"seconds": seconds, "config": str(config)}) + "\n")
    return trained


def timing_file(model: Path) -> Path:
    """Where the training time of a model is kept, so a later run that reuses it can report it."""
    return model.with_name(model.name.replace(".tar.gz", "") + ".training.json")


def recorded_training_seconds(model: Path) -> Optional[float]:
    try:
        return float(json.loads(timing_file(model).read_text())["seconds"])
    except (OSError, KeyError, TypeError, ValueError):
        return None
