"""The held-out NLU files really are held out, and the spaCy pipeline config is current."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import yaml

from tests.support.heldout_nlu import HELD_OUT_NLU_FILES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# difflib ratio at or above which two examples count as the same text with a typo or two.
NEAR_COPY_RATIO = 0.95
ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


def _example_lines(files) -> Iterator[Tuple[Path, str, str]]:
    """(file, label, example text with annotations removed, lower-cased) for every NLU example."""
    for path in files:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu", []) or []:
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip()
                if text.startswith("- "):
                    plain = (
                        ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text[2:]).strip().lower()
                    )
                    yield path, str(block.get("intent", "")), plain


def _examples(files) -> Dict[str, Set[str]]:
    """Example text -> the files it appears in."""
    found: Dict[str, Set[str]] = {}
    for path, _, text in _example_lines(files):
        found.setdefault(text, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def _examples_by_label(files) -> Dict[str, Set[str]]:
    """Label -> its example texts."""
    found: Dict[str, Set[str]] = {}
    for _, label, text in _example_lines(files):
        found.setdefault(label, set()).add(text)
    return found


def test_held_out_examples_are_not_in_the_training_data() -> None:
    training = _examples(sorted((PROJECT_ROOT / "data").rglob("*.yml")))
    held_out = _examples(HELD_OUT_NLU_FILES)
    assert held_out, "there are held-out NLU examples"
    leaked = {text: training[text] for text in held_out if text in training}
    assert not leaked, f"held-out examples also in training data: {leaked}"


def test_held_out_examples_are_not_near_copies_of_training_examples() -> None:
    """A held-out message that differs from a training example of the same label by a letter or
    two ("what are the side effects" / "what are the side-effects?") measures memory, not
    understanding. Paraphrases stay allowed: people do ask the same thing in similar words."""
    training = _examples_by_label(sorted((PROJECT_ROOT / "data").rglob("*.yml")))
    held_out = _examples_by_label(HELD_OUT_NLU_FILES)
    near = [
        (label, text, seen)
        for label, texts in held_out.items()
        for text in texts
        for seen in training.get(label, ())
        if difflib.SequenceMatcher(None, text, seen).ratio() >= NEAR_COPY_RATIO
    ]
    assert not near, f"held-out examples nearly identical to training ones: {near}"


# The blind sets written from a description of the users (tests/heldout/README.md): training on
# them, or on near copies, would turn their figures into a memory test. Short, canonical
# questions ("hi", "what is the biopsychosocial model") are written the same way by anyone, so
# only messages of six words or more are compared.
BLIND_SETS = (
    "heldout/conversation.yml",
    "heldout/midscript.yml",
    "heldout/safety.yml",
    "heldout/safety_check3.yml",
    "heldout/safety_check4.yml",
    "heldout/everyday_topics.yml",
    "heldout/everyday_topics2.yml",
    "dev/conversation_dev.yml",
    "dev/safety_dev.yml",
    "dev/safety_dev2.yml",
)
BLIND_NEAR_COPY_RATIO = 0.9
BLIND_MIN_WORDS = 6
# Training examples written on 2026-11-25, five days before the blind sets existed, that the blind
# writers happened to phrase the same way (checked with `git log -S`). Listed so no new one slips in.
KNOWN_COINCIDENCES = {
    "what can you help me with",
    "what can you help with",
    "who won the football last night",
    "what's the capital of france",
    "why does tiredness make pain worse",
    "what is the difference between acute and chronic pain",
    "what is the fear avoidance model",
    "whats the bemani study about",
    "i'm going to kill myself",
    "do i have a slipped disc?",
    "what are red flags for back pain",
    "how do i know if my back pain is serious",
    "can we do a breathing exercise",
    "i'm thinking about killing myself",
    "i'm thinking about ending it all",
}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", str(text).lower()).split())


def _blind_texts() -> Set[str]:
    texts: Set[str] = set()
    for name in BLIND_SETS:
        content = yaml.safe_load((PROJECT_ROOT / "tests" / name).read_text(encoding="utf-8")) or {}
        for group in content.values():
            for entry in group if isinstance(group, list) else []:
                texts.update(
                    _words(text)
                    for text in ([entry["text"]] if "text" in entry else entry.get("turns") or [])
                )
    return {text for text in texts if len(text.split()) >= BLIND_MIN_WORDS}


def test_no_training_example_is_a_near_copy_of_a_blind_message() -> None:
    blind = sorted(_blind_texts())
    assert len(blind) > 500
    near = []
    for _, label, text in _example_lines(sorted((PROJECT_ROOT / "data").rglob("*.yml"))):
        if text in KNOWN_COINCIDENCES:
            continue
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(_words(text))
        for other in blind:
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= BLIND_NEAR_COPY_RATIO
                and matcher.quick_ratio() >= BLIND_NEAR_COPY_RATIO
                and matcher.ratio() >= BLIND_NEAR_COPY_RATIO
            ):
                near.append((label, text, other))
                break
    assert not near, f"training examples nearly identical to blind test messages: {near}"


def test_config_points_at_the_current_spacy_pipeline() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/build_spacy_pipeline.py", "--check"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _spacy_pipeline():
    import spacy

    match = re.search(r'model: "(build/spacy/[^"]+)"', (PROJECT_ROOT / "config.yml").read_text())
    assert match, "config.yml has a SpacyNLP model path"
    return spacy.load(PROJECT_ROOT / match.group(1))


STUDY_ENTITY = re.compile(r"\[([^\]]+)\]\((outcome|group|timepoint)\)")


def test_training_annotations_match_what_the_entity_ruler_extracts() -> None:
    """Study entities come from the ruler generated from the study file, not from training:
    an annotation the ruler would not produce (or a match left unannotated) means the synonyms
    in the study file and the NLU data have drifted apart."""
    nlp = _spacy_pipeline()
    mismatches = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu", []) or []:
            for line in str(block.get("examples", "")).splitlines():
                example = line.strip()[2:] if line.strip().startswith("- ") else ""
                if not STUDY_ENTITY.search(example):
                    continue
                plain, annotated, position = "", [], 0
                for match in STUDY_ENTITY.finditer(example):
                    plain += example[position : match.start()]
                    annotated.append((len(plain), len(plain) + len(match.group(1)), match.group(2)))
                    plain += match.group(1)
                    position = match.end()
                plain += example[position:]
                extracted = [(e.start_char, e.end_char, e.label_) for e in nlp(plain).ents]
                if sorted(extracted) != sorted(annotated):
                    mismatches.append(
                        f"{path.name}: {plain!r}: annotated {annotated}, ruler {extracted}"
                    )
    assert not mismatches, "\n".join(mismatches)
