"""Which topics to offer when the assistant is unsure what a message meant (issue 15).

Rasa's two-stage fallback asks "Did you mean ...?" before giving up. Its stock question offers
one intent by its name; people need the two or three likeliest topics, in their own words, as
buttons. This module picks them from the intent ranking and, for the education topics (the
retrieval intent `explain`), from the response selector's ranking. No Rasa imports: the action
in actions/conversation/clarify.py passes the parse result in and sends what comes out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Sequence

RETRIEVAL_INTENT = "explain"
DEFAULT_SELECTOR = "default"  # the name Rasa gives a ResponseSelector for every retrieval intent
MAX_OPTIONS = 3
# Below this, a guess is noise rather than a candidate (DIET's softmax over about 60 intents).
MIN_CONFIDENCE = 0.05
# DIET can be sure a message asks for an education answer while the topic ranker has no idea
# which one ("is a standing desk worth the money" -> the trial's take-home message). Below this
# topic confidence the person is asked which topic they meant instead. Set on the blind dev
# conversation set (tests/dev/conversation_dev.yml) for the topic ranker (2026-12-03): of the 93
# messages DIET sent to an education answer, at 0.2 70 of 77 education questions are answered
# and 4 of 16 others (a script request, a trial question, an anatomy exam) get "did you mean";
# at 0.25 63 and 7; at 0.3 56 and still 7. On the held-out NLU files 0.25 asks about 1 of 242
# right topics (tests/nlu) and 1 of 102 (tests/nlu_blind).
TOPIC_CONFIDENCE_FLOOR = 0.25


@dataclass(frozen=True)
class Option:
    title: str
    payload: str


def _entity_payload(intent: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """`/intent{"outcome": "pain"}` with the study entities the message named, so a click keeps them."""
    values: Dict[str, Any] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and isinstance(value, str) and name not in values:
            values[name] = value
    return f"/{intent}{json.dumps(values)}" if values else f"/{intent}"


def clarify_options(
    intent_ranking: Iterable[Mapping[str, Any]],
    topic_ranking: Iterable[Mapping[str, Any]],
    intent_titles: Mapping[str, str],
    topic_questions: Mapping[str, str],
    entities: Sequence[Mapping[str, Any]] = (),
    max_options: int = MAX_OPTIONS,
) -> List[Option]:
    """Up to `max_options` likeliest topics, best first, each offered once.

    `intent_titles` names the intents that may be offered (any other, such as greetings or the
    safety intents, never is). `topic_questions` maps an education topic to a question that asks
    for it; the button sends that question, so a click is parsed like a typed message.
    """
    topics = [
        (
            str(entry.get("intent_response_key", "")).split("/", 1)[-1],
            float(entry.get("confidence") or 0),
        )
        for entry in topic_ranking
    ]
    options: List[Option] = []
    seen = set()
    for entry in intent_ranking:
        name = entry.get("name")
        confidence = float(entry.get("confidence") or 0)
        if confidence < MIN_CONFIDENCE:
            continue
        if name == RETRIEVAL_INTENT:
            # A topic's chance is the chance of an education question times the topic's chance
            # within them: the topic ranker always spreads its probability over the topics, so
            # "zzz qqq", which is barely an education question, does not offer one.
            likely = [topic for topic, chance in topics if confidence * chance >= MIN_CONFIDENCE]
            for topic in likely[:2]:
                question = topic_questions.get(topic)
                if question and topic not in seen:
                    seen.add(topic)
                    options.append(Option(_as_title(question), question))
        elif name in intent_titles and name not in seen:
            seen.add(name)
            options.append(Option(intent_titles[name], _entity_payload(name, entities)))
    return options[:max_options]


def without_intent(parse: Mapping[str, Any], intent: str) -> Dict[str, Any]:
    """The parse data with one intent taken out of its ranking."""
    ranking = [entry for entry in parse.get("intent_ranking") or [] if entry.get("name") != intent]
    return {**parse, "intent_ranking": ranking}


def put_first(intent_ranking: Iterable[Mapping[str, Any]], name: str) -> List[Mapping[str, Any]]:
    """The ranking with `name` moved (or added) to the top, sure: for a message that names
    something the project's own data knows better than the classifier."""
    rest = [entry for entry in intent_ranking if entry.get("name") != name]
    return [{"name": name, "confidence": 1.0}] + rest


def _as_title(question: str) -> str:
    """ "what is pacing" -> "What is pacing?"."""
    text = question.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in "?.!" else text + "?"


def first_question_per_topic(examples: Mapping[str, Sequence[str]]) -> Dict[str, str]:
    """The first training example of each `explain/<topic>`: a plain question for its button."""
    found: Dict[str, str] = {}
    for intent, texts in examples.items():
        if intent.startswith(f"{RETRIEVAL_INTENT}/") and texts:
            found[intent.split("/", 1)[1]] = texts[0]
    return found


# Rasa's training-data annotations: [text](entity) or [text]{"entity": ...}.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_example(annotated: str) -> str:
    """A training example as a person would type it: "what is [CBT](group)" -> "what is CBT"."""
    return _ANNOTATION.sub(lambda found: found.group("text"), annotated).strip()


def education_selection(selectors: Any) -> Mapping[str, Any]:
    """The education answers' entry in a parse result's `response_selector`: filed under the
    retrieval intent, or under "default" when one ResponseSelector serves every retrieval intent
    (how Rasa names it in this project). {} when there is none."""
    if not isinstance(selectors, Mapping):
        return {}
    selected = selectors.get(RETRIEVAL_INTENT) or selectors.get(DEFAULT_SELECTOR)
    return selected if isinstance(selected, Mapping) else {}


def topic_unsure(
    intent_name: Any, selector_output: Mapping[str, Any], floor: float = TOPIC_CONFIDENCE_FLOOR
) -> bool:
    """Whether an education answer would be a guess: the intent is the retrieval intent and the
    response selector's pick is below `floor` (or missing). `selector_output` is the parse's
    `response_selector` entry for the retrieval intent ({"response": {"confidence": ...}})."""
    if intent_name != RETRIEVAL_INTENT:
        return False
    response = selector_output.get("response") if isinstance(selector_output, Mapping) else None
    confidence = response.get("confidence") if isinstance(response, Mapping) else None
    return not isinstance(confidence, (int, float)) or confidence < floor
