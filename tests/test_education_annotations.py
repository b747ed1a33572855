"""The education content's NLU side: entity annotations that the study entity ruler really
extracts, the content through Rasa itself, and trial details the study file does not hold."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, List, Tuple

import pytest

from tests.support.education_content import (
    ANNOTATION,
    DOMAIN_FILE,
    EDUCATION_HELD_OUT_FILES,
    EDUCATION_NLU,
    EDUCATION_STORIES,
    PROJECT_ROOT,
    RESPONSE_PREFIX,
    RETRIEVAL_INTENT,
    STUDY_FILE,
    education_responses,
    plain_text,
    raw_examples,
    read_yaml,
    sentences,
)

# ---------------------------------------------------------------- entity annotations


@pytest.fixture(scope="module")
def study_entity_ruler() -> Any:
    """The same entity ruler the assistant's spaCy pipeline is built with (scripts/build_spacy_pipeline.py)."""
    import spacy

    from backpain.study.loading import load_study

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(
        load_study().entity_patterns()
    )
    return nlp


def _annotations(annotated: str) -> List[Tuple[int, int, str, str]]:
    """(start, end, type, value) of each annotation, offsets in the plain text."""
    found, shift = [], 0
    for m in ANNOTATION.finditer(annotated):
        start = m.start() - shift
        text = m.group("text")
        if m.group("json"):
            attributes = json.loads(m.group("json"))
            kind, value = attributes["entity"], attributes.get("value", text)
        else:
            kind, value = m.group("type"), text
        found.append((start, start + len(text), kind, value))
        shift += len(m.group(0)) - len(text)
    return found


def _extracted(nlp: Any, text: str, with_values: bool) -> List[Tuple[int, int, str, str]]:
    doc = nlp(text.lower())  # Rasa's SpacyNLP lower-cases too (case_sensitive: false)
    return [
        (
            e.start_char,
            e.end_char,
            e.label_,
            (e.ent_id_ or text[e.start_char : e.end_char])
            if with_values
            else text[e.start_char : e.end_char],
        )
        for e in doc.ents
    ]


def _story_user_texts() -> Iterator[str]:
    for story in read_yaml(EDUCATION_STORIES)["stories"]:
        for step in story["steps"]:
            if "user" in step:
                yield str(step["user"]).strip()


def test_entity_annotations_match_what_the_study_ruler_extracts(study_entity_ruler: Any) -> None:
    # Held-out entity F1 and the conversation tests compare these annotations with the
    # StudyEntityExtractor's output, so they must mark exactly what it will find.
    wrong = []
    for path in (EDUCATION_NLU, *EDUCATION_HELD_OUT_FILES):
        for examples in raw_examples(path).values():
            for annotated in examples:
                plain = plain_text(annotated)
                if _annotations(annotated) != _extracted(
                    study_entity_ruler, plain, with_values=False
                ):
                    wrong.append(f"{path.name}: {annotated}")
    for annotated in _story_user_texts():
        # Conversation tests also compare values, which are the study file's canonical ids.
        if _annotations(annotated) != _extracted(
            study_entity_ruler, plain_text(annotated), with_values=True
        ):
            wrong.append(f"{EDUCATION_STORIES.name}: {annotated}")
    assert not wrong, "annotations differ from the entity ruler:\n" + "\n".join(wrong[:20])


# ---------------------------------------------------------------- through Rasa itself


@pytest.fixture(scope="module")
def rasa_domain() -> Any:
    """The domain as Rasa assembles it for training: domain.yml plus responses from data/."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(DOMAIN_FILE), [str(PROJECT_ROOT / "data")]
    )
    return importer.get_domain()


def test_rasa_knows_explain_as_a_retrieval_intent(rasa_domain: Any) -> None:
    assert RETRIEVAL_INTENT in rasa_domain.retrieval_intents
    assert f"utter_{RETRIEVAL_INTENT}" in rasa_domain.action_names_or_texts
    for topic in education_responses():
        assert f"{RESPONSE_PREFIX}{topic}" in rasa_domain.responses


@pytest.mark.parametrize(
    "audience, expected",
    [("trainee", "trainee"), ("patient", "plain"), (None, "plain")],
)
def test_the_audience_slot_chooses_the_variation(
    rasa_domain: Any, audience: Any, expected: str
) -> None:
    # Rasa's own response generator, as used by the retrieval action utter_explain: conditions
    # written in data/responses/education.yml survive the merge into the domain and are honoured.
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    generator = TemplatedNaturalLanguageGenerator(rasa_domain.responses)
    for topic, variations in education_responses().items():
        wanted = next(v for v in variations if bool(v.get("condition")) == (expected == "trainee"))
        for _ in range(3):  # a random choice among matching variations would show up here
            said = generator.generate_from_slots(
                f"{RESPONSE_PREFIX}{topic}", {"audience": audience}, "rest"
            )
            assert said is not None and said["text"] == wanted["text"], (
                f"{topic} for audience={audience}"
            )


# ---------------------------------------------------------------- trial details (issue 15)

# A sentence that speaks about the trial or one of its arms.
TRIAL_REFERENCE = re.compile(
    r"\bBemani\b|\bthe (?:trial|study)\b|\bboth (?:groups|arms)\b|\b(?:multidimensional|usual physiotherapy|extra|control|experimental) "
    r"(?:arm|group)s?\b",
    re.IGNORECASE,
)
# Treatments, techniques and conduct details an answer could wrongly attribute to the trial. Each
# one named in a sentence about the trial must be in the study file, where its source is tagged.
TRIAL_DETAIL_TERMS = (
    "TENS",
    "interferential",
    "ultrasound",
    "electrotherapy",
    "pacing",
    "manual therapy",
    "massage",
    "manipulation",
    "mobilisation",
    "acupuncture",
    "dry needling",
    "traction",
    "heat",
    "ice",
    "hydrotherapy",
    "pilates",
    "yoga",
    "mindfulness",
    "relaxation",
    "breathing",
    "goal setting",
    "problem-solving",
    "cognitive restructuring",
    "flare-up",
    "medication",
    "sleep",
    "home assignments",
    "adherence",
    "kept using",
    "blinded",
    "allocation concealment",
    "funding",
)


def _study_text() -> str:
    return STUDY_FILE.read_text(encoding="utf-8").lower()


def test_answers_about_the_trial_name_only_details_the_study_file_holds() -> None:
    study_text = _study_text()
    unsupported = [
        f"utter_explain/{topic}: {term!r} in {sentence!r}"
        for topic, variations in education_responses().items()
        for variation in variations
        for sentence in sentences(variation["text"])
        if TRIAL_REFERENCE.search(sentence)
        for term in TRIAL_DETAIL_TERMS
        if re.search(rf"\b{re.escape(term)}\b", sentence, re.IGNORECASE)
        and term.lower() not in study_text
    ]
    assert not unsupported, (
        "a trial detail in an answer must be in content/study/bemani2023.yml:\n"
        + "\n".join(unsupported)
    )


def test_the_trial_detail_check_catches_an_invented_detail() -> None:
    # Guards the test above: TENS is not in the study file, so naming it for the trial is caught.
    assert "tens" not in re.findall(r"\btens\b", _study_text())
    assert TRIAL_REFERENCE.search("In the Bemani trial both arms had TENS.")
