"""A follow-up time the trial did not measure, found in a question (issue 15).

"What was pain at 52 weeks?" or "any one-year follow-up?" name a time the trial never measured.
The study entity extractor marks such a time as a `timepoint` entity holding these words, and the
study answers say that follow-up ended earlier and give the nearest measurement instead of
silently answering for every time point. Only a time introduced as a point in the trial ("at",
"after", "by", "a ... follow-up") counts, so "pain for 3 years" or "lasted at least 3 months"
(a person's history, an eligibility rule) does not. No Rasa imports.
"""

from __future__ import annotations

import re
from typing import Optional

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "nine": 9,
    "twelve": 12,
    "eighteen": 18,
    "twenty four": 24,
    "fifty two": 52,
}
_AMOUNT = (
    r"(?P<amount>\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
)
_UNIT = r"(?P<unit>weeks?|wks?|months?|mths?|years?|yrs?)"
_TIME = rf"{_AMOUNT}[\s-]*{_UNIT}"
_PLAIN_TIME = re.sub(r"\(\?P<\w+>", "(?:", _TIME)  # the same, without named groups
TRIAL_TIME = re.compile(
    rf"\b(?:(?:at|after|by|to|until|till|over|around)\s+(?:the\s+)?{_PLAIN_TIME}\b"
    rf"|{_PLAIN_TIME}\s+(?:follow[\s-]?up|mark|timepoint|time point|outcomes?|results?|data))",
    re.IGNORECASE,
)
WEEKS_PER = {"w": 1.0, "m": 52.0 / 12.0, "y": 52.0}


def trial_time_in(text: str) -> Optional[re.Match]:
    """The first time in `text` introduced as a point in a trial, or None."""
    return TRIAL_TIME.search(text or "")


def weeks_of(words: str) -> Optional[float]:
    """ "52 weeks" -> 52.0, "one-year follow-up" -> 52.0, "3 months" -> 13.0; None if no time is named."""
    found = re.search(_TIME, words or "", re.IGNORECASE)
    if not found:
        return None
    amount = found.group("amount").lower()
    value = float(amount) if amount[0].isdigit() else float(_NUMBER_WORDS[amount])
    return value * WEEKS_PER[found.group("unit")[0].lower()]
