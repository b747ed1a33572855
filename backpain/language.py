"""Is a message clearly not in English? (issue 15)

The assistant understands English only. A message in another language gets a short notice, in
English, of what it understands (and where urgent help is), rather than a confident answer on
the wrong topic. Detection is lingua (lingua-language-detector, Apache-2.0), a maintained
n-gram detector that works on short texts, in its low-accuracy mode (trigram models only, about
100 MB in memory rather than 800 MB) over the languages a UK or European clinic is most likely
to see. Two guards keep short English messages (trial jargon, "male to female ratio") from
being flagged: lingua must give English almost no chance, and few of the words may be English
function words (spaCy's English stop-word list). Text mostly in a non-Latin script is not
English whatever its length.

This module has no Rasa imports; components/language_gate.py is the pipeline glue.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from spacy.lang.en.stop_words import STOP_WORDS

# The languages lingua chooses among (English must be one). More languages cost memory and
# make a short English message likelier to look like one of them.
CANDIDATES = (
    "ENGLISH",
    "SPANISH",
    "FRENCH",
    "GERMAN",
    "ITALIAN",
    "PORTUGUESE",
    "DUTCH",
    "POLISH",
    "TURKISH",
    "PERSIAN",
    "ARABIC",
    "URDU",
    "HINDI",
    "BENGALI",
    "PUNJABI",
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "RUSSIAN",
    "UKRAINIAN",
    "ROMANIAN",
    "GREEK",
    "SWEDISH",
    "DANISH",
    "BOKMAL",
    "FINNISH",
    "CZECH",
    "HUNGARIAN",
    "VIETNAMESE",
    "INDONESIAN",
    "MALAY",
    "TAGALOG",
    "SOMALI",
    "SWAHILI",
    "YORUBA",
    "TAMIL",
    "GUJARATI",
    "HEBREW",
    "THAI",
    "LITHUANIAN",
    "LATVIAN",
    "SLOVAK",
    "CROATIAN",
    "SERBIAN",
    "BULGARIAN",
    "ALBANIAN",
)
# "ok bye", "gracias" and three words of gibberish ("blorf quenzle trimbodactyl") are too short to
# judge: left to the NLU and the fallback.
MIN_WORDS = 4
MAX_ENGLISH_CHANCE = 0.01  # lingua's confidence that the text is English
MAX_STOP_WORD_SHARE = 0.2  # English function words among the words
# A very confident detection may carry a few words that are also English ("in", "was", "de").
SURE_OTHER_CHANCE = 0.99
SURE_MAX_ENGLISH_CHANCE = 0.001
SURE_MAX_STOP_WORD_SHARE = 0.35
MAX_CHARACTERS = 2000  # the detector reads the start of a long message
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    languages = [getattr(Language, name) for name in CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def _mostly_non_latin(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 2:
        return False
    non_latin = sum(1 for char in letters if "LATIN" not in unicodedata.name(char, ""))
    return non_latin / len(letters) > 0.5


def clearly_not_english(text: object) -> Optional[str]:
    """The language's name (e.g. "Spanish") when the text is clearly not English, else None."""
    if not isinstance(text, str):
        return None
    text = text[:MAX_CHARACTERS].strip()
    if not text or text.startswith("/"):  # empty, or a button payload
        return None
    detected = _detector().compute_language_confidence_values(text)
    if not detected:
        return None
    top = detected[0]
    name = top.language.name.capitalize()
    if _mostly_non_latin(text):
        return name if top.language != Language.ENGLISH else "another language"
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS or top.language == Language.ENGLISH:
        return None
    english = next((value.value for value in detected if value.language == Language.ENGLISH), 0.0)
    stop_share = sum(1 for word in words if word in STOP_WORDS) / len(words)
    if english <= MAX_ENGLISH_CHANCE and stop_share < MAX_STOP_WORD_SHARE:
        return name
    sure = top.value >= SURE_OTHER_CHANCE and english <= SURE_MAX_ENGLISH_CHANCE
    if sure and stop_share < SURE_MAX_STOP_WORD_SHARE:
        return name
    return None
