"""Build the spaCy pipeline the assistant loads, from the project's own files.

A spaCy model cannot be downloaded here, and none is needed: the pipeline is `spacy.blank("en")`
(English tokenizer) plus an `entity_ruler` whose patterns are generated from the study file's
names and synonyms (backpain.study.model). It is saved to build/spacy/backpain-<hash>, where the
hash covers everything that shapes the pipeline, and config.yml's SpacyNLP `model:` line is
pointed at it. Rasa keys its training cache on that path, so a new synonym means a new path
and a retrain; an unchanged study file means the same path and no retrain.

Usage: python scripts/build_spacy_pipeline.py [--check]
  --check  exit 1 (changing nothing) if config.yml does not point at the current pipeline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import spacy

from backpain.config_lines import point_config_line
from backpain.study.loading import load_study

PROJECT_ROOT = Path(__file__).resolve().parent.parent


CONFIG_FILE = PROJECT_ROOT / "config.yml"
BUILD_DIR = PROJECT_ROOT / "build" / "spacy"
MODEL_LINE = re.compile(
    r'^([ \t]*model:[ \t]*)"?build/spacy/backpain-[^"\s]*"?[ \t]*$', re.MULTILINE
)
# Bump when the way the pipeline is assembled changes (not its patterns).
BUILD_RECIPE_VERSION = "1"


def pipeline_path_for(patterns: list) -> str:
    digest = hashlib.sha256(
        json.dumps(
            {"recipe": BUILD_RECIPE_VERSION, "spacy": spacy.__version__, "patterns": patterns},
            sort_keys=True,
        ).encode()
    ).hexdigest()[:12]
    return f"build/spacy/backpain-{digest}"


def build(relative_path: str, patterns: list) -> None:
    target = PROJECT_ROOT / relative_path
    if (target / "config.cfg").exists():
        return
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    tmp.rename(target)  # appears whole or not at all
    for old in BUILD_DIR.glob("backpain-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)


def point_config_at(relative_path: str) -> bool:
    return point_config_line(CONFIG_FILE, MODEL_LINE, relative_path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    patterns = load_study().entity_patterns()
    relative_path = pipeline_path_for(patterns)
    if args.check:
        current = MODEL_LINE.search(CONFIG_FILE.read_text(encoding="utf-8"))
        ok = current is not None and relative_path in current.group(0)
        print(f"config.yml {'points at' if ok else 'does NOT point at'} {relative_path}")
        return 0 if ok else 1
    build(relative_path, patterns)
    if point_config_at(relative_path):
        print(
            f"spaCy pipeline: config.yml now points at {relative_path} (synonyms changed; commit config.yml)"
        )
    else:
        print(f"spaCy pipeline: {relative_path} ({len(patterns)} patterns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
