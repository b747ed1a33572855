"""Canonical text for the safety screen: one plain form that the patterns in
content/safety/red_flags.yml are written against (see that file's header).

Plain Python, no Rasa. Everything here runs in time linear in the input and accepts any string.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

from rapidfuzz.distance import OSA

SENTENCE_BREAK = "\n"
COMMA = ","

# Invisible formatting characters (zero-width space, joiners, bidi marks, soft hyphen, BOM):
# removed, so that "sui\u200bcide" is still one word.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# An apostrophe inside a word is dropped: "can't" -> "cant", "I'm" -> "im".
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u2018`\u00b4\u02bc\u2032](?=\w)")
# Sentence ends. A full stop between digits is a decimal point, not a sentence end ("38.5").
_SENTENCE_END = re.compile(r"[!?;\u2026\n\r\u0085\u2028\u2029]+|\.(?!\d)|(?<!\d)\.")
# Commas, colons and free-standing dashes separate parts of a sentence.
_CLAUSE_MARK = re.compile(r"[,:\u060c\u3001]|(?<!\w)-+|-+(?!\w)|[\u2013\u2014]")
# Anything else that is not a letter or digit becomes a space (emoji, quotes, brackets, "_").
_OTHER_SYMBOL = re.compile(r"[^\w\n,]+|_+")
# A number glued to a unit is split from it: "8kg" -> "8 kg", "38c" -> "38 c".
_NUMBER_UNIT = re.compile(r"(?<=\d)(?=[^\W\d_])")
# A letter repeated three or more times is cut to two ("bladdder" -> "bladder"); digits are kept.
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")


def canonical_text(text: str, corrector: Optional["KeywordCorrector"] = None) -> str:
    """Lower-case words separated by single spaces, "," tokens, and one line per sentence."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text)
    text = _INNER_APOSTROPHE.sub("", text)
    text = _SENTENCE_END.sub(SENTENCE_BREAK, text)
    text = _CLAUSE_MARK.sub(f" {COMMA} ", text)
    text = _OTHER_SYMBOL.sub(" ", text)
    text = _NUMBER_UNIT.sub(" ", text)
    text = _LETTER_RUN.sub(r"\1\1", text)
    sentences: List[str] = []
    for line in text.split(SENTENCE_BREAK):
        tokens = _tidy_commas(line.split())
        if corrector is not None:
            tokens = [corrector.correct(token) for token in tokens]
        if tokens:
            sentences.append(" ".join(tokens))
    return SENTENCE_BREAK.join(sentences)


def _tidy_commas(tokens: Sequence[str]) -> List[str]:
    """No comma at the start or end of a sentence, and never two in a row."""
    tidy: List[str] = []
    for token in tokens:
        if token == COMMA and (not tidy or tidy[-1] == COMMA):
            continue
        tidy.append(token)
    while tidy and tidy[-1] == COMMA:
        tidy.pop()
    return tidy


class KeywordCorrector:
    """Replaces a word one edit away from a keyword by that keyword ("numbess" -> "numbness").

    Candidates are found through single-deletion variants (the SymSpell idea), so each word
    costs a few dictionary look-ups rather than a distance computation against every keyword.
    An edit is an insertion, a deletion, a substitution or a swap of two neighbouring letters.
    """

    _CACHE_LIMIT = 20000

    def __init__(
        self, keywords: Iterable[str], never_correct: Iterable[str], min_word_length: int
    ) -> None:
        self._keywords: List[str] = list(dict.fromkeys(keywords))
        self._keyword_set: FrozenSet[str] = frozenset(self._keywords)
        self._never_correct: FrozenSet[str] = frozenset(never_correct)
        self._min_word_length = min_word_length
        self._by_variant: Dict[str, List[str]] = {}
        for keyword in self._keywords:
            for variant in _deletion_variants(keyword) | {keyword}:
                self._by_variant.setdefault(variant, []).append(keyword)
        self._cache: Dict[str, str] = {}

    def correct(self, word: str) -> str:
        if (
            len(word) < self._min_word_length
            or word in self._keyword_set
            or word in self._never_correct
            or not word.isalpha()
        ):
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        corrected = self._closest_keyword(word) or word
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = corrected
        return corrected

    def _closest_keyword(self, word: str) -> Optional[str]:
        candidates: Set[str] = set()
        for variant in _deletion_variants(word) | {word}:
            candidates.update(self._by_variant.get(variant, ()))
        for keyword in self._keywords:  # keyword order decides ties
            if keyword in candidates and within_one_edit(word, keyword):
                return keyword
        return None


def _deletion_variants(word: str) -> Set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


def within_one_edit(first: str, second: str) -> bool:
    """True when the words differ by at most one insertion, deletion, substitution or swap of
    neighbouring letters: rapidfuzz's optimal string alignment distance, which agreed with the
    hand-written check this replaced on 33,000 misspelling pairs and runs about 7 times faster
    (issue 17)."""
    return OSA.distance(first, second, score_cutoff=1) <= 1
