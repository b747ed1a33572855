"""Amounts of activity in people's words, for the pacing script (plain Python, no Rasa).

Durations ("half an hour", "1 hour 30 minutes"), amounts ("3 flights of stairs", "half a mile",
"20") and gradual increase plans ("add 2 minutes every 3 days", "an extra flight each Monday").
A range ("10-15 minutes", "between 10 and 15") is read as its lower end (see
backpain/amount_words.py for why); two alternatives ("10 or 20 minutes") are not read as one
amount: the script asks for one instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Tuple

from backpain.amount_words import INTERVALS, fractions_to_digits, lower_end_of_ranges
from backpain.answer_parsing import MAX_ANSWER_CHARACTERS, NUMBER, PERCENT, words_to_digits

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
_DURATION_PART = re.compile(rf"({NUMBER})\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|[smh])\b")
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


# Two numbers still side by side once ranges are read: alternatives ("10 or 20", "10 mins or
# 20 mins"), a span that is not an amount ("from 10 to 20") or one in two units ("20 minutes to
# 2 hours"), which would otherwise be added up.
_RANGE = re.compile(rf"{NUMBER}\s*(?:[a-z]+\s*)?(?:or|to|-|–)\s*{NUMBER}")


def _in_digits(answer: str) -> str:
    """Lower case, numbers as digits, fractions as decimals, each range as its lower end."""
    return lower_end_of_ranges(fractions_to_digits(words_to_digits(answer)))


def parse_duration_minutes(answer: object) -> Optional[float]:
    """Minutes in "10 minutes", "half an hour", "1 hour 30 minutes", "90 secs", "10-15 minutes"
    (the lower end); None if no duration or two alternatives ("10 or 20 minutes")."""
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARACTERS:
        return None
    text = _in_digits(answer)
    if _RANGE.search(text):
        return None
    total = 0.0
    found = False
    for pattern, minutes in _PHRASES_IN_MINUTES:
        if pattern.search(text):
            total += minutes
            found = True
            text = pattern.sub(" ", text)
    # Hyphenated units ("20-minute walk") count too.
    text = text.replace("-", " ")
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


# The unit is the words after the number, up to punctuation or a word that starts another
# clause, so "half a length, then rest" and "1 flight if it goes ok" keep just the unit.
_UNIT_END = (
    r"at|in|per|each|a day|every|if|then|when|unless|before|after|until|till|but|because|"
    r"and|or|so|to|on|for|with|without|tops|max|maximum"
)
_UNIT_WORDS = re.compile(rf"({NUMBER})\s+([a-z][a-z ]{{0,30}}?)(?=$|[,.;!?]|\s(?:{_UNIT_END})\b)")
_CLOCK_WORDS = re.compile(r"(?:tomorrow|today|tonight|yesterday|am|pm|o'?clock|o clock)\b")
_FILLER = re.compile(
    r"\b(about|around|roughly|maybe|approximately|approx|like|say|i'?d say|i can do|i can manage|"
    r"i could do)\b"
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
    digits = _in_digits(answer.strip())
    if _RANGE.search(digits):
        return None  # "10 or 20 minutes": ask for one amount
    minutes = parse_duration_minutes(answer)
    if minutes is not None:
        return Amount(minutes, "minutes")
    text = _FILLER.sub(" ", digits)
    text = re.sub(r"\s+", " ", text).strip()
    numbers = re.findall(NUMBER, text)
    if re.search(r"(?<![\w.])-\d", text) or len(set(numbers)) != 1:
        # a negative amount, none, or a range like "2 or 3": ask for one amount
        return None
    match = _UNIT_WORDS.search(text + ".")
    if match:
        if _CLOCK_WORDS.match(match.group(2)):
            return None  # "between 8 and 12 tomorrow": a time of day, not an amount
        return Amount(float(match.group(1)), match.group(2).strip())
    return Amount(float(numbers[0]), None)


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
        times_a_week = 7 / self.every_days
        if self.every_days == 1:
            how_often = "every day"
        elif 1 < self.every_days < 7 and round(times_a_week, 6) in (2, 3):
            # read from "twice a week" / "3 times a week": say it back the same way
            how_often = "twice a week" if round(times_a_week) == 2 else "3 times a week"
        elif self.every_days == 7:
            how_often = "every week"
        elif self.every_days % 7 == 0:
            how_often = f"every {self.every_days / 7:g} weeks"
        else:
            how_often = f"every {self.every_days:g} days"
        return f"add {how_much} {how_often}"


class IncreaseProblem(str, Enum):
    NO_AMOUNT = "no_amount"
    NO_INTERVAL = "no_interval"


_INCREASE_WORDS = r"\b(add|adding|increase|increasing|by|more|extra|additional|another|go up)\b"


def parse_increase_plan(answer: object) -> Tuple[Optional[IncreasePlan], Optional[IncreaseProblem]]:
    """Read "add 2 minutes every 3 days", "10% more each week", "one more lap every other day"."""
    if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARACTERS:
        return None, IncreaseProblem.NO_AMOUNT
    text = fractions_to_digits(words_to_digits(answer.lower()))
    every_days: Optional[float] = None
    for pattern, days in INTERVALS:
        match = pattern.search(text)
        if match:
            every_days = days(match)
            text = pattern.sub(" ", text)
            break
    percent_match = PERCENT.search(text)
    if percent_match:
        plan_amount: Tuple[Optional[Amount], Optional[float]] = (
            None,
            float(percent_match.group(1)),
        )
    else:
        # "an extra flight", "another lap": one of the unit ("another 5 minutes" keeps its 5)
        text = re.sub(r"\b(?:an? (?=(?:extra|more|additional)\b)|another(?! \d))", "1 ", text)
        step = parse_amount(re.sub(_INCREASE_WORDS, " ", text))
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
