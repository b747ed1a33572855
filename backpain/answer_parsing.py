"""Understanding the short answers people give inside the guided scripts (plain Python, no Rasa).

People answer a rating question in many ways: "7", "seven", "7/10", "70%", "about 6",
"six out of ten", "100 percent". The parsers here turn such text into a value on the scale that
was asked for, or say clearly why they could not (so the script can re-ask with a precise hint
instead of guessing a default). Also here: yes/no answers, durations ("half an hour"), amounts
("3 flights of stairs"), lists ("bending, lifting and running") and pacing increase plans
("add 2 minutes every 3 days").
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


_NUMBER = r"\d+(?:\.\d+)?"
_FRACTION = re.compile(rf"({_NUMBER})\s*(?:/|out of|outta)\s*({_NUMBER})")
_PERCENT = re.compile(rf"({_NUMBER})\s*(?:%|percent\b|per cent\b|pct\b)")
_BARE_NUMBER = re.compile(rf"(?:(?<=\s)|^)(-?{_NUMBER})(?![\d.])|({_NUMBER})")


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
    take(_PERCENT, lambda match: float(match.group(1)) / 100 * scale_max)
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


# --- durations and amounts ----------------------------------------------------------------
_MINUTES_PER_UNIT = {
    "second": 1 / 60,
    "sec": 1 / 60,
    "secs": 1 / 60,
    "seconds": 1 / 60,
    "s": 1 / 60,
    "minute": 1.0,
    "minutes": 1.0,
    "min": 1.0,
    "mins": 1.0,
    "m": 1.0,
    "hour": 60.0,
    "hours": 60.0,
    "hr": 60.0,
    "hrs": 60.0,
    "h": 60.0,
}
_DURATION_PART = re.compile(rf"({_NUMBER})\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|[smh])\b")
_PHRASES_IN_MINUTES = [  # longest first, so "an hour and a half" is not read as "an hour"
    (re.compile(r"\b(an?|1|one) hour and a half\b"), 90.0),
    (re.compile(r"\b(an?|1|one) and a half hours?\b"), 90.0),
    (re.compile(r"\bhalf an? hour\b|\bhalf hour\b"), 30.0),
    (re.compile(r"\b(a )?quarter of an hour\b|\bquarter hour\b"), 15.0),
    (re.compile(r"\bthree quarters of an hour\b"), 45.0),
    (re.compile(r"\b(an|a) hour\b"), 60.0),
    (re.compile(r"\b(a|one) minute\b"), 1.0),
    (re.compile(r"\ba couple of minutes\b"), 2.0),
]


# Two numbers offered as alternatives: "10 or 20", "10 to 20", "10-20".
_RANGE = re.compile(rf"{_NUMBER}\s*(?:or|to|-|–)\s*{_NUMBER}")


def parse_duration_minutes(answer: object) -> Optional[float]:
    """Minutes in "10 minutes", "half an hour", "1 hour 30 minutes", "90 secs"; None if no duration
    or a range ("10 to 20 minutes")."""
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARACTERS:
        return None
    if _RANGE.search(words_to_digits(answer)):
        return None
    text = answer.lower()
    total = 0.0
    found = False
    for pattern, minutes in _PHRASES_IN_MINUTES:
        if pattern.search(text):
            total += minutes
            found = True
            text = pattern.sub(" ", text)
    # Hyphenated units ("20-minute walk") count too; spelled-out numbers become digits first.
    text = words_to_digits(text.replace("-", " "))
    for match in _DURATION_PART.finditer(text):
        total += float(match.group(1)) * _MINUTES_PER_UNIT[match.group(2)]
        found = True
    return round(total, 2) if found else None


@dataclass(frozen=True)
class Amount:
    """How much of an activity: a number with a unit ("minutes", "flights of stairs") or none."""

    value: float
    unit: Optional[str] = None

    def describe(self) -> str:
        number = f"{self.value:g}"
        return f"{number} {self.unit}" if self.unit else number

    def comparable_with(self, other: "Amount") -> bool:
        """Same unit (singular and plural count as the same); a unit-less number fits any unit."""
        if self.unit is None or other.unit is None:
            return True
        return _singular(self.unit) == _singular(other.unit)


def _singular(unit: str) -> str:
    first, _, rest = unit.partition(" ")
    first = first[:-1] if first.endswith("s") and len(first) > 3 else first
    return f"{first} {rest}".strip()


_UNIT_WORDS = re.compile(
    rf"({_NUMBER})\s+([a-z][a-z ]{{0,30}}?)(?=$|[,.;!?]| at | in | per | each | a day| every )"
)
_FILLER = re.compile(
    r"\b(about|around|roughly|maybe|approximately|approx|like|say|i'?d say|i can do|i can manage|i could do)\b"
)


def parse_amount(answer: object) -> Optional[Amount]:
    """An amount of activity: "10 minutes" -> 10 minutes; "3 flights of stairs"; "20" (no unit)."""
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return Amount(float(answer), None)
    if isinstance(
        answer, dict
    ):  # an amount already parsed and stored: {"value": 10, "unit": "minutes"}
        value, unit = answer.get("value"), answer.get("unit")
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (unit is None or isinstance(unit, str))
        ):
            return Amount(float(value), unit)
        return None
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARACTERS:
        return None
    if _RANGE.search(words_to_digits(answer)):
        return None  # "10 or 20 minutes": ask for one amount
    minutes = parse_duration_minutes(answer)
    if minutes is not None:
        return Amount(minutes, "minutes")
    text = _FILLER.sub(" ", words_to_digits(answer.lower().strip()))
    text = re.sub(r"\s+", " ", text).strip()
    numbers = re.findall(_NUMBER, text)
    if re.search(r"(?<![\w.])-\d", text) or len(set(numbers)) != 1:
        # a negative amount, none, or a range like "2 or 3": ask for one amount
        return None
    match = _UNIT_WORDS.search(text + ".")
    if match:
        return Amount(float(match.group(1)), match.group(2).strip())
    return Amount(float(numbers[0]), None)


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


# --- pacing: the gradual increase ---------------------------------------------------------
@dataclass(frozen=True)
class IncreasePlan:
    """Add `step` every `every_days` days (or `percent` %), e.g. 2 minutes every 3 days."""

    every_days: float
    step: Optional[Amount] = None
    percent: Optional[float] = None

    def describe(self) -> str:
        how_much = (
            f"{self.percent:g}%"
            if self.percent is not None
            else self.step.describe()
            if self.step
            else "a little"
        )
        if self.every_days == 1:
            how_often = "every day"
        elif self.every_days == 7:
            how_often = "every week"
        elif self.every_days % 7 == 0:
            how_often = f"every {self.every_days / 7:g} weeks"
        else:
            how_often = f"every {self.every_days:g} days"
        return f"add {how_much} {how_often}"


_INTERVALS = [
    (re.compile(r"\bevery other day\b"), lambda m: 2.0),
    (re.compile(r"\bevery (\d+(?:\.\d+)?) days?\b"), lambda m: float(m.group(1))),
    (re.compile(r"\bevery (\d+(?:\.\d+)?) weeks?\b"), lambda m: float(m.group(1)) * 7),
    (re.compile(r"\b(fortnightly|every fortnight|every other week)\b"), lambda m: 14.0),
    (re.compile(r"\b(daily|every day|each day|a day|per day)\b"), lambda m: 1.0),
    (re.compile(r"\b(weekly|every week|each week|a week|per week)\b"), lambda m: 7.0),
]


class IncreaseProblem(str, Enum):
    NO_AMOUNT = "no_amount"
    NO_INTERVAL = "no_interval"


def parse_increase_plan(answer: object) -> Tuple[Optional[IncreasePlan], Optional[IncreaseProblem]]:
    """Read "add 2 minutes every 3 days", "10% more each week", "one more lap every other day"."""
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARACTERS:
        return None, IncreaseProblem.NO_AMOUNT
    text = words_to_digits(answer.lower())
    every_days: Optional[float] = None
    for pattern, days in _INTERVALS:
        match = pattern.search(text)
        if match:
            every_days = days(match)
            text = pattern.sub(" ", text)
            break
    percent_match = _PERCENT.search(text)
    if percent_match:
        plan_amount: Tuple[Optional[Amount], Optional[float]] = (
            None,
            float(percent_match.group(1)),
        )
    else:
        step = parse_amount(
            re.sub(r"\b(add|adding|increase|increasing|by|more|extra|another|go up)\b", " ", text)
        )
        plan_amount = (step, None)
    if (
        plan_amount == (None, None)
        or (plan_amount[0] is not None and plan_amount[0].value <= 0)
        or (plan_amount[1] is not None and plan_amount[1] <= 0)
    ):
        return None, IncreaseProblem.NO_AMOUNT
    if every_days is None or every_days <= 0:
        return None, IncreaseProblem.NO_INTERVAL
    return IncreasePlan(every_days=every_days, step=plan_amount[0], percent=plan_amount[1]), None
