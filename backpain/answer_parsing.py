"""Understanding the short answers people give inside the guided scripts (plain Python, no Rasa).

People answer a rating question in many ways: "7", "seven", "7/10", "70%", "about 6",
"six out of ten", "100 percent". The parsers here turn such text into a value on the scale that
was asked for, or say clearly why they could not (so the script can re-ask with a precise hint
instead of guessing a default). Also here: questions that are not answers, number words, yes/no
answers and lists ("bending, lifting and running"). Amounts and pacing plans are in
backpain/amount_parsing.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, List, Optional

from text_to_num import alpha2digit

# Anything longer is not a short answer; parsing it would only find accidental numbers.
MAX_ANSWER_CHARACTERS = 500

# --- questions are not answers --------------------------------------------------------------
# A message shaped like a question is never read as a rating, a yes/no or an amount: the "2" in
# "why does my back still hurt after 2 years?" is not a tension rating (issue 14). The shape is
# a question mark, or an opening that only questions and requests have.
_QUESTION_OPENING = re.compile(
    r"^\s*(?:what|what's|whats|wat|wot|why|why's|whys|how|how's|hows|when|where|where's|wheres|who|who's|whos|whose|which|"
    r"is it|is that|is this|are you|"
    r"can you|could you|can i|could i|should i|do you|does it|does this|do i|will it|would it|"
    r"tell me|explain|remind me)\b"
)


# "is 10 minutes enough", "can you set a reminder": a verb first, then at least two more words
# (so "will do" and "can do" stay answers).
_VERB_FIRST_QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|should|would|will|have|has|am)\s+\S+\s+\S+"
)
# "...after 4 breaths in, is that normal": a question at the end of a statement.
_TRAILING_QUESTION = re.compile(
    r"\b(?:is|was|does|do|can|should|will|would)\s+(?:that|it|this|i|you)\s+[a-z' ]{0,25}$"
)


# "my scan says wear and tear, does that mean it's crumbling": a question after a clause break,
# with a subject and at least three more words (so "lifting, was the worst" stays an answer).
_EMBEDDED_QUESTION = re.compile(
    r"(?:[,;:]|\s[-–—]|\b(?:and|but|so|also|plus))\s+(?:does|is|are|was|were|can|could|should|will|would)\s+"
    r"(?:that|it|this|i|you|the|there|they|anyone|people)\s+(?:\S+\s+){2,}\S+"
)


def looks_like_question(answer: object) -> bool:
    """True for "why does it still hurt?", "what can you do", "is that normal", "tell me about it"."""
    if not isinstance(answer, str):
        return False
    text = answer.lower().replace("’", "'").strip()
    if not re.search(r"[a-z]", text):  # "?!" alone is no question, just no answer
        return False
    shapes = (_QUESTION_OPENING, _VERB_FIRST_QUESTION, _TRAILING_QUESTION, _EMBEDDED_QUESTION)
    return "?" in text or any(p.search(text) for p in shapes)


# --- number words -------------------------------------------------------------------------
_ZERO_ANSWERS = {"none", "nothing", "no pain", "no fear", "no tension", "not at all", "none at all"}
# A dash between a number word and a digit ("six-7") is a range; text2num reads words only when
# the dash stands apart.
_WORD_DIGIT_DASH = re.compile(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z])")


def words_to_digits(text: str) -> str:
    """Spelled-out numbers as digits, lower case: "Twenty-five" -> "25", "six-7" -> "6 - 7".

    text2num's alpha2digit does the reading (threshold 0: "one" and "two" count too, since a
    rating of "two" is an answer). It replaced a hand-written reader after giving the same
    result on every parser test but one, the word-dash-digit range handled above (issue 17).
    """
    return alpha2digit(_WORD_DIGIT_DASH.sub(" - ", text.lower()), "en", threshold=0)


# --- ratings ------------------------------------------------------------------------------
class RatingProblem(str, Enum):
    """Why an answer could not be read as a rating (each gets its own re-ask)."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    SEVERAL_NUMBERS = "several_numbers"
    TOO_LONG = "too_long"
    QUESTION = "question"


@dataclass(frozen=True)
class RatingResult:
    value: Optional[float] = None
    problem: Optional[RatingProblem] = None

    @property
    def ok(self) -> bool:
        return self.problem is None


NUMBER = r"\d+(?:\.\d+)?"
_FRACTION = re.compile(rf"({NUMBER})\s*(?:/|out of|outta)\s*({NUMBER})")
PERCENT = re.compile(rf"({NUMBER})\s*(?:%|percent\b|per cent\b|pct\b)")
_BARE_NUMBER = re.compile(rf"(?:(?<=\s)|^)(-?{NUMBER})(?![\d.])|({NUMBER})")


def parse_rating(answer: object, scale_max: int) -> RatingResult:
    """Read a rating on a 0..scale_max scale (10 or 100) from a free-text answer.

    "7/10" and "70%" are converted to the scale asked for (70% is 7 on a 0-10 scale).
    Two different numbers ("6 or 7") are not averaged: the person is asked to pick one.
    A value already parsed (a number stored in a slot) is checked for range and returned.
    """
    if isinstance(answer, bool):
        return RatingResult(problem=RatingProblem.NOT_A_NUMBER)
    if isinstance(answer, (int, float)):
        return _in_range(float(answer), scale_max)
    if isinstance(answer, list):  # list slots hand over a list of texts
        answer = " ".join(str(item) for item in answer)
    if not isinstance(answer, str) or not answer.strip():
        return RatingResult(problem=RatingProblem.EMPTY)
    if len(answer) > MAX_ANSWER_CHARACTERS:
        return RatingResult(problem=RatingProblem.TOO_LONG)
    if looks_like_question(answer):
        return RatingResult(problem=RatingProblem.QUESTION)
    plain = re.sub(r"[!?.,;:]+(\s|$)", r" ", answer.lower()).strip()
    if plain in _ZERO_ANSWERS:
        return RatingResult(value=0.0)
    text = words_to_digits(plain)
    candidates: List[float] = []

    def take(pattern: re.Pattern, convert) -> None:
        nonlocal text
        for match in pattern.finditer(text):
            converted = convert(match)
            if converted is None:
                continue
            candidates.append(converted)
        text = pattern.sub(" ", text)

    def fraction(match: re.Match) -> Optional[float]:
        numerator, denominator = float(match.group(1)), float(match.group(2))
        if denominator == 0:
            return float("nan")
        return numerator / denominator * scale_max

    take(_FRACTION, fraction)
    take(PERCENT, lambda match: float(match.group(1)) / 100 * scale_max)
    take(_BARE_NUMBER, lambda match: float(match.group(1) or match.group(2)))

    distinct = sorted({round(value, 1) for value in candidates if value == value})
    if not distinct:
        return RatingResult(problem=RatingProblem.NOT_A_NUMBER)
    if len(distinct) > 1:
        return RatingResult(problem=RatingProblem.SEVERAL_NUMBERS)
    return _in_range(distinct[0], scale_max)


def _in_range(value: float, scale_max: int) -> RatingResult:
    if value != value or not 0 <= value <= scale_max:  # NaN or outside the scale
        return RatingResult(problem=RatingProblem.OUT_OF_RANGE)
    return RatingResult(value=round(value, 1))


# --- yes / no -----------------------------------------------------------------------------
_UNSURE = re.compile(r"\b(not sure|unsure|maybe|don'?t know|dunno|no idea|perhaps|not certain)\b")
_NO = re.compile(
    r"\b((?:i'?m |i am )?not (?:yet )?ready(?: yet)?|no|nope|nah|not really|not yet|none|neither|never|"
    r"negative|don'?t think so|i'?m not|i am not|not at all|not today)\b"
)
_YES = re.compile(
    r"\b(yes|yeah|yep|yup|ya|sure|ok|okay|ready|absolutely|definitely|of course|certainly|"
    r"i am|i'?m ready|let'?s go|let'?s do it|go ahead|correct|right|fine|alright|all right|y)\b"
)


def parse_yes_no(answer: object) -> Optional[bool]:
    """True for a yes, False for a no, None when unclear or both ("yes and no", "not sure")."""
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, list):
        answer = " ".join(str(item) for item in answer)
    if not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARACTERS:
        return None
    text = answer.lower().replace("’", "'")
    if _UNSURE.search(text):
        return None
    said_no = bool(_NO.search(text))
    # "not ready" holds "ready": a yes-word inside a no-phrase does not count as a yes.
    said_yes = bool(_YES.search(_NO.sub(" ", text)))
    if said_no == said_yes:
        return None
    return said_yes


# --- lists --------------------------------------------------------------------------------
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;\n•]|\band also\b|\band\b|&|\bplus\b)\s*")
_LIST_MARKERS = re.compile(r"^\s*(?:[-*]|\d+[.)])\s*")


def parse_list(answer: object, max_items: int = 8, max_item_characters: int = 80) -> List[str]:
    """Items of "bending, lifting and running" or a bulleted / numbered list, without duplicates.

    Items longer than `max_item_characters` are cut (at a word) rather than refused; at most
    `max_items` are returned: the caller tells the person when more were given.
    """
    if isinstance(answer, list):
        pieces: Iterable[str] = (
            item for text in answer if isinstance(text, str) for item in _split(text)
        )
    elif isinstance(answer, str):
        pieces = _split(answer[: MAX_ANSWER_CHARACTERS * 4])
    else:
        return []
    items: List[str] = []
    seen = set()
    for piece in pieces:
        item = _LIST_MARKERS.sub("", piece).strip(" .!?\"'")
        if not item or not re.search(r"\w", item):
            continue
        if len(item) > max_item_characters:
            item = item[:max_item_characters].rsplit(" ", 1)[0]
        key = item.lower()
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items[: max_items + 1] if len(items) > max_items else items


# Common phrases with "and" inside that name one thing, not two.
_KEEP_TOGETHER = re.compile(
    r"\b(pins|back|up|in|on|to|sit|bits|aches|stop|bed)( and )"
    r"(?=(?:needles|forth|down|out|off|fro|stand|pieces|pains|start|breakfast)\b)",
    re.IGNORECASE,
)
_KEPT_AND = "\u0001"


def _split(text: str) -> List[str]:
    text = _KEEP_TOGETHER.sub(lambda match: f"{match.group(1)}{_KEPT_AND}", text)
    lines = text.splitlines() or [text]
    pieces = [
        piece for line in lines for piece in _LIST_SEPARATORS.split(_LIST_MARKERS.sub("", line))
    ]
    return [piece.replace(_KEPT_AND, " and ") for piece in pieces]
