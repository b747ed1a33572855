"""Train the safety classifier, measure it, and set its bands from measured recall.

Run by `make pipeline` (python -m backpain.safety_training). The training corpus is:
- content/safety/classifier_corpus.yml: messages written for the safety classifier alone
  (crisis by C-SSRS level, red flags by NICE NG59 category, and look-alikes labelled `none`);
- data/nlu/*.yml: the safety intents' examples with their labels;
- content/safety/everyday_negatives.yml: a fixed copy of the other intents' examples, as `none`
  (what people ask the assistant day to day). It is a copy, refreshed on purpose with
  --refresh-everyday, so that NLU work does not move the safety bands unseen: twice, new intent
  examples read as negatives moved the bands and the held-out safety figures (docs/safety.md).
The blind held-out set (tests/heldout/safety.yml) is never read here.

With --compare, three feature sets are measured by 5-fold cross-validation on that corpus:
sentence embeddings (all-MiniLM-L6-v2), word and character n-grams, and both; the one with the
best recall at the allowed false-alarm rate is kept (CHOSEN_FEATURES records the last winner,
which the build trains). The bands are set from the chosen model's out-of-fold probabilities (averaged over REPEATS
shufflings of the folds):
- escalate (per label): the lowest threshold at which at most ESCALATE_FALSE_ALARM of the
  look-alikes the context does not already cap would get that label's advice, and at most
  EVERYDAY_ESCALATED of everyday messages;
- ask: the highest threshold at which at least ASK_RECALL of the risk messages are either
  escalated or asked about, raised if needed so that at most EVERYDAY_ASKED of everyday
  messages (the other intents' examples) get the safety question.
The result goes to build/safety/classifier-<hash>/ (the hash covers the corpus, the recipe and
the encoder), and config.yml's SafetyScreen `classifier:` line is pointed at it, so Rasa's
training cache sees a new classifier as a change. Nothing happens when it already exists.

Usage: python -m backpain.safety_training [--check] [--compare] [--refresh-everyday]
  --check   exit 1 if config.yml does not point at the current classifier
  --refresh-everyday  copy the current non-safety NLU examples to the everyday file (then
            measure the safety sets again: the bands will move)
  --compare train and measure every feature set (slower) and keep the best; the build
            trains CHOSEN_FEATURES only, the winner of the last comparison
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
import yaml

from backpain.config_lines import point_config_line
from backpain.encoder import DEFAULT_FOLDER, load_encoder
from backpain.paths import PROJECT_ROOT
from backpain.safety_classifier import (
    FEATURE_SETS,
    LABEL_CRISIS,
    LABEL_EMERGENCY,
    LABEL_NONE,
    LABEL_URGENT,
    LABELS,
    RISK_LABELS,
    Bands,
    Featurizer,
    save_classifier,
)
from backpain.safety_pattern_file import DEFAULT_PATTERNS_FILE

CORPUS_FILE = PROJECT_ROOT / "content" / "safety" / "classifier_corpus.yml"
NLU_FOLDER = PROJECT_ROOT / "data" / "nlu"
EVERYDAY_FILE = PROJECT_ROOT / "content" / "safety" / "everyday_negatives.yml"
EVERYDAY_HEADER = """\
# Everyday negatives for the safety classifier: the non-safety intents' NLU examples, copied by
# `python -m backpain.safety_training --refresh-everyday`. A fixed copy, so that NLU work moves the
# safety bands only when someone refreshes it and measures the safety sets again. Do not edit.
"""
BUILD_DIR = PROJECT_ROOT / "build" / "safety"
CONFIG_FILE = PROJECT_ROOT / "config.yml"
CLASSIFIER_LINE = re.compile(
    r'^([ \t]*classifier:[ \t]*)"?build/safety/classifier-[^"\s]*"?[ \t]*$', re.MULTILINE
)
# Bump when the features, the model or the band rules change.
RECIPE_VERSION = "4"

# NLU intents that are safety labels; every other intent's examples are `none`.
NLU_LABELS = {
    "crisis": LABEL_CRISIS,
    "red_flag_emergency": LABEL_EMERGENCY,
    "red_flag_urgent": LABEL_URGENT,
}
# Not a label of their own and not safe to call `none`: a message that might be a red flag.
NLU_SKIPPED = {"red_flag_unclear"}
ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")

# Band rules (see the module docstring). Look-alikes are the corpus's `none` examples, the
# hard negatives; a confident band may send at most ESCALATE_FALSE_ALARM of them to advice.
ESCALATE_FALSE_ALARM = 0.05
ASK_RECALL = 0.99
# A safety question on about one everyday message in fifty is the most we accept: each is a person
# asked about suicide or the emergency department when they asked about sleep.
EVERYDAY_ASKED = 0.02
# Advice (the emergency department, crisis support) for one everyday message in 500 at most.
EVERYDAY_ESCALATED = 0.002
# A confident band is never below this, whatever the look-alikes allow: the classifier alone
# sends someone to the emergency department only when it is clearly more sure than not.
ESCALATE_FLOOR = 0.75
FOLDS = 5
SEED = 2023
# Out-of-fold probabilities are averaged over this many shufflings of the folds. With one, the
# crisis band rested on which fold each look-alike fell in: taking one example out of 7,351
# moved it from 0.823 to 0.913 (2026-12-03). Averaging costs a few minutes of training.
REPEATS = 3
# The winner of `--compare` (2026-11-30, 4,584 examples, 5-fold): word and character n-grams
# with the embeddings scored 0.735 (mean recall of the right escalation at the allowed
# false-alarm rate), n-grams alone 0.689, embeddings alone 0.627 (docs/safety.md).
CHOSEN_FEATURES = "both"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    hard_negative: bool  # a look-alike written for the safety corpus


def corpus_examples(path: Path = CORPUS_FILE) -> List[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for index, entry in enumerate(data.get("examples") or []):
        label = entry.get("label")
        if label not in LABELS or not isinstance(entry.get("text"), str):
            raise ValueError(f"{path}: examples[{index}]: expected text and a label in {LABELS}")
        examples.append(Example(entry["text"].strip(), label, label == LABEL_NONE))
    return examples


def nlu_examples(folder: Path = NLU_FOLDER) -> List[Example]:
    examples = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = str(block.get("intent") or "")
            if not intent or intent in NLU_SKIPPED:
                continue
            label = NLU_LABELS.get(intent, LABEL_NONE)
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:]).strip()
                    if text:
                        examples.append(Example(text, label, False))
    return examples


def everyday_examples(path: Path = EVERYDAY_FILE) -> List[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts = data.get("examples")
    if not isinstance(texts, list) or not all(
        isinstance(text, str) and text.strip() for text in texts
    ):
        raise ValueError(f"{path}: examples: expected a list of non-empty strings")
    return [Example(text.strip(), LABEL_NONE, False) for text in texts]


def refresh_everyday(path: Path = EVERYDAY_FILE) -> int:
    """Copy the non-safety NLU examples to the everyday file; returns how many."""
    texts = [example.text for example in nlu_examples() if example.label == LABEL_NONE]
    path.write_text(
        EVERYDAY_HEADER + yaml.safe_dump({"examples": texts}, allow_unicode=True, width=1000),
        encoding="utf-8",
    )
    return len(texts)


def training_examples() -> List[Example]:
    seen = set()
    unique = []
    safety_labelled = [example for example in nlu_examples() if example.label != LABEL_NONE]
    for example in corpus_examples() + safety_labelled + everyday_examples():
        key = example.text.lower()
        if key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


# -- features and models --------------------------------------------------------------------


def new_model():  # noqa: ANN201
    from sklearn.linear_model import LogisticRegression

    # Balanced class weights: crisis and red flags are a minority among everyday messages.
    return LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced")


def _fold(kind: str, texts: List[str], labels: np.ndarray, embeddings: np.ndarray, train, test):  # noqa: ANN001,ANN202
    featurizer = Featurizer(kind).fit([texts[i] for i in train], embeddings[train])
    model = new_model().fit(
        featurizer.transform([texts[i] for i in train], embeddings[train]), labels[train]
    )
    raw = model.predict_proba(featurizer.transform([texts[i] for i in test], embeddings[test]))
    order = [list(model.classes_).index(label) for label in LABELS]
    return test, raw[:, order]


def out_of_fold(
    kind: str, texts: List[str], labels: np.ndarray, embeddings: np.ndarray
) -> np.ndarray:
    """Each example's probabilities from models that did not see it, averaged over REPEATS
    shufflings of the folds (the folds of one shuffling run in parallel)."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros((len(texts), len(LABELS)))
    for repeat in range(REPEATS):
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED + repeat).split(
            texts, labels
        )
        results = Parallel(n_jobs=2)(
            delayed(_fold)(kind, texts, labels, embeddings, train, test) for train, test in folds
        )
        for test, rows in results:
            probabilities[test] += rows / REPEATS
    return probabilities


def set_bands(
    probabilities: np.ndarray, labels: np.ndarray, hard: np.ndarray, capped: Dict[str, np.ndarray]
) -> Bands:
    """Bands from out-of-fold probabilities (see ESCALATE_FALSE_ALARM and ASK_RECALL).

    A look-alike whose context already caps the classifier at asking (an idiom, a list of
    signs, the past, someone else: backpain/safety_layers.py) cannot be escalated by it, so
    the confident bands are set on the look-alikes that reach the classifier uncapped.
    """
    escalate: Dict[str, float] = {}
    everyday = (labels == LABEL_NONE) & ~hard
    for index, label in enumerate(RISK_LABELS):
        negatives = probabilities[hard & ~capped[label]]
        # The score a look-alike reaches at the allowed false-alarm quantile, and the score an
        # everyday message reaches at EVERYDAY_ESCALATED: the band sits above both.
        allowed = (
            float(np.quantile(negatives[:, index], 1.0 - ESCALATE_FALSE_ALARM))
            if len(negatives)
            else 0.0
        )
        ordinary = probabilities[everyday & ~capped[label]][:, index]
        if len(ordinary):
            allowed = max(allowed, float(np.quantile(ordinary, 1.0 - EVERYDAY_ESCALATED)))
        escalate[label] = round(max(ESCALATE_FLOOR, min(0.99, allowed + 1e-3)), 3)
    risky = labels != LABEL_NONE
    everyday = (labels == LABEL_NONE) & ~hard
    risk = 1.0 - probabilities[:, LABELS.index(LABEL_NONE)]
    ask_for_recall = float(np.quantile(risk[risky], 1.0 - ASK_RECALL))
    ask_for_everyday = (
        float(np.quantile(risk[everyday], 1.0 - EVERYDAY_ASKED)) if everyday.any() else 0.0
    )
    ask = round(max(ask_for_recall, ask_for_everyday), 3)
    bands = Bands(escalate=escalate, ask=ask)
    return Bands(
        escalate=escalate, ask=ask, measured=measure(probabilities, labels, hard, bands, capped)
    )


def decisions(
    probabilities: np.ndarray, bands: Bands, capped: Dict[str, np.ndarray]
) -> Tuple[np.ndarray, np.ndarray]:
    """(escalated label or '' per row, asked-or-escalated per row), with the context caps."""
    escalated = []
    for number, row in enumerate(probabilities):
        label = max(RISK_LABELS, key=lambda name: row[LABELS.index(name)])
        sure = row[LABELS.index(label)] >= bands.escalate[label] and not capped[label][number]
        escalated.append(label if sure else "")
    risk = 1.0 - probabilities[:, LABELS.index(LABEL_NONE)]
    flagged = np.array([bool(e) for e in escalated]) | (risk >= bands.ask)
    return np.array(escalated), flagged


def measure(
    probabilities: np.ndarray,
    labels: np.ndarray,
    hard: np.ndarray,
    bands: Bands,
    capped: Dict[str, np.ndarray],
) -> Dict[str, object]:
    escalated, flagged = decisions(probabilities, bands, capped)
    figures: Dict[str, object] = {}
    for label in RISK_LABELS:
        rows = labels == label
        if rows.any():
            figures[f"{label}_escalated_right"] = round(float((escalated[rows] == label).mean()), 3)
            figures[f"{label}_flagged"] = round(float(flagged[rows].mean()), 3)
    figures["lookalikes_escalated"] = round(float((escalated[hard] != "").mean()), 3)
    figures["lookalikes_asked_or_escalated"] = round(float(flagged[hard].mean()), 3)
    everyday = (labels == LABEL_NONE) & ~hard
    figures["everyday_flagged"] = round(float(flagged[everyday].mean()), 4)
    figures["examples"] = int(len(labels))
    return figures


def comparison_score(figures: Dict[str, object]) -> float:
    """Recall of the right escalation, averaged over the risk labels (the choice criterion)."""
    values = [
        float(figures[f"{label}_escalated_right"])
        for label in RISK_LABELS
        if f"{label}_escalated_right" in figures
    ]
    return float(np.mean(values))


# -- build ----------------------------------------------------------------------------------


def context_caps(texts: Sequence[str]) -> Dict[str, np.ndarray]:
    """Per risk label, which texts the layers would cap at asking (see safety_layers)."""
    from backpain.safety_layers import KIND_FOR_LABEL, unsure_context
    from backpain.safety_pattern_file import default_patterns

    patterns = default_patterns()
    look_alike = np.array([patterns.assess(text).look_alike is not None for text in texts])
    return {
        label: look_alike
        | np.array([unsure_context(patterns, text, KIND_FOR_LABEL[label]) for text in texts])
        for label in RISK_LABELS
    }


def fingerprint(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    settings = (
        RECIPE_VERSION,
        CHOSEN_FEATURES,
        ESCALATE_FALSE_ALARM,
        ASK_RECALL,
        EVERYDAY_ASKED,
        EVERYDAY_ESCALATED,
        ESCALATE_FLOOR,
    )
    digest.update(repr(settings).encode())
    digest.update((DEFAULT_FOLDER / "converted.json").read_bytes())
    # The patterns decide which look-alikes the context caps, so they shape the bands.
    digest.update(DEFAULT_PATTERNS_FILE.read_bytes())
    for example in examples:
        digest.update(f"{example.label}\t{int(example.hard_negative)}\t{example.text}\n".encode())
    return digest.hexdigest()[:12]


def configured_classifier() -> Path:
    """The classifier folder config.yml points at."""
    found = CLASSIFIER_LINE.search(CONFIG_FILE.read_text(encoding="utf-8"))
    if not found:
        raise SystemExit(f"{CONFIG_FILE}: no SafetyScreen classifier line")
    return PROJECT_ROOT / found.group(0).split(":", 1)[1].strip().strip('"')


def point_config_at(relative_path: str) -> bool:
    return point_config_line(CONFIG_FILE, CLASSIFIER_LINE, relative_path)


def train(target: Path, examples: List[Example], compare: bool = False) -> Dict[str, object]:
    texts = [e.text for e in examples]
    labels = np.array([e.label for e in examples])
    hard = np.array([e.hard_negative for e in examples])
    embeddings = load_encoder().embed(texts)
    capped = context_caps(texts)
    compared: Dict[str, Dict[str, object]] = {}
    bands_by_kind: Dict[str, Bands] = {}
    for kind in FEATURE_SETS if compare else (CHOSEN_FEATURES,):
        bands = set_bands(out_of_fold(kind, texts, labels, embeddings), labels, hard, capped)
        bands_by_kind[kind] = bands
        compared[kind] = dict(bands.measured, score=round(comparison_score(bands.measured), 3))
    chosen = max(compared, key=lambda kind: float(compared[kind]["score"]))  # type: ignore[arg-type]
    featurizer = Featurizer(chosen).fit(texts, embeddings)
    model = new_model().fit(featurizer.transform(texts, embeddings), labels)
    bands = bands_by_kind[chosen]
    measured = dict(bands.measured, features=chosen, compared=compared)
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    save_classifier(staging, featurizer, model, Bands(bands.escalate, bands.ask, measured))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # appears whole or not at all
    for old in BUILD_DIR.glob("classifier-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--refresh-everyday", action="store_true")
    args = parser.parse_args()
    if args.refresh_everyday:
        print(f"{EVERYDAY_FILE}: {refresh_everyday()} everyday examples copied from {NLU_FOLDER}")
    examples = training_examples()
    relative_path = f"build/safety/classifier-{fingerprint(examples)}"
    target = PROJECT_ROOT / relative_path
    if args.check:
        current = CLASSIFIER_LINE.search(CONFIG_FILE.read_text(encoding="utf-8"))
        return 0 if current and relative_path in current.group(0) else 1
    if not (target / "bands.json").exists() or args.compare:
        measured = train(target, examples, compare=args.compare)
        print(json.dumps(measured, indent=2, sort_keys=True))
    if point_config_at(relative_path):
        print(f"safety classifier: config.yml now points at {relative_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
