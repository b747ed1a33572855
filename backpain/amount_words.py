"""How people say amounts and intervals in words, rewritten for the pacing parsers (plain Python).

backpain/amount_parsing.py reads digits and units; this module first turns the ways people
actually answer into that shape: fractions ("half a mile" -> "0.5 mile"), ranges
("10-15 minutes" -> "10 minutes") and how often ("every couple of days" -> 2 days). Kept apart
so that amount_parsing.py stays short and each rewrite can be read on its own.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

_NUMBER = r"\d+(?:\.\d+)?"

# --- fractions ----------------------------------------------------------------------------
# Run on lower-case text whose number words are digits already ("one and a half" -> "1 and a
# half"). A fraction is only read before a word that can be a unit, never on its own.
# ("half term", "half time" and "half past" are not half of a unit.)
_NOT_A_UNIT = r"(?!(?:of|to|past|the|my|as|an?|way|term|time|hearted|price)\b)"
_FRACTIONS: List[Tuple[re.Pattern, Callable[[re.Match], str]]] = [
    # "1 and a half hours", "2 and a half laps"
    (re.compile(r"\b(\d+) and a half\b"), lambda m: f"{m.group(1)}.5"),
    # "an hour and a half", "a mile and a half", "2 miles and a half"
    (
        re.compile(r"\b(an?|\d+) ([a-z]+) and a half\b"),
        lambda m: f"{_whole(m.group(1)) + 0.5:g} {m.group(2)}",
    ),
    # "three quarters of an hour", "3 quarters of a mile"
    (re.compile(r"\b(?:three|3) quarters of an? "), lambda m: "0.75 "),
    # "a quarter of a mile", "quarter of an hour", "a quarter mile", "another quarter lap"
    (re.compile(rf"\b(?:an? |1 )?quarter (?:of an? )?{_NOT_A_UNIT}(?=[a-z])"), lambda m: "0.25 "),
    # "half a mile", "half an hour", "a half mile", "half hour"
    (re.compile(rf"\b(?:an? |1 )?half (?:an? )?{_NOT_A_UNIT}(?=[a-z])"), lambda m: "0.5 "),
]


def _whole(word: str) -> float:
    return 1.0 if word in ("a", "an") else float(word)


def fractions_to_digits(text: str) -> str:
    """ "half a mile" -> "0.5 mile", "an hour and a half" -> "1.5 hour", "a quarter of a lap" ->
    "0.25 lap". Text must be lower case with number words as digits."""
    for pattern, replace in _FRACTIONS:
        text = pattern.sub(replace, text)
    return text


# --- ranges -------------------------------------------------------------------------------
# "10-15 minutes", "10 to 15 mins", "between 10 and 15 minutes", "10 mins to 15 mins". Pacing
# starts below what is comfortable, so of a range the LOWER end is the clinically conservative
# reading for a baseline and a start (and for a step: the smaller increase). Two numbers joined
# by "or" are alternatives, not a range: the script still asks for one ("10 or 20 minutes").
_RANGE_WORDS = [
    re.compile(rf"\bbetween ({_NUMBER})\s*([a-z]+)?\s+and\s+({_NUMBER})\s*([a-z]+)?"),
    # Not after "from": "go from 10 to 15 minutes" is an increase of 5, not an amount of 10.
    re.compile(
        rf"(?<!from )\b({_NUMBER})\s*([a-z]+)?\s*(?:-|–|—|to|till|until)\s*({_NUMBER})\s*([a-z]+)?"
    ),
]


def _same_unit(first: Optional[str], second: Optional[str]) -> bool:
    """A unit after the first number must be the second's ("10 mins to 15 mins"), or the range
    is two different things ("20 minutes to 2 hours" is left for the caller to refuse)."""
    if first is None:
        return True
    if second is None:
        return False
    return first.rstrip("s") == second.rstrip("s") or second.startswith(first)


def lower_end_of_ranges(text: str) -> str:
    """ "10-15 minutes of weeding" -> "10 minutes of weeding": each range becomes its lower end
    (with the unit after the range, if any). Other text is left as it is."""

    def lower(match: re.Match) -> str:
        low, first_unit, high, unit = match.groups()
        if not _same_unit(first_unit, unit):
            return match.group(0)
        smaller = min(float(low), float(high))
        return f"{smaller:g} {unit}" if unit else f"{smaller:g}"

    for pattern in _RANGE_WORDS:
        text = pattern.sub(lower, text)
    return text


# --- how often ----------------------------------------------------------------------------
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
# First match wins, so "twice a week" and "3 times a week" come before "a week" (which would
# read them as weekly), and "every couple of weeks" before "every week".
INTERVALS: List[Tuple[re.Pattern, Callable[[re.Match], float]]] = [
    (re.compile(r"\bevery (?:other|2nd|second) day\b"), lambda m: 2.0),
    (re.compile(r"\bevery (?:other|2nd|second) week\b"), lambda m: 14.0),
    (re.compile(r"\bevery (?:a )?couple (?:of )?days\b"), lambda m: 2.0),
    # "Every few days" is vague: we read 3, the smallest "few", and the stored plan is echoed
    # back to the person as "every 3 days", so the assumption is said, not hidden.
    (re.compile(r"\bevery (?:a )?few days\b"), lambda m: 3.0),
    (re.compile(r"\bevery (?:a )?couple (?:of )?weeks\b"), lambda m: 14.0),
    (re.compile(r"\bevery (?:a )?few weeks\b"), lambda m: 21.0),
    # "Every 3-4 days", "every 2 or 3 days": the longer interval, the slower (safer) build-up.
    (
        re.compile(rf"\bevery ({_NUMBER})\s*(?:-|–|to|or)\s*({_NUMBER}) days\b"),
        lambda m: max(float(m.group(1)), float(m.group(2))),
    ),
    (re.compile(rf"\bevery ({_NUMBER}) days?\b"), lambda m: float(m.group(1))),
    (re.compile(rf"\bevery ({_NUMBER}) weeks?\b"), lambda m: float(m.group(1)) * 7),
    (
        re.compile(r"\b(?:fortnightly|every fortnight|each fortnight|once a fortnight)\b"),
        lambda m: 14.0,
    ),
    # "Twice a week" means about every 3-4 days; we store 3.5 days (7 / 2), which the plan
    # describes as "twice a week" again. "3 times a week" is every 7/3 days.
    (
        re.compile(rf"\b(once|twice|({_NUMBER}) times) (?:a|per|each) week\b"),
        lambda m: 7.0 / _times(m),
    ),
    (
        re.compile(rf"\b(once|twice|({_NUMBER}) times) (?:a|per|each) day\b"),
        lambda m: 1.0 / _times(m),
    ),
    # "Every Monday", "each Monday", "on Mondays": one day a week.
    (re.compile(rf"\b(?:(?:every|each|on|on a) {_WEEKDAY}|{_WEEKDAY[:-2]}s\b)"), lambda m: 7.0),
    (re.compile(r"\b(?:daily|every day|each day|a day|per day)\b"), lambda m: 1.0),
    (
        re.compile(r"\b(?:weekly|every week|each week|a week|per week|every weekend)\b"),
        lambda m: 7.0,
    ),
]


def _times(match: re.Match) -> float:
    word = match.group(1)
    return 1.0 if word == "once" else 2.0 if word == "twice" else float(match.group(2))
