#!/usr/bin/env python3
"""Train only when something changed, and keep only the newest few models (`make train`).

    .venv/bin/python scripts/train.py [--keep 3] [--force]

With every component cached, `rasa train` still packs a new ~100 MB model, so a restart took
about 70 s and left one more tarball in models/. Training is skipped when both hold:

1. the newest model in models/ was trained from the same domain.yml, config.yml and data/
   (a digest of them is recorded in models/.trained-inputs.json after each training), and
2. `rasa train --dry-run` exits 0: no component would be retrained.

Neither alone is enough. Rasa's dry run compares with its cache (.rasa/cache), not with the
newest model: after a change and its revert every component is a cache hit, yet the newest
model is the changed one; and it does not look at responses at all (it says so: "the responses
might still need updating"). The digest alone misses what only Rasa fingerprints (a component's
own version, the cache having been cleared). Rasa's dry-run exit code (rasa/model_training.py):
0 nothing to retrain, 1 (CODE_NEEDS_TO_BE_RETRAINED) some component must retrain, 8
(CODE_FORCED_TRAINING) --force; anything else is an error, so anything but 0 trains.

A fresh clone (no model, no record) always trains. After a training, models beyond the newest
`--keep` (by modification time, the order Rasa and tests/support/harness.py pick the newest in)
are deleted with their records; a running Rasa server has unpacked its model at start and does
not read the tarball again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_ROOT / "models"
RECORD_NAME = ".trained-inputs.json"
DEFAULT_KEEP = 3
# What `make train` trains from; config.yml names the built pipeline files by content hash
# (build/spacy/backpain-<hash>, build/safety/classifier-<hash>), so a rebuilt one changes it.
INPUTS = ("domain.yml", "config.yml", "data")
RASA_DRY_RUN_NOTHING_TO_TRAIN = 0
RASA_DRY_RUN_KNOWN_CODES = (0, 1, 8)


def inputs_digest(root: Path = PROJECT_ROOT, inputs: Sequence[str] = INPUTS) -> str:
    """SHA-256 over the relative path and bytes of every training input file, in sorted order."""
    digest = hashlib.sha256()
    for name in inputs:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def models_newest_first(models_dir: Path) -> List[Path]:
    return sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)


def read_record(models_dir: Path) -> Dict[str, str]:
    try:
        record = json.loads((models_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in record.items() if isinstance(v, str)} if isinstance(record, dict) else {}
    )


def write_record(models_dir: Path, record: Dict[str, str]) -> None:
    path = models_dir / RECORD_NAME
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def reason_to_train(models_dir: Path, digest: str, dry_run: Callable[[], int]) -> Optional[str]:
    """Why training is needed, or None when the newest model is up to date.

    `dry_run` runs `rasa train --dry-run` and returns its exit code; it is only called when
    the newest model's recorded inputs match (it takes a while).
    """
    models = models_newest_first(models_dir)
    if not models:
        return "no model in models/"
    recorded = read_record(models_dir).get(models[0].name)
    if recorded is None:
        return f"no record of what {models[0].name} was trained from"
    if recorded != digest:
        return "domain.yml, config.yml or data/ changed since the newest model was trained"
    code = dry_run()
    if code != RASA_DRY_RUN_NOTHING_TO_TRAIN:
        return f"rasa train --dry-run exited {code}: a component needs training"
    return None


def prune(models_dir: Path, keep: int) -> List[Path]:
    """Delete all but the newest `keep` models (and their records); returns what was deleted."""
    models = models_newest_first(models_dir)
    removed = models[keep:]
    for model in removed:
        model.unlink()
    record = read_record(models_dir)
    kept = {model.name for model in models[:keep]}
    if set(record) - kept:
        write_record(models_dir, {name: value for name, value in record.items() if name in kept})
    return removed


def rasa_command(rasa: str, models_dir: Path, *extra: str) -> List[str]:
    return [
        rasa,
        "train",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--config",
        "config.yml",
        "--out",
        str(models_dir),
        *extra,
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep", type=int, default=DEFAULT_KEEP, help="models to keep (3)")
    parser.add_argument("--force", action="store_true", help="train even when nothing changed")
    parser.add_argument("--rasa", default=str(PROJECT_ROOT / ".venv" / "bin" / "rasa"))
    parser.add_argument("--models", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    if args.keep < 1:
        parser.error("--keep must be at least 1: Rasa needs a model to run")
    models_dir: Path = args.models
    models_dir.mkdir(parents=True, exist_ok=True)
    digest = inputs_digest()

    def dry_run() -> int:
        command = rasa_command(args.rasa, models_dir, "--dry-run")
        result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if result.returncode not in RASA_DRY_RUN_KNOWN_CODES:  # an error, not an answer: show it
            print(result.stdout[-3000:] + result.stderr[-3000:], file=sys.stderr)
        return result.returncode

    reason = "--force" if args.force else reason_to_train(models_dir, digest, dry_run)
    if reason is None:
        print(f"Model up to date, not training: {models_newest_first(models_dir)[0].name}")
        prune(models_dir, args.keep)
        return 0
    print(f"Training ({reason}).")
    before = set(models_newest_first(models_dir))
    result = subprocess.run(rasa_command(args.rasa, models_dir), cwd=PROJECT_ROOT)
    if result.returncode != 0:
        return result.returncode
    new = [model for model in models_newest_first(models_dir) if model not in before]
    if not new:
        print("rasa train succeeded but wrote no model to models/", file=sys.stderr)
        return 1
    write_record(models_dir, {**read_record(models_dir), new[0].name: digest})
    for model in prune(models_dir, args.keep):
        print(f"Deleted an old model: {model.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
