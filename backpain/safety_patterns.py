"""The deterministic safety screen: red flags and crisis language, matched by compiled patterns.

Plain Python (no Rasa), so the NLU component (components/safety_screen.py), the tests and any
script share one implementation. The patterns and the matching rules are described in the
header of content/safety/red_flags.yml. This module holds the kinds, the results and the
matching; backpain/safety_pattern_file.py reads, checks and compiles the file into
SafetyPatterns, and backpain/safety_context.py judges the words around a match.

Public API:
    SafetyPatterns.screen(text) -> Optional[SafetyMatch]
    SafetyPatterns.assess(text) -> SafetyAssessment          (also reports look-alikes)
A result names the kind and the category id, never the person's words.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Pattern, Sequence, Set, Tuple

from backpain.safety_context import (
    ContextCue,
    Negation,
    has_context_cue,
    is_negated,
    same_clause_after,
    same_clause_before,
)
from backpain.safety_text import SENTENCE_BREAK, KeywordCorrector, canonical_text

KIND_CRISIS = "crisis"
KIND_EMERGENCY = "red_flag_emergency"
KIND_URGENT = "red_flag_urgent"
KIND_UNCLEAR = "red_flag_unclear"
# Possible inflammatory back pain: see a GP soon, not urgent (NICE NG59; ASAS criteria).
KIND_INFLAMMATORY = "inflammatory_signs"
# Most severe first: the first confirmed match in this order wins.
ESCALATION_KINDS: Tuple[str, ...] = (KIND_CRISIS, KIND_EMERGENCY, KIND_URGENT, KIND_INFLAMMATORY)
SEVERITY: Dict[str, int] = {
    KIND_CRISIS: 4,
    KIND_EMERGENCY: 3,
    KIND_URGENT: 2,
    KIND_INFLAMMATORY: 1,
    KIND_UNCLEAR: 0,
}

# How many words around a match are read for ignore/unclear/context cues.
_WORDS_BEFORE = 12
_WORDS_AFTER = 8
_WINDOW_CHARS = 400


@dataclass(frozen=True)
class SafetyMatch:
    kind: str  # crisis, red_flag_emergency, red_flag_urgent or red_flag_unclear
    category: str  # the category id from the pattern file, e.g. saddle_numbness
    confirm_kind: Optional[str] = None  # for red_flag_unclear: what a "yes" to the check means

    def as_dict(self) -> Dict[str, str]:
        data = {"kind": self.kind, "category": self.category}
        if self.confirm_kind:
            data["confirm"] = self.confirm_kind
        return data


@dataclass(frozen=True)
class SafetyAssessment:
    match: Optional[SafetyMatch]
    # When nothing matched: the id of a look-alike (an idiom, or a negated or ignored red flag)
    # seen in the text, so a classifier's escalation guess can be questioned.
    look_alike: Optional[str] = None
    # The sentence (canonical text) of a confirmed match, whose context the layers read.
    sentence: str = ""


@dataclass(frozen=True)
class Category:
    """One compiled category: an escalation, an `unclear` sign or a `net` risk word."""

    id: str
    kind: str
    patterns: Tuple[Pattern[str], ...]
    ignore_if: Tuple[Pattern[str], ...] = ()
    # Net only: uses of a risk word in everyday life ("a rope for climbing"). They dismiss a match
    # as `ignore_if` does, and they alone make the `everyday_use` cue that softens crisis language.
    everyday_uses: Tuple[Pattern[str], ...] = ()
    unclear_if: Tuple[Pattern[str], ...] = ()
    confirm_kind: Optional[str] = None
    past_matters: bool = False  # a history is the flag itself: the `past` cue does not apply


@dataclass
class _Verdicts:
    """What the screen saw while reading one message."""

    downgraded: Optional[SafetyMatch] = None
    look_alike: Optional[str] = None
    confirmed_span: Tuple[int, int] = (0, 0)
    look_alike_spans: List[Tuple[int, int]] = field(default_factory=list)
    _starts: List[int] = field(default_factory=list)
    _max_ends: List[int] = field(default_factory=list)

    def set_look_alike_spans(self, spans: List[Tuple[int, int]]) -> None:
        self.look_alike_spans = sorted(spans)
        self._starts = [start for start, _ in self.look_alike_spans]
        running = -1
        for _, end in self.look_alike_spans:
            running = max(running, end)
            self._max_ends.append(running)

    _sentence_starts: List[int] = field(default_factory=list)
    _text_length: int = 0

    def set_sentences(self, canonical: str) -> None:
        self._text_length = len(canonical)
        self._sentence_starts = [0] + [
            index + 1 for index, char in enumerate(canonical) if char == SENTENCE_BREAK
        ]

    def sentence_bounds(self, start: int, end: int) -> Tuple[int, int]:
        index = bisect.bisect_right(self._sentence_starts, start) - 1
        sentence_start = self._sentence_starts[index]
        following = bisect.bisect_right(self._sentence_starts, end)
        sentence_end = (
            self._sentence_starts[following] - 1
            if following < len(self._sentence_starts)
            else self._text_length
        )
        return sentence_start, sentence_end

    def overlaps_look_alike(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self._starts, end)
        return index > 0 and self._max_ends[index - 1] > start


_CONFIRMED, _UNCLEAR, _DISMISSED = "confirmed", "unclear", "dismissed"


class SafetyPatterns:
    """A validated pattern file, ready to screen messages."""

    def __init__(
        self,
        categories: Dict[str, List[Category]],
        unclear: List[Category],
        look_alikes: List[Tuple[str, Pattern[str]]],
        context_cues: List[ContextCue],
        negation: Negation,
        corrector: KeywordCorrector,
        max_scan_chars: int,
        net: Sequence[Category] = (),
    ) -> None:
        self._net = list(net)
        self._categories = categories
        self._unclear = unclear
        self._look_alikes = look_alikes
        self._context_cues = context_cues
        self._negation = negation
        self._corrector = corrector
        self._max_scan_chars = max_scan_chars

    @property
    def category_ids(self) -> Dict[str, List[str]]:
        ids = {
            kind: [category.id for category in categories]
            for kind, categories in self._categories.items()
        }
        ids[KIND_UNCLEAR] = [category.id for category in self._unclear]
        return ids

    def past_matters(self, category_id: str) -> bool:
        """True for a category whose history is the flag itself (cancer, osteoporosis ...)."""
        return any(
            category.id == category_id and category.past_matters
            for categories in self._categories.values()
            for category in categories
        )

    def is_unclear_category(self, category_id: str) -> bool:
        """True for the `unclear` section's vague categories (not a downgraded escalation)."""
        return any(category.id == category_id for category in self._unclear)

    def context_cues_in(self, text: Any) -> Set[str]:
        """The ids of every context cue anywhere in the text (hypothetical, past, a list ...)."""
        canonical = self.canonical(text)
        return {
            cue.id
            for cue in self._context_cues
            if any(pattern.search(canonical) for pattern in cue.patterns)
        }

    def everyday_use(self, text: Any) -> bool:
        """True when net words appear, each one dismissed, at least one by an everyday use it knows.

        A dismissal by `ignore_if` alone (a dose "every morning", "years ago", someone else's
        death) is no everyday use: "years ago I tried to end my life" is not softened by it.
        """
        canonical = self.canonical(text)
        if not canonical:
            return False
        verdicts = _Verdicts()
        verdicts.set_sentences(canonical)
        everyday = False
        for category in self._net:
            for pattern in category.patterns:
                for found in pattern.finditer(canonical):
                    start, end = verdicts.sentence_bounds(found.start(), found.end())
                    sentence = canonical[start:end]
                    if any(use.search(sentence) for use in category.everyday_uses):
                        everyday = True
                    elif not any(ignore.search(sentence) for ignore in category.ignore_if):
                        return False  # a risk word in no everyday use
        return everyday

    def net_match(self, text: Any) -> Optional[SafetyMatch]:
        """The first `net` category whose words appear (no negation test: the net fails safe).

        Only its `ignore_if` and `everyday_uses` patterns, in the same sentence, dismiss a match.
        """
        canonical = self.canonical(text)
        if not canonical:
            return None
        verdicts = _Verdicts()
        verdicts.set_sentences(canonical)
        for category in self._net:
            for pattern in category.patterns:
                for found in pattern.finditer(canonical):
                    start, end = verdicts.sentence_bounds(found.start(), found.end())
                    sentence = canonical[start:end]
                    dismissals = category.ignore_if + category.everyday_uses
                    if not any(ignore.search(sentence) for ignore in dismissals):
                        return SafetyMatch(KIND_UNCLEAR, category.id, category.confirm_kind)
        return None

    def screen(self, text: Any) -> Optional[SafetyMatch]:
        """The most severe red flag or crisis sign in the text, or None."""
        return self.assess(text).match

    def assess(self, text: Any) -> SafetyAssessment:
        canonical = self.canonical(text)
        if not canonical:
            return SafetyAssessment(None)
        verdicts = _Verdicts()
        verdicts.set_sentences(canonical)
        verdicts.set_look_alike_spans(self._find_look_alikes(canonical, verdicts))
        for kind in ESCALATION_KINDS:
            for category in self._categories.get(kind, ()):
                verdict = self._judge_category(canonical, category, verdicts, allow_context=True)
                if verdict == _CONFIRMED:
                    start, end = verdicts.sentence_bounds(*verdicts.confirmed_span)
                    return SafetyAssessment(
                        SafetyMatch(kind, category.id), sentence=canonical[start:end]
                    )
                if verdict == _UNCLEAR and verdicts.downgraded is None:
                    verdicts.downgraded = SafetyMatch(KIND_UNCLEAR, category.id, kind)
        if verdicts.downgraded is not None:
            return SafetyAssessment(verdicts.downgraded)
        for category in self._unclear:
            verdict = self._judge_category(canonical, category, verdicts, allow_context=False)
            if verdict in (_CONFIRMED, _UNCLEAR):
                return SafetyAssessment(
                    SafetyMatch(KIND_UNCLEAR, category.id, category.confirm_kind)
                )
        return SafetyAssessment(None, verdicts.look_alike)

    def canonical(self, text: Any) -> str:
        """The text in the form the patterns are written against (see safety_text)."""
        text = _as_text(text)
        if len(text) > self._max_scan_chars:
            half = self._max_scan_chars // 2
            text = text[:half] + SENTENCE_BREAK + text[-half:]
        return canonical_text(text, self._corrector)

    # -- judging one match ------------------------------------------------------------------

    def _find_look_alikes(self, canonical: str, verdicts: _Verdicts) -> List[Tuple[int, int]]:
        spans: List[Tuple[int, int]] = []
        for look_alike_id, pattern in self._look_alikes:
            for found in pattern.finditer(canonical):
                spans.append(found.span())
                if verdicts.look_alike is None:
                    verdicts.look_alike = look_alike_id
        return spans

    def _judge_category(
        self, canonical: str, category: Category, verdicts: _Verdicts, allow_context: bool
    ) -> Optional[str]:
        """The best verdict over every match of the category's patterns."""
        best: Optional[str] = None
        for pattern in category.patterns:
            for found in pattern.finditer(canonical):
                verdict = self._judge_match(
                    canonical, found.start(), found.end(), category, verdicts, allow_context
                )
                if verdict == _CONFIRMED:
                    verdicts.confirmed_span = found.span()
                    return verdict
                if verdict == _UNCLEAR:
                    best = _UNCLEAR
                elif verdicts.look_alike is None:
                    verdicts.look_alike = category.id
        return best

    def _judge_match(
        self,
        canonical: str,
        start: int,
        end: int,
        category: Category,
        verdicts: _Verdicts,
        allow_context: bool,
    ) -> str:
        if verdicts.overlaps_look_alike(start, end):
            return _DISMISSED
        sentence_start, sentence_end = verdicts.sentence_bounds(start, end)
        # Bounded slices keep each judgement cheap even in one 100 KB "sentence".
        window_start = max(sentence_start, start - _WINDOW_CHARS)
        before_words = canonical[window_start:start].split()
        if window_start > sentence_start and before_words:
            before_words = before_words[1:]  # may be a cut word
        before_words = before_words[-_WORDS_BEFORE:]
        at_sentence_start = window_start == sentence_start and len(before_words) < _WORDS_BEFORE
        after_words = canonical[end : min(sentence_end, end + _WINDOW_CHARS)].split(" ")[
            1 : _WORDS_AFTER + 1
        ]
        matched = canonical[start:end]
        window = " ".join(
            same_clause_before(before_words) + [matched] + same_clause_after(after_words)
        )
        if any(pattern.search(window) for pattern in category.ignore_if):
            return _DISMISSED
        if is_negated(self._negation, before_words, matched.split(" ", 1)[0], after_words):
            return _DISMISSED
        if any(pattern.search(window) for pattern in category.unclear_if):
            return _UNCLEAR
        if allow_context and has_context_cue(
            self._context_cues,
            before_words,
            matched,
            after_words,
            at_sentence_start,
            crisis=category.kind == KIND_CRISIS,
            past_matters=category.past_matters,
        ):
            return _UNCLEAR
        return _CONFIRMED


def _as_text(text: Any) -> str:
    """Any input as a string: None is empty, bytes are decoded leniently."""
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return str(text)
    return text
