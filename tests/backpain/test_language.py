"""The English-only notice (issue 15): other languages are recognised, English never is."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from backpain.clarify import plain_example
from backpain.language import clearly_not_english

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    [
        "hola, tengo dolor de espalda desde hace años",
        "J'ai mal au dos depuis trois ans, que puis-je faire ?",
        "Ich habe seit Monaten Rückenschmerzen, was hilft?",
        "Ho mal di schiena da molto tempo, cosa posso fare?",
        "Tenho dor nas costas há muito tempo",
        "Mam ból pleców od dwóch lat",
        "Sırt ağrım için hangi egzersizleri yapmalıyım?",
        "کمرم خیلی درد می کند",
        "ظهري يؤلمني كثيرا",
        "我的腰很痛",
        "腰が痛いです",
        "허리가 아파요",
        "У меня болит спина уже год",
    ],
)
def test_messages_in_other_languages_are_recognised(text: str) -> None:
    assert clearly_not_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "yes",
        "no thanks",
        "hi",
        "ODI?",
        "NNT",
        "MCID for VAS?",
        "and at 10 weeks?",
        "TSK scores",
        "ta",
        "cheers mate",
        "gracias",
        "male to female ratio",
        "short-term versus long-term pain",
        "explain sensitisation of the nervous system",
        "Intention-to-treat or per-protocol analysis?",
        "tell me a joke",
        "is it ok to carry heavy shopping bags",
        "lol",
        "🙂",
        "",
        "   ",
        "/greet",
        "12345",
        "blorf quenzle trimbodactyl",
    ],
)
def test_short_english_and_non_words_are_not_flagged(text: str) -> None:
    assert clearly_not_english(text) is None


def _training_examples() -> List[str]:
    examples = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            examples += [
                plain_example(line.strip()[2:])
                for line in str(block.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
    return examples


def test_no_english_training_example_is_taken_for_another_language() -> None:
    examples = _training_examples()
    assert len(examples) > 2000
    flagged = [text for text in examples if clearly_not_english(text)]
    assert not flagged, flagged


@pytest.mark.parametrize("value", [None, 42, b"\xff\xfe", ["list"], "x" * 100_000])
def test_any_input_gives_an_answer_not_an_error(value: object) -> None:
    assert clearly_not_english(value) in (None, "English") or isinstance(
        clearly_not_english(value), str
    )
