"""The education answers (issue 4): every topic covered, for patients and trainees, chat-sized,
with buttons that lead somewhere, and free of trial figures."""

from __future__ import annotations

import json
import re
from typing import Dict, Iterator, List, Set, Tuple

from tests.support.education_content import (
    ALLOWED_DIGITS,
    DOMAIN_FILE,
    EDUCATION_HELD_OUT_FILES,
    EDUCATION_NLU,
    EDUCATION_STORIES,
    EVERYDAY_WHOLE_NUMBERS,
    KNOWN_TRIAL_FIGURES,
    MAX_BUBBLE_CHARACTERS,
    MIN_HELD_OUT_EXAMPLES,
    MIN_TOPICS,
    MIN_TRAINING_EXAMPLES,
    NUMBER,
    NUMBER_WORDS,
    PROJECT_ROOT,
    RETRIEVAL_INTENT,
    TRAINEE_CONDITION,
    as_number,
    education_responses,
    every_response_text,
    plain_text,
    raw_examples,
    read_yaml,
    sentences,
    study_figures,
    texts_of,
    topics_in,
)

# ---------------------------------------------------------------- coverage


def test_there_are_at_least_forty_topics() -> None:
    topics = topics_in(EDUCATION_NLU)
    assert len(topics) >= MIN_TOPICS, (
        f"{len(topics)} education topics; the issue asks for {MIN_TOPICS}"
    )


def test_every_topic_has_enough_distinct_training_examples() -> None:
    for topic, examples in topics_in(EDUCATION_NLU).items():
        distinct = {example.lower() for example in examples}
        assert len(distinct) >= MIN_TRAINING_EXAMPLES, (
            f"explain/{topic}: {len(distinct)} distinct examples"
        )
        assert len(distinct) == len(examples), f"explain/{topic} repeats an example"


def test_no_example_is_trained_for_two_topics() -> None:
    seen: Dict[str, str] = {}
    for topic, examples in topics_in(EDUCATION_NLU).items():
        for example in examples:
            assert example.lower() not in seen, (
                f"{example!r} is in explain/{seen[example.lower()]} and explain/{topic}"
            )
            seen[example.lower()] = topic


def test_no_education_example_belongs_to_another_intent() -> None:
    education = {
        example.lower() for examples in topics_in(EDUCATION_NLU).values() for example in examples
    }
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        if path == EDUCATION_NLU:
            continue
        for intent, examples in raw_examples(path).items():
            shared = education & {plain_text(example).lower() for example in examples}
            assert not shared, (
                f"{path.name} trains {intent} on education examples: {sorted(shared)}"
            )


def test_training_responses_and_held_out_cover_the_same_topics() -> None:
    trained = set(topics_in(EDUCATION_NLU))
    answered = set(education_responses())
    held_out: Dict[str, List[str]] = {}
    for path in EDUCATION_HELD_OUT_FILES:
        for topic, examples in topics_in(path).items():
            held_out.setdefault(topic, []).extend(examples)
    assert trained == answered, (
        f"trained but unanswered: {trained - answered}; answered but untrained: {answered - trained}"
    )
    assert set(held_out) == trained, f"topics without held-out examples: {trained - set(held_out)}"
    thin = {
        topic: len(examples)
        for topic, examples in held_out.items()
        if len(examples) < MIN_HELD_OUT_EXAMPLES
    }
    assert not thin, f"fewer than {MIN_HELD_OUT_EXAMPLES} held-out examples: {thin}"


def test_conversation_tests_cover_every_topic_for_both_audiences() -> None:
    stories = read_yaml(EDUCATION_STORIES)["stories"]
    asked: Dict[str, Set[str]] = {"patient": set(), "trainee": set()}
    for story in stories:
        audience = None
        for step in story["steps"]:
            intent = step.get("intent", "")
            if intent in ("declare_patient", "declare_trainee"):
                audience = intent.split("_", 1)[1]
            elif intent.startswith(f"{RETRIEVAL_INTENT}/") and audience:
                asked[audience].add(intent.split("/", 1)[1])
    topics = set(topics_in(EDUCATION_NLU))
    for audience, covered in asked.items():
        assert topics <= covered, f"{audience}: no conversation test for {sorted(topics - covered)}"


# ---------------------------------------------------------------- the answers


def test_every_topic_has_a_plain_and_a_trainee_variation() -> None:
    for topic, variations in education_responses().items():
        plain = [v for v in variations if not v.get("condition")]
        trainee = [v for v in variations if v.get("condition") == TRAINEE_CONDITION]
        assert len(plain) == 1 and plain[0].get("text"), (
            f"utter_explain/{topic}: needs one unconditioned (plain) text"
        )
        assert len(trainee) == 1 and trainee[0].get("text"), (
            f"utter_explain/{topic}: needs one trainee text"
        )
        assert len(variations) == 2, f"utter_explain/{topic}: unexpected extra variations"
        assert plain[0]["text"] != trainee[0]["text"], (
            f"utter_explain/{topic}: both variations say the same"
        )


def test_every_answer_fits_a_chat_bubble() -> None:
    too_long = {
        f"{topic} ({'trainee' if v.get('condition') else 'plain'})": len(v["text"])
        for topic, variations in education_responses().items()
        for v in variations
        if len(v["text"]) > MAX_BUBBLE_CHARACTERS
    }
    assert not too_long, f"answers over {MAX_BUBBLE_CHARACTERS} characters: {too_long}"


def test_the_trial_figures_are_found_in_the_study_file() -> None:
    # Guards the next test: it can only catch a figure that this collection knows.
    missing = KNOWN_TRIAL_FIGURES - study_figures()
    assert not missing, f"figure collection lost {missing}"


def test_no_response_in_the_project_states_a_trial_figure() -> None:
    figures = study_figures() - EVERYDAY_WHOLE_NUMBERS
    offending = [
        f"{where}: {name}: {token!r} in {text!r}"
        for where, name, text in every_response_text()
        for token in NUMBER.findall(text)
        if as_number(token) in figures
        and not any(
            token in allowed and pattern.search(text) for allowed, pattern in ALLOWED_DIGITS.items()
        )
    ]
    assert not offending, (
        "trial figures belong to content/study/bemani2023.yml only:\n" + "\n".join(offending)
    )


def test_education_answers_contain_no_numbers_at_all() -> None:
    offending = []
    for topic, variations in education_responses().items():
        for variation in variations:
            for text in texts_of(variation):
                unexplained = text
                for pattern in ALLOWED_DIGITS.values():
                    unexplained = pattern.sub("", unexplained)
                if re.search(r"\d", unexplained) or NUMBER_WORDS.search(unexplained):
                    offending.append(f"utter_explain/{topic}: {text!r}")
    assert not offending, "education answers are words only (see ALLOWED_DIGITS):\n" + "\n".join(
        offending
    )


def test_recommendations_name_their_source() -> None:
    unsourced = [
        f"utter_explain/{topic}: {sentence!r}"
        for topic, variations in education_responses().items()
        for variation in variations
        for sentence in sentences(variation["text"])
        if re.search(r"recommend|advises? against", sentence, re.IGNORECASE)
        and "NICE" not in sentence
    ]
    assert not unsourced, "a recommendation says whose it is (NICE NG59):\n" + "\n".join(unsourced)


def test_answers_about_the_trial_name_it() -> None:
    trial_topics = {
        topic for topic in education_responses() if topic.startswith(("trial_", "both_", "groups_"))
    }
    assert trial_topics, "no trial topics found"
    for topic in trial_topics:
        for variation in education_responses()[topic]:
            assert re.search(r"Bemani|the trial", variation["text"], re.IGNORECASE), (
                f"utter_explain/{topic}: which trial?"
            )


def test_exercise_answers_send_people_to_their_physiotherapist() -> None:
    for topic in ("exercise_advice", "strengthening_exercises"):
        plain = next(v for v in education_responses()[topic] if not v.get("condition"))
        assert "physiotherapist" in plain["text"] and "can't prescribe" in plain["text"], topic


# ---------------------------------------------------------------- buttons


def _buttons() -> Iterator[Tuple[str, Dict[str, str]]]:
    for topic, variations in education_responses().items():
        for variation in variations:
            for button in variation.get("buttons", []) or []:
                yield topic, button


def test_every_answer_offers_a_next_question() -> None:
    for topic, variations in education_responses().items():
        for variation in variations:
            assert variation.get("buttons"), f"utter_explain/{topic} has no next-question buttons"


def test_question_buttons_send_a_trained_question() -> None:
    # A `/explain/<topic>` payload cannot choose a sub-intent: Rasa's payload parser only knows the
    # intent `explain`, and the topic ranker would then judge the literal text "/explain/...".
    # So buttons that lead to another answer send that topic's first training example as text.
    first_examples = {
        examples[0].lower(): topic for topic, examples in topics_in(EDUCATION_NLU).items()
    }
    for topic, button in _buttons():
        payload = button["payload"]
        assert not payload.startswith(f"/{RETRIEVAL_INTENT}"), f"utter_explain/{topic}: {payload!r}"
        if not payload.startswith("/"):
            assert payload.lower() in first_examples, (
                f"utter_explain/{topic}: {payload!r} is not a topic's first example"
            )
            assert first_examples[payload.lower()] != topic, (
                f"utter_explain/{topic}: a button back to itself"
            )


def test_intent_buttons_name_intents_and_entities_the_domain_knows() -> None:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import ENTITIES, INTENT_NAME_KEY

    domain = read_yaml(DOMAIN_FILE)
    intents = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    entities = set(domain["entities"])
    shortcuts = [
        (topic, button["payload"])
        for topic, button in _buttons()
        if button["payload"].startswith("/")
    ]
    assert shortcuts, "no button asks the trial actions for figures"
    for topic, payload in shortcuts:
        match = YAMLStoryReader._regex_message_pattern().match(payload)
        assert match and not match.group("rest"), (
            f"utter_explain/{topic}: unreadable payload {payload!r}"
        )
        assert match.group(INTENT_NAME_KEY).strip() in intents, (
            f"utter_explain/{topic}: {payload!r} names an unknown intent"
        )
        if match.group(ENTITIES):
            named = set(json.loads(match.group(ENTITIES)))
            assert named <= entities, f"utter_explain/{topic}: {payload!r} names unknown entities"
