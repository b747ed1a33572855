"""How people say amounts and intervals in words, rewritten for the pacing parsers (plain Python).

backpain/amount_parsing.py reads digits and units; this module first turns the ways people
actually answer into that shape: fractions ("half a mile" -> "0.5 mile") and ranges
("10-15 minutes" -> "10 minutes"). Kept apart
so that amount_parsing.py stays short and each rewrite can be read on its own.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

_NUMBER = r"\d+(?:\.\d+)?"

# --- fractions ----------------------------------------------------------------------------
# Run on lower-case text whose number words are digits already ("one and a half" -> "1 and a
# half"). A fraction is only read before a word that can be a unit, never on its own.
_NOT_A_UNIT = r"(?!(?:of|to|past|the|my|as|an?|way)\b)"
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
