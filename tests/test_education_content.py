"""The education answers (issue 4): complete, audience-aware, chat-sized, and free of trial figures.

The education content is a Rasa retrieval intent: `explain/<topic>` examples in data/nlu/education.yml,
answers `utter_explain/<topic>` in data/responses/education.yml (each with a plain variation and an
`audience: trainee` variation), held-out examples in tests/nlu/education_heldout.yml and conversation
tests in tests/stories/test_stories_education.yml. These tests check the content itself; the held-out F1 and
the conversation tests are run by `make test`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EDUCATION_NLU = PROJECT_ROOT / "data" / "nlu" / "education.yml"
EDUCATION_RESPONSES = PROJECT_ROOT / "data" / "responses" / "education.yml"
EDUCATION_HELD_OUT = PROJECT_ROOT / "tests" / "nlu" / "education_heldout.yml"
EDUCATION_STORIES = PROJECT_ROOT / "tests" / "stories" / "test_stories_education.yml"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
STUDY_FILE = PROJECT_ROOT / "content" / "study" / "bemani2023.yml"

RETRIEVAL_INTENT = "explain"
RESPONSE_PREFIX = f"utter_{RETRIEVAL_INTENT}/"
MIN_TOPICS = 40
MIN_TRAINING_EXAMPLES = 8
MIN_HELD_OUT_EXAMPLES = 3
MAX_BUBBLE_CHARACTERS = 600
TRAINEE_CONDITION = [{"type": "slot", "name": "audience", "value": "trainee"}]

# Annotations: [text](type) or [text]{"entity": type, "value": id}.
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<type>[^)]+)\)|(?P<json>\{[^}]*\}))")
# A number as written in prose: 5.03, 2,000, 35, NG59's 59 ... (a sign is not part of it).
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# Number words that could carry a trial figure ("thirty-five people", "twelve sessions", "twice a week").
# "one" is left out: it is mostly a pronoun ("the one you enjoy"), and no trial figure is one.
NUMBER_WORDS = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|"
    r"twice|percent|per cent)\b",
    re.IGNORECASE,
)
# The only digits an education answer may contain, each with its reason:
ALLOWED_DIGITS = {
    # The name of the NICE guideline on low back pain and sciatica, not a figure.
    "NG59": re.compile(r"\bNICE(?: guideline)? NG59\b"),
    # The publication year in the trial's citation ("Advances in Rheumatology, 2023"), not a result.
    "2023": re.compile(r"Advances in Rheumatology, 2023\b"),
    # ICD-11's definition of chronic pain (the trainee answer on acute and chronic pain, issue 15).
    "ICD-11": re.compile(
        r"\bICD-11 defines chronic pain as pain that persists or recurs for more than 3 months\b"
    ),
}
# Study-file parts that hold bibliographic numbers (years, volume, page, registry ids), not results.
STUDY_KEYS_WITHOUT_FIGURES = {"schema_version", "study_id", "sources", "citation", "registrations"}
# Whole numbers 0 to 10 are everyday scale points and example amounts elsewhere in the assistant
# ("from 0 to 10", "add 2 minutes"), so the project-wide check ignores them; they are still trial
# facts (weeks, sessions a week), which is why education answers may hold no digits at all.
EVERYDAY_WHOLE_NUMBERS = {float(n) for n in range(0, 11)}
# Figures every version of the study file has; if they are not found, the figure collection is broken.
KNOWN_TRIAL_FIGURES = {5.03, 1.86, 0.89, 2.2, 1.54, 35.0, 70.0, 12.0}


# ---------------------------------------------------------------- reading the files


def _read_yaml(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _plain(annotated: str) -> str:
    return ANNOTATION.sub(lambda m: m.group("text"), annotated).strip()


def _raw_examples(path: Path) -> Dict[str, List[str]]:
    """Intent name -> its examples as written (annotations kept)."""
    found: Dict[str, List[str]] = {}
    for block in _read_yaml(path).get("nlu", []) or []:
        lines = str(block.get("examples", "")).splitlines()
        found[block["intent"]] = [
            line.strip()[2:] for line in lines if line.strip().startswith("- ")
        ]
    return found


def _topics(path: Path) -> Dict[str, List[str]]:
    """Topic (the part after `explain/`) -> plain examples, from one NLU file."""
    return {
        intent.split("/", 1)[1]: [_plain(example) for example in examples]
        for intent, examples in _raw_examples(path).items()
        if intent.startswith(f"{RETRIEVAL_INTENT}/")
    }


def _education_responses() -> Dict[str, List[Dict[str, Any]]]:
    responses = _read_yaml(EDUCATION_RESPONSES).get("responses", {})
    return {name[len(RESPONSE_PREFIX) :]: variations for name, variations in responses.items()}


def _every_response_file() -> List[Path]:
    """domain.yml plus every file under data/ that Rasa would read responses from."""
    files = [DOMAIN_FILE]
    for path in sorted((PROJECT_ROOT / "data").rglob("*.yml")):
        if "responses" in _read_yaml(path):
            files.append(path)
    return files


def _texts_of(variation: Dict[str, Any]) -> Iterator[str]:
    """Every string a person sees or sends from one response variation."""
    if variation.get("text"):
        yield str(variation["text"])
    for button in variation.get("buttons", []) or []:
        yield str(button.get("title", ""))
        yield str(button.get("payload", ""))


def _every_response_text() -> Iterator[Tuple[str, str, str]]:
    """(file, response name, text) for every response text, title and payload in the project."""
    for path in _every_response_file():
        for name, variations in (_read_yaml(path).get("responses") or {}).items():
            for variation in variations or []:
                for text in _texts_of(variation):
                    yield str(path.relative_to(PROJECT_ROOT)), name, text


def _as_number(token: str) -> float:
    return float(token.replace(",", ""))


def _study_figures() -> Set[float]:
    """Every number the study file holds as a value (absolute), bibliographic parts aside.

    Numbers inside its sentences (eligibility scores such as "20–60") are left out: they are
    everyday numbers elsewhere ("20 minutes", "60%"), and the actions quote those sentences whole.
    """
    figures: Set[float] = set()

    def walk(node: Any) -> None:
        if isinstance(node, bool):
            return
        if isinstance(node, (int, float)):
            figures.add(abs(float(node)))
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in STUDY_KEYS_WITHOUT_FIGURES:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_read_yaml(STUDY_FILE))
    return figures


def _sentences(text: str) -> List[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


# ---------------------------------------------------------------- coverage


def test_there_are_at_least_forty_topics() -> None:
    topics = _topics(EDUCATION_NLU)
    assert len(topics) >= MIN_TOPICS, (
        f"{len(topics)} education topics; the issue asks for {MIN_TOPICS}"
    )


def test_every_topic_has_enough_distinct_training_examples() -> None:
    for topic, examples in _topics(EDUCATION_NLU).items():
        distinct = {example.lower() for example in examples}
        assert len(distinct) >= MIN_TRAINING_EXAMPLES, (
            f"explain/{topic}: {len(distinct)} distinct examples"
        )
        assert len(distinct) == len(examples), f"explain/{topic} repeats an example"


def test_no_example_is_trained_for_two_topics() -> None:
    seen: Dict[str, str] = {}
    for topic, examples in _topics(EDUCATION_NLU).items():
        for example in examples:
            assert example.lower() not in seen, (
                f"{example!r} is in explain/{seen[example.lower()]} and explain/{topic}"
            )
            seen[example.lower()] = topic


def test_no_education_example_belongs_to_another_intent() -> None:
    education = {
        example.lower() for examples in _topics(EDUCATION_NLU).values() for example in examples
    }
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        if path == EDUCATION_NLU:
            continue
        for intent, examples in _raw_examples(path).items():
            shared = education & {_plain(example).lower() for example in examples}
            assert not shared, (
                f"{path.name} trains {intent} on education examples: {sorted(shared)}"
            )


def test_training_responses_and_held_out_cover_the_same_topics() -> None:
    trained = set(_topics(EDUCATION_NLU))
    answered = set(_education_responses())
    held_out = _topics(EDUCATION_HELD_OUT)
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
    stories = _read_yaml(EDUCATION_STORIES)["stories"]
    asked: Dict[str, Set[str]] = {"patient": set(), "trainee": set()}
    for story in stories:
        audience = None
        for step in story["steps"]:
            intent = step.get("intent", "")
            if intent in ("declare_patient", "declare_trainee"):
                audience = intent.split("_", 1)[1]
            elif intent.startswith(f"{RETRIEVAL_INTENT}/") and audience:
                asked[audience].add(intent.split("/", 1)[1])
    topics = set(_topics(EDUCATION_NLU))
    for audience, covered in asked.items():
        assert topics <= covered, f"{audience}: no conversation test for {sorted(topics - covered)}"


# ---------------------------------------------------------------- the answers


def test_every_topic_has_a_plain_and_a_trainee_variation() -> None:
    for topic, variations in _education_responses().items():
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
        for topic, variations in _education_responses().items()
        for v in variations
        if len(v["text"]) > MAX_BUBBLE_CHARACTERS
    }
    assert not too_long, f"answers over {MAX_BUBBLE_CHARACTERS} characters: {too_long}"


def test_the_trial_figures_are_found_in_the_study_file() -> None:
    # Guards the next test: it can only catch a figure that this collection knows.
    missing = KNOWN_TRIAL_FIGURES - _study_figures()
    assert not missing, f"figure collection lost {missing}"


def test_no_response_in_the_project_states_a_trial_figure() -> None:
    figures = _study_figures() - EVERYDAY_WHOLE_NUMBERS
    offending = [
        f"{where}: {name}: {token!r} in {text!r}"
        for where, name, text in _every_response_text()
        for token in NUMBER.findall(text)
        if _as_number(token) in figures
        and not any(
            token in allowed and pattern.search(text) for allowed, pattern in ALLOWED_DIGITS.items()
        )
    ]
    assert not offending, (
        "trial figures belong to content/study/bemani2023.yml only:\n" + "\n".join(offending)
    )


def test_education_answers_contain_no_numbers_at_all() -> None:
    offending = []
    for topic, variations in _education_responses().items():
        for variation in variations:
            for text in _texts_of(variation):
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
        for topic, variations in _education_responses().items()
        for variation in variations
        for sentence in _sentences(variation["text"])
        if re.search(r"recommend|advises? against", sentence, re.IGNORECASE)
        and "NICE" not in sentence
    ]
    assert not unsourced, "a recommendation says whose it is (NICE NG59):\n" + "\n".join(unsourced)


def test_answers_about_the_trial_name_it() -> None:
    trial_topics = {
        topic
        for topic in _education_responses()
        if topic.startswith(("trial_", "both_", "groups_"))
    }
    assert trial_topics, "no trial topics found"
    for topic in trial_topics:
        for variation in _education_responses()[topic]:
            assert re.search(r"Bemani|the trial", variation["text"], re.IGNORECASE), (
                f"utter_explain/{topic}: which trial?"
            )


def test_exercise_answers_send_people_to_their_physiotherapist() -> None:
    for topic in ("exercise_advice", "strengthening_exercises"):
        plain = next(v for v in _education_responses()[topic] if not v.get("condition"))
        assert "physiotherapist" in plain["text"] and "can't prescribe" in plain["text"], topic


# ---------------------------------------------------------------- buttons


def _buttons() -> Iterator[Tuple[str, Dict[str, str]]]:
    for topic, variations in _education_responses().items():
        for variation in variations:
            for button in variation.get("buttons", []) or []:
                yield topic, button


def test_every_answer_offers_a_next_question() -> None:
    for topic, variations in _education_responses().items():
        for variation in variations:
            assert variation.get("buttons"), f"utter_explain/{topic} has no next-question buttons"


def test_question_buttons_send_a_trained_question() -> None:
    # A `/explain/<topic>` payload cannot choose a sub-intent: Rasa's payload parser only knows the
    # intent `explain`, and the ResponseSelector would then judge the literal text "/explain/...".
    # So buttons that lead to another answer send that topic's first training example as text.
    first_examples = {
        examples[0].lower(): topic for topic, examples in _topics(EDUCATION_NLU).items()
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

    domain = _read_yaml(DOMAIN_FILE)
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
    for story in _read_yaml(EDUCATION_STORIES)["stories"]:
        for step in story["steps"]:
            if "user" in step:
                yield str(step["user"]).strip()


def test_entity_annotations_match_what_the_study_ruler_extracts(study_entity_ruler: Any) -> None:
    # Held-out entity F1 and the conversation tests compare these annotations with the
    # StudyEntityExtractor's output, so they must mark exactly what it will find.
    wrong = []
    for path in (EDUCATION_NLU, EDUCATION_HELD_OUT):
        for examples in _raw_examples(path).values():
            for annotated in examples:
                plain = _plain(annotated)
                if _annotations(annotated) != _extracted(
                    study_entity_ruler, plain, with_values=False
                ):
                    wrong.append(f"{path.name}: {annotated}")
    for annotated in _story_user_texts():
        # Conversation tests also compare values, which are the study file's canonical ids.
        if _annotations(annotated) != _extracted(
            study_entity_ruler, _plain(annotated), with_values=True
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
    for topic in _education_responses():
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
    for topic, variations in _education_responses().items():
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
        for topic, variations in _education_responses().items()
        for variation in variations
        for sentence in _sentences(variation["text"])
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
