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
from typing import Iterable, List, Optional, Tuple

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
_UNITS = {
    "zero": 0,
    "nought": 0,
    "nil": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Whole answers that mean "nothing at all" on a rating scale.
_ZERO_ANSWERS = {"none", "nothing", "no pain", "no fear", "no tension", "not at all", "none at all"}


def words_to_digits(text: str) -> str:
    """Replace spelled-out numbers by digits: "twenty-five" -> "25", "a hundred" -> "100"."""
    # A dash between letters separates number words ("twenty-five"); a dash before a digit with
    # no word before it is a minus sign ("-3"), between digits a range ("6-7").
    spaced = re.sub(r"(?<=[a-z])-(?=[a-z])", " - ", text.lower())
    tokens = re.findall(r"(?<![\w.])-\d+(?:\.\d+)?|\d+(?:\.\d+)?|[a-z]+|[^\sa-z\d]", spaced)
    output: List[str] = []
    index = 0
    while index < len(tokens):
        value, consumed = _read_number_words(tokens, index)
        if consumed:
            output.append(str(value))
            index += consumed
        else:
            output.append(tokens[index])
            index += 1
    # Re-join; a dash between two digits stays a range marker ("6-7"), elsewhere a space.
    joined = " ".join(output)
    joined = re.sub(r"(\d) - (?=\d)", r"\1-", joined)
    return re.sub(r"\s+-\s+", " ", joined)


def _read_number_words(tokens: List[str], start: int) -> Tuple[int, int]:
    """Read one spelled-out number (up to "one hundred") at `start`; returns (value, tokens used)."""
    index = start
    value = 0
    if (
        index < len(tokens)
        and tokens[index] in ("a", "one")
        and index + 1 < len(tokens)
        and tokens[index + 1] == "hundred"
    ):
        return 100, 2
    if index < len(tokens) and tokens[index] == "hundred":
        return 100, 1
    if index < len(tokens) and tokens[index] in _TENS:
        value = _TENS[tokens[index]]
        index += 1
        # "twenty five" and "twenty-five" (the dash became its own token)
        skip = 1 if index < len(tokens) and tokens[index] == "-" else 0
        if (
            index + skip < len(tokens)
            and tokens[index + skip] in _UNITS
            and 0 < _UNITS[tokens[index + skip]] < 10
        ):
            value += _UNITS[tokens[index + skip]]
            index += 1 + skip
        return value, index - start
    if index < len(tokens) and tokens[index] in _UNITS:
        value = _UNITS[tokens[index]]
        index += 1
        # "five hundred", "two hundred and fifty"
        if index < len(tokens) and tokens[index] == "hundred" and 0 < value < 10:
            value *= 100
            index += 1
            after_and = index + 1 if index < len(tokens) and tokens[index] == "and" else index
            rest, used = _read_number_words(tokens, after_and)
            if used and rest < 100:
                value += rest
                index = after_and + used
        return value, index - start
    return 0, 0


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
