"""The deterministic safety screen (backpain/safety_patterns.py, content/safety/red_flags.yml).

Runs the held-out corpus (tests/safety/corpus.yml): every red flag and crisis message must be
caught with the right kind; the false-alarm rate on look-alikes is printed and bounded.
Also: hostile input, the canonical text, misspellings, and clear errors for broken files.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from backpain.safety_pattern_file import (
    DEFAULT_PATTERNS_FILE,
    SafetyPatternError,
    load_safety_patterns,
)
from backpain.safety_patterns import (
    ESCALATION_KINDS,
    KIND_CRISIS,
    KIND_EMERGENCY,
    KIND_UNCLEAR,
    KIND_URGENT,
    SafetyPatterns,
)
from backpain.safety_text import KeywordCorrector, canonical_text, within_one_edit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILE = PROJECT_ROOT / "tests" / "safety" / "corpus.yml"
NLU_FILE = PROJECT_ROOT / "data" / "nlu" / "safety.yml"
# Stated bound: at most 5% of look-alikes may escalate (the corpus currently gives 0%).
MAX_FALSE_ALARM_RATE = 0.05
# Generous for a shared 2-core machine; a typical 100 KB message takes well under a second.
MAX_SECONDS_FOR_100_KB = 3.0


@pytest.fixture(scope="module")
def patterns() -> SafetyPatterns:
    return load_safety_patterns(DEFAULT_PATTERNS_FILE)


@pytest.fixture(scope="module")
def corpus() -> Dict[str, List[dict]]:
    return yaml.safe_load(CORPUS_FILE.read_text(encoding="utf-8"))


# -- the corpus ------------------------------------------------------------------------------


def test_corpus_is_large_enough(corpus: Dict[str, List[dict]]) -> None:
    assert len(corpus["red_flags"]) >= 60
    assert len(corpus["crisis"]) >= 30
    assert len(corpus["look_alikes"]) >= 60
    assert {entry["kind"] for entry in corpus["red_flags"]} == {KIND_EMERGENCY, KIND_URGENT}
    assert any(entry.get("context") == "form" for entry in corpus["red_flags"])
    assert any(entry.get("context") == "form" for entry in corpus["crisis"])
    assert any(len(entry["text"]) > 300 for entry in corpus["red_flags"])


def test_corpus_is_held_out_from_the_training_data(corpus: Dict[str, List[dict]]) -> None:
    training = yaml.safe_load(NLU_FILE.read_text(encoding="utf-8"))["nlu"]
    examples = {
        line.strip()[2:].strip().casefold()
        for block in training
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    }
    corpus_texts = [
        entry["text"].strip().casefold() for group in corpus.values() for entry in group
    ]
    assert not examples.intersection(corpus_texts)


def test_every_red_flag_is_caught_with_the_right_kind(
    patterns: SafetyPatterns, corpus: Dict[str, List[dict]]
) -> None:
    missed = []
    for entry in corpus["red_flags"]:
        found = patterns.screen(entry["text"])
        if found is None or found.kind != entry["kind"]:
            missed.append(f"{entry['kind']} <- {found}: {entry['text'][:80]!r}")
    assert not missed, "\n".join(missed)


def test_every_crisis_message_is_caught(
    patterns: SafetyPatterns, corpus: Dict[str, List[dict]]
) -> None:
    missed = [
        f"{found}: {entry['text'][:80]!r}"
        for entry in corpus["crisis"]
        for found in [patterns.screen(entry["text"])]
        if found is None or found.kind != KIND_CRISIS
    ]
    assert not missed, "\n".join(missed)


def test_false_alarm_rate_on_look_alikes(
    patterns: SafetyPatterns, corpus: Dict[str, List[dict]]
) -> None:
    look_alikes = corpus["look_alikes"]
    results = [(entry["text"], patterns.screen(entry["text"])) for entry in look_alikes]
    false_alarms = [
        (text, found)
        for text, found in results
        if found is not None and found.kind in ESCALATION_KINDS
    ]
    questions = [
        text for text, found in results if found is not None and found.kind == KIND_UNCLEAR
    ]
    rate = len(false_alarms) / len(look_alikes)
    print(
        f"\nsafety screen on {len(look_alikes)} look-alikes: false-alarm rate {rate:.1%} "
        f"({len(false_alarms)} escalated), confirming questions {len(questions) / len(look_alikes):.1%} "
        f"({len(questions)})"
    )
    for text, found in false_alarms:
        print(f"  false alarm: {found.kind}/{found.category}: {text!r}")
    assert rate <= MAX_FALSE_ALARM_RATE


def test_results_name_a_category_never_the_text(
    patterns: SafetyPatterns, corpus: Dict[str, List[dict]]
) -> None:
    known = {category for ids in patterns.category_ids.values() for category in ids}
    for entry in corpus["red_flags"] + corpus["crisis"]:
        found = patterns.screen(entry["text"])
        assert found.category in known
        assert set(found.as_dict()) <= {"kind", "category", "confirm"}


# -- behaviour on typical cases ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("no numbness", None),
        ("my bladder is fine", None),
        ("I'm dying to know the results", None),
        ("the results were killer", None),
        ("I have never had cancer", None),
        ("No, I wet myself", KIND_EMERGENCY),  # the "no" answers a question; the symptom stands
        ("I don't have numbness, tingling or weakness in my legs", None),
        ("I don't know why my legs keep giving way", KIND_EMERGENCY),  # "don't know" is no negation
        ("I can't stop wetting myself", KIND_EMERGENCY),
        ("my legs feel funny", KIND_UNCLEAR),
        ("tingling down my leg", KIND_UNCLEAR),
        ("numbess in my groin", KIND_EMERGENCY),
        ("incontinance since this morning", KIND_EMERGENCY),
        ("im suicidel", KIND_CRISIS),
        ("sui\u200bcidal", KIND_CRISIS),  # an invisible character inside the word
        ("I CAN'T FEEL MY BUM WHEN I WIPE!!!", KIND_EMERGENCY),
        ("lost 8kg without trying", KIND_URGENT),
        ("temperature of 38.5 and my back hurts", KIND_URGENT),
        ("im feeling ill and my back is killing me", KIND_URGENT),
        # "ill" before a verb is "I'll" without its apostrophe: a fear, not feeling unwell
        ("im terrified ill do something that snaps my spine", None),
        ("im scared ill never get my back strong again", None),
        # Minor trauma is a red flag only with thin bones or long-term steroids (NICE NG59): a
        # slip or trip that ends in no fall is asked about; a fall, a height or thin bones is not.
        ("walking the dog in the rain when I slipped a bit on the path", KIND_UNCLEAR),
        ("I tripped over the cat yesterday and now my back is agony", KIND_UNCLEAR),
        ("I slipped yesterday and I have osteoporosis", KIND_URGENT),
        ("I slipped on ice and fell down the stairs", KIND_URGENT),
        ("i tripped and landed on my back", KIND_URGENT),
        ("I slipped off the ladder", KIND_URGENT),
        ("came off my bike on tuesday", KIND_URGENT),
    ],
)
def test_typical_cases(patterns: SafetyPatterns, text: str, kind: str) -> None:
    found = patterns.screen(text)
    assert (found.kind if found else None) == kind


def test_unclear_results_say_what_a_yes_would_mean(patterns: SafetyPatterns) -> None:
    assert patterns.screen("my legs feel funny").confirm_kind == KIND_EMERGENCY
    assert patterns.screen("I can't cope any more").confirm_kind == KIND_CRISIS
    # A real symptom asked about in general terms is a question, not silence.
    asked = patterns.screen("what does saddle anaesthesia mean?")
    assert (asked.kind, asked.confirm_kind) == (KIND_UNCLEAR, KIND_EMERGENCY)


def test_crisis_wins_over_a_red_flag_in_the_same_message(patterns: SafetyPatterns) -> None:
    assert patterns.screen("I've wet myself and honestly I want to die").kind == KIND_CRISIS


def test_a_red_flag_after_a_look_alike_is_still_caught(patterns: SafetyPatterns) -> None:
    text = "I'm dying to know the results. Also my legs keep giving way."
    assert patterns.screen(text).kind == KIND_EMERGENCY


def test_look_alikes_are_reported_when_nothing_matches(patterns: SafetyPatterns) -> None:
    assessment = patterns.assess("I'm dying to know the results")
    assert assessment.match is None and assessment.look_alike == "idiom_dying_to"
    assert patterns.assess("I have no numbness in my groin").look_alike is not None
    assert patterns.assess("hello there").look_alike is None


# -- any input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   \n\t  ",
        b"\xff\xfe not utf-8 \x00",
        12345,
        "\x00\x01\x02\x1b[31m\x7f",
        "😀🔥💀🙏" * 50,
        "\ud800 lone surrogate",
        "Me duele mucho la espalda y no puedo dormir",
        "我的背很痛",
        "ظهري يؤلمني كثيرا",
        "a" * 5000,
        ",,,,....!!!???;;;" * 100,
    ],
)
def test_any_input_gives_an_answer_not_an_error(patterns: SafetyPatterns, text: object) -> None:
    assert patterns.screen(text) is None


def test_a_red_flag_is_found_at_the_end_of_100_kb(patterns: SafetyPatterns) -> None:
    filler = "My back has been a bit stiff today and the exercises helped somewhat. " * 1500
    text = (filler + "Since this morning I can't feel my bum when I wipe.")[-100_000:]
    started = time.perf_counter()
    found = patterns.screen(text)
    elapsed = time.perf_counter() - started
    assert found is not None and found.kind == KIND_EMERGENCY
    assert elapsed < MAX_SECONDS_FOR_100_KB


@pytest.mark.parametrize(
    "text",
    [
        "no numbness " * 8000,  # thousands of negated matches in one sentence
        " ".join(
            f"word{index}xyz" for index in range(10000)
        ),  # all-different words for the speller
        "a" * 100_000,
        "suicide " * 12_000,
        "( " * 50_000,
        "bladder " * 12_000 + "problems",
    ],
)
def test_hostile_input_stays_fast(patterns: SafetyPatterns, text: str) -> None:
    started = time.perf_counter()
    patterns.assess(text)
    assert time.perf_counter() - started < MAX_SECONDS_FOR_100_KB


def test_very_long_text_is_screened_at_both_ends(patterns: SafetyPatterns) -> None:
    filler = "nothing to see here. " * 20_000  # 420 KB, beyond max_scan_chars
    assert patterns.screen("I want to kill myself. " + filler).kind == KIND_CRISIS
    assert patterns.screen(filler + " I want to kill myself").kind == KIND_CRISIS


# -- canonical text and spelling ---------------------------------------------------------------


def test_canonical_text() -> None:
    assert canonical_text("I can’t FEEL my bum!! It's numb.") == "i cant feel my bum\nits numb"
    assert canonical_text("No, fever: 38.5") == "no , fever , 38 5"
    assert canonical_text("bladdder soooo weeeak 1000") == "bladder soo weeak 1000"
    assert canonical_text("self-harm - again") == "self harm , again"
    assert canonical_text("lost 8kg") == "lost 8 kg"
    assert canonical_text(",,, hello ,,") == "hello"


def test_edit_distance_of_one() -> None:
    assert within_one_edit("numbess", "numbness")
    assert within_one_edit("suicdie", "suicide")  # swapped neighbours
    assert within_one_edit("incontinance", "incontinence")
    assert not within_one_edit("number", "numbness")
    assert not within_one_edit("bladder", "blood")


def test_corrector_fixes_typos_but_not_real_words() -> None:
    corrector = KeywordCorrector(["numbness", "cancer", "bladder"], ["cancel"], min_word_length=6)
    assert corrector.correct("numbess") == "numbness"
    assert corrector.correct("bladdr") == "bladder"
    assert corrector.correct("cancel") == "cancel"
    assert corrector.correct("numb") == "numb"  # short words are left alone
    assert corrector.correct("weird1") == "weird1"


# -- the pattern file ------------------------------------------------------------------------


def test_the_pattern_file_is_not_read_as_rasa_training_data() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.data import is_nlu_file

    assert not is_nlu_file(str(DEFAULT_PATTERNS_FILE))
    assert not YAMLStoryReader.is_stories_file(str(DEFAULT_PATTERNS_FILE))
    assert not Domain.is_domain_file(str(DEFAULT_PATTERNS_FILE))


def _write_variant(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEFAULT_PATTERNS_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "patterns.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SafetyPatternError, match="nowhere.yml: file not found"):
        load_safety_patterns(tmp_path / "nowhere.yml")


def test_invalid_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("escalations: [unclosed\n", encoding="utf-8")
    with pytest.raises(SafetyPatternError, match="broken.yml: not valid YAML"):
        load_safety_patterns(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda raw: raw["escalations"]["crisis"][0]["patterns"].__setitem__(0, "kill (myself"),
            r"escalations\.crisis\[0\]\.patterns\[0\]: not a valid regular expression",
        ),
        (
            lambda raw: raw["escalations"]["crisis"][0]["patterns"].__setitem__(0, "(?:x)?"),
            r"escalations\.crisis\[0\]\.patterns\[0\]: the pattern matches empty text",
        ),
        (
            lambda raw: raw["escalations"]["red_flag_urgent"][0]["patterns"].append(
                "{nosuchmacro} fever"
            ),
            r"escalations\.red_flag_urgent\[0\]\.patterns\[\d+\]: unknown macro \{nosuchmacro\}",
        ),
        (
            lambda raw: raw["escalations"]["red_flag_urgent"][1].__setitem__(
                "id", "infection_risk"
            ),
            r"escalations\.red_flag_urgent\[1\]\.id: 'infection_risk' is already used",
        ),
        (
            lambda raw: raw["escalations"].__setitem__("red_flag_whatever", []),
            r"escalations: unknown kind\(s\) red_flag_whatever",
        ),
        (lambda raw: raw.__setitem__("nlu", []), r"nlu: unknown key"),
        (
            lambda raw: raw["unclear"][0].__setitem__("confirm_as", "panic"),
            r"unclear\[0\]\.confirm_as: expected one of",
        ),
        (
            lambda raw: raw["fuzzy"]["never_correct"].append("cancer"),
            r"fuzzy\.never_correct: also listed as keywords: cancer",
        ),
        (
            lambda raw: raw["escalations"]["crisis"][0].__setitem__("patern", ["x"]),
            r"escalations\.crisis\[0\]\.patern: unknown key",
        ),
        (lambda raw: raw.__setitem__("format_version", 2), r"format_version: expected 1"),
        # Strict types: text is no number, a list is no text, "yes" is no boolean.
        (
            lambda raw: raw.__setitem__("max_scan_chars", "200000"),
            r"max_scan_chars: value is not a valid integer",
        ),
        (
            lambda raw: raw["escalations"]["crisis"][0]["patterns"].__setitem__(0, ["x"]),
            r"escalations\.crisis\[0\]\.patterns\[0\]: str type expected",
        ),
        (
            lambda raw: raw["escalations"]["crisis"][0].__setitem__("past_matters", "yes"),
            r"escalations\.crisis\[0\]\.past_matters: value is not a valid boolean",
        ),
        (
            lambda raw: raw.__setitem__("escalations", []),
            r"escalations: expected a mapping, found list",
        ),
    ],
)
def test_a_broken_entry_names_the_file_and_the_path(tmp_path: Path, change, message: str) -> None:
    path = _write_variant(tmp_path, change)
    with pytest.raises(SafetyPatternError, match=message) as raised:
        load_safety_patterns(path)
    assert str(path) in str(raised.value)


def test_the_patterns_file_can_be_chosen_by_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETY_PATTERNS", str(tmp_path / "elsewhere.yml"))
    with pytest.raises(SafetyPatternError, match="elsewhere.yml: file not found"):
        load_safety_patterns()
