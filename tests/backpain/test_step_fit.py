"""How well a message reads as an answer to a script step (backpain/step_fit.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from backpain.step_fit import (
    StepExamples,
    StepExamplesError,
    StepFit,
    fits_poorly,
    load_step_examples,
)

# A toy embedding: which of three themes a text is about, as a unit vector.
THEMES = ("walk", "kettle", "bag")


class ThemeEmbedder:
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [[float(theme in text) + 0.01 for theme in THEMES] for text in texts]
        matrix = np.array(rows, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


EXAMPLES = StepExamples(
    answers={
        "pacing_activity": ["walk", "a walk to the shop", "walk the dog"],
        "thought_situation": ["picking up a bag", "bag from the boot", "a heavy bag"],
    },
    not_answers=["the kettle boiled", "kettle's on", "brb kettle"],
)


def test_a_message_fits_the_step_whose_answers_it_is_like() -> None:
    fit = StepFit(EXAMPLES, ThemeEmbedder())
    walking = fit.fits("I walk most days")
    assert walking["pacing_activity"] > 0.5 and walking["thought_situation"] < 0.1
    remark = fit.fits("hang on, kettle")
    assert all(value < -0.5 for value in remark.values())
    assert fit.fits("   ") == {}


def test_only_a_scored_step_below_the_threshold_fits_poorly() -> None:
    fits = {"thought_situation": -0.2, "pacing_activity": 0.1}
    assert fits_poorly(fits, "thought_situation", -0.06)
    assert not fits_poorly(fits, "pacing_activity", -0.06)
    assert not fits_poorly(fits, "exposure_activities", -0.06)  # no examples: never held back
    assert not fits_poorly({}, "thought_situation", -0.06)  # not scored: never held back


def test_the_projects_examples_cover_every_step_that_takes_words() -> None:
    from tests.support.script_paths import PATH_TO_STEP

    examples = load_step_examples()
    assert set(examples.answers) == set(PATH_TO_STEP)
    assert all(len(texts) >= 10 for texts in examples.answers.values())
    assert len(examples.not_answers) >= 100


@pytest.mark.parametrize(
    "content",
    ["", "answers: []\nnot_answers: [x]\n", "answers:\n  a: []\nnot_answers: [x]\n", "[: bad"],
)
def test_a_broken_examples_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "step_examples.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StepExamplesError):
        load_step_examples(path)
    with pytest.raises(StepExamplesError):
        load_step_examples(tmp_path / "missing.yml")


def test_no_example_is_a_near_copy_of_a_held_out_message() -> None:
    """The held-out script sets are never learnt from (tests/heldout/README.md)."""
    import difflib

    import yaml

    root = Path(__file__).resolve().parents[2] / "tests" / "heldout"
    held = yaml.safe_load((root / "step_answers.yml").read_text(encoding="utf-8"))
    midscript = yaml.safe_load((root / "midscript.yml").read_text(encoding="utf-8"))["messages"]
    held_texts = [e["text"].lower() for e in held["answers"] + held["not_answers"] + midscript]
    examples = load_step_examples()
    mine = [t for texts in examples.answers.values() for t in texts] + examples.not_answers

    def is_near(text: str) -> bool:
        matcher = difflib.SequenceMatcher(None, text.lower())
        for other in held_texts:
            matcher.set_seq2(other)
            if matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8:
                if matcher.ratio() >= 0.8:
                    return True
        return False

    near = [text for text in mine if is_near(text)]
    assert near == []
