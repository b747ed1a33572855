"""What the education content tests share: where the files are, the limits the answers keep,
and readers of the NLU, response and study files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import yaml

from tests.support.heldout_nlu import BLIND_NLU_DIR, HELD_OUT_NLU_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EDUCATION_NLU = PROJECT_ROOT / "data" / "nlu" / "education.yml"
EDUCATION_RESPONSES = PROJECT_ROOT / "data" / "responses" / "education.yml"
# Held-out education questions: written next to the topics (tests/nlu/) and written blind
# before the everyday topics existed (tests/nlu_blind/); every topic must have some in one of them.
EDUCATION_HELD_OUT_FILES = (
    HELD_OUT_NLU_DIR / "education_heldout.yml",
    BLIND_NLU_DIR / "everyday_heldout.yml",
)
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


def read_yaml(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def plain_text(annotated: str) -> str:
    return ANNOTATION.sub(lambda m: m.group("text"), annotated).strip()


def raw_examples(path: Path) -> Dict[str, List[str]]:
    """Intent name -> its examples as written (annotations kept)."""
    found: Dict[str, List[str]] = {}
    for block in read_yaml(path).get("nlu", []) or []:
        lines = str(block.get("examples", "")).splitlines()
        found[block["intent"]] = [
            line.strip()[2:] for line in lines if line.strip().startswith("- ")
        ]
    return found


def topics_in(path: Path) -> Dict[str, List[str]]:
    """Topic (the part after `explain/`) -> plain examples, from one NLU file."""
    return {
        intent.split("/", 1)[1]: [plain_text(example) for example in examples]
        for intent, examples in raw_examples(path).items()
        if intent.startswith(f"{RETRIEVAL_INTENT}/")
    }


def education_responses() -> Dict[str, List[Dict[str, Any]]]:
    responses = read_yaml(EDUCATION_RESPONSES).get("responses", {})
    return {name[len(RESPONSE_PREFIX) :]: variations for name, variations in responses.items()}


def every_response_file() -> List[Path]:
    """domain.yml plus every file under data/ that Rasa would read responses from."""
    files = [DOMAIN_FILE]
    for path in sorted((PROJECT_ROOT / "data").rglob("*.yml")):
        if "responses" in read_yaml(path):
            files.append(path)
    return files


def texts_of(variation: Dict[str, Any]) -> Iterator[str]:
    """Every string a person sees or sends from one response variation."""
    if variation.get("text"):
        yield str(variation["text"])
    for button in variation.get("buttons", []) or []:
        yield str(button.get("title", ""))
        yield str(button.get("payload", ""))


def every_response_text() -> Iterator[Tuple[str, str, str]]:
    """(file, response name, text) for every response text, title and payload in the project."""
    for path in every_response_file():
        for name, variations in (read_yaml(path).get("responses") or {}).items():
            for variation in variations or []:
                for text in texts_of(variation):
                    yield str(path.relative_to(PROJECT_ROOT)), name, text


def as_number(token: str) -> float:
    return float(token.replace(",", ""))


def study_figures() -> Set[float]:
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

    walk(read_yaml(STUDY_FILE))
    return figures


def sentences(text: str) -> List[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
