"""The deterministic safety screen: red flags and crisis language, matched from a data file.

Plain Python (no Rasa), so the NLU component (components/safety_screen.py), the tests and any
script share one implementation. The patterns and the matching rules are described in the
header of content/safety/red_flags.yml; this module loads and validates that file and applies it,
with backpain/safety_context.py judging the words around each match (negation, context cues).

Public API:
    load_safety_patterns(path=None) -> SafetyPatterns       (raises SafetyPatternError)
    SafetyPatterns.screen(text) -> Optional[SafetyMatch]
    SafetyPatterns.assess(text) -> SafetyAssessment          (also reports look-alikes)
    screen(text) / assess(text)                              (with the project's pattern file)
A result names the kind and the category id, never the person's words.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Sequence, Set, Tuple

import yaml

from backpain.safety_context import (
    CUES_BROKEN_BY_FIRST_PERSON,
    ContextCue,
    Negation,
    has_context_cue,
    is_negated,
    same_clause_after,
    same_clause_before,
)
from backpain.safety_text import SENTENCE_BREAK, KeywordCorrector, canonical_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATTERNS_FILE = PROJECT_ROOT / "content" / "safety" / "red_flags.yml"
# Lets a deployment (or a test) use another pattern file without editing the project.
PATTERNS_FILE_ENV = "SAFETY_PATTERNS"

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

_TOP_LEVEL_KEYS = {
    "format_version",
    "max_scan_chars",
    "fuzzy",
    "negation",
    "context_cues",
    "look_alikes",
    "escalations",
    "unclear",
    "net",
    "macros",
}
_ID_FORMAT = re.compile(r"^[a-z][a-z0-9_]*$")
_MACRO_REFERENCE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class SafetyPatternError(ValueError):
    """The safety pattern file is missing, unreadable or has a wrong entry."""


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
class _Category:
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
        categories: Dict[str, List[_Category]],
        unclear: List[_Category],
        look_alikes: List[Tuple[str, Pattern[str]]],
        context_cues: List[ContextCue],
        negation: Negation,
        corrector: KeywordCorrector,
        max_scan_chars: int,
        net: Sequence[_Category] = (),
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
        self, canonical: str, category: _Category, verdicts: _Verdicts, allow_context: bool
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
        category: _Category,
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


# -- loading and validating the pattern file ---------------------------------------------------


class _Loader:
    """Builds SafetyPatterns from the parsed file, naming the file and the path of any error."""

    def __init__(self, raw: Any, source: str) -> None:
        self.raw = raw
        self.source = source
        self.macros: Dict[str, str] = {}
        self.seen_ids: Dict[str, str] = {}

    def fail(self, where: str, problem: str) -> SafetyPatternError:
        return SafetyPatternError(f"{self.source}: {where}: {problem}")

    def build(self) -> SafetyPatterns:
        raw = self.raw
        if not isinstance(raw, dict):
            raise SafetyPatternError(
                f"{self.source}: expected a mapping at the top level, found {type(raw).__name__}"
            )
        unknown = sorted(set(raw) - _TOP_LEVEL_KEYS)
        if unknown:
            raise self.fail(", ".join(map(str, unknown)), "unknown key(s) (typo?)")
        if raw.get("format_version") != 1:
            raise self.fail("format_version", f"expected 1, found {raw.get('format_version')!r}")
        max_scan_chars = self.integer(raw.get("max_scan_chars"), "max_scan_chars", minimum=1000)
        self.macros = self.read_macros(raw.get("macros") or {})
        escalations = self.mapping(raw.get("escalations"), "escalations")
        unknown_kinds = sorted(set(escalations) - set(ESCALATION_KINDS))
        if unknown_kinds:
            raise self.fail(
                "escalations",
                f"unknown kind(s) {', '.join(map(str, unknown_kinds))}; use {', '.join(ESCALATION_KINDS)}",
            )
        categories = {
            kind: self.categories(escalations.get(kind), f"escalations.{kind}", kind)
            for kind in ESCALATION_KINDS
        }
        unclear = self.categories(raw.get("unclear"), "unclear", KIND_UNCLEAR)
        net = self.categories(raw.get("net"), "net", KIND_UNCLEAR, net=True)
        look_alikes = [
            (entry.id, pattern)
            for entry in self.cues(raw.get("look_alikes"), "look_alikes")
            for pattern in entry.patterns
        ]
        context_cues = self.cues(raw.get("context_cues"), "context_cues")
        return SafetyPatterns(
            categories=categories,
            unclear=unclear,
            look_alikes=look_alikes,
            context_cues=context_cues,
            negation=self.negation(raw.get("negation")),
            corrector=self.corrector(raw.get("fuzzy")),
            max_scan_chars=max_scan_chars,
            net=net,
        )

    # -- pieces --

    def mapping(self, value: Any, where: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {type(value).__name__}")
        return value

    def sequence(self, value: Any, where: str, allow_empty: bool = False) -> List[Any]:
        if not isinstance(value, list) or (not value and not allow_empty):
            raise self.fail(where, "expected a non-empty list")
        return value

    def integer(self, value: Any, where: str, minimum: int, maximum: Optional[int] = None) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            bound = (
                f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            )
            raise self.fail(where, f"expected a whole number {bound}, found {value!r}")
        return value

    def read_macros(self, raw: Any) -> Dict[str, str]:
        macros = self.mapping(raw, "macros")
        for name, body in macros.items():
            if not isinstance(name, str) or not _MACRO_REFERENCE.fullmatch("{" + name + "}"):
                raise self.fail(
                    f"macros.{name}", "a macro name is lower-case letters, digits and _"
                )
            if not isinstance(body, str) or not body:
                raise self.fail(f"macros.{name}", "expected a non-empty pattern text")
        return dict(macros)

    def expand(self, text: str, where: str, depth: int = 0) -> str:
        if depth > 10:
            raise self.fail(where, "macros refer to each other in a loop")

        def replace(found: "re.Match[str]") -> str:
            name = found.group(1)
            if name not in self.macros:
                raise self.fail(where, f"unknown macro {{{name}}}")
            return self.expand(self.macros[name], where, depth + 1)

        return _MACRO_REFERENCE.sub(replace, text)

    def pattern(self, value: Any, where: str) -> Pattern[str]:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty pattern text")
        expanded = self.expand(value, where)
        try:
            # Whole words only: a match starts and ends at a word boundary of the canonical text.
            compiled = re.compile(r"(?<!\S)(?:" + expanded + r")(?!\S)", re.MULTILINE)
        except re.error as error:
            raise self.fail(where, f"not a valid regular expression ({error})") from None
        if compiled.search("") or compiled.search(" ") or compiled.search("\n"):
            raise self.fail(
                where, "the pattern matches empty text, so it would match every message"
            )
        return compiled

    def patterns(
        self, value: Any, where: str, allow_empty: bool = False
    ) -> Tuple[Pattern[str], ...]:
        if value is None and allow_empty:
            return ()
        items = self.sequence(value, where, allow_empty)
        return tuple(self.pattern(item, f"{where}[{index}]") for index, item in enumerate(items))

    def category_id(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _ID_FORMAT.match(value):
            raise self.fail(f"{where}.id", f"expected a snake_case id, found {value!r}")
        if value in self.seen_ids:
            raise self.fail(f"{where}.id", f"'{value}' is already used at {self.seen_ids[value]}")
        self.seen_ids[value] = where
        return value

    def categories(self, value: Any, where: str, kind: str, net: bool = False) -> List[_Category]:
        allowed = {"id", "description", "patterns", "ignore_if", "unclear_if", "past_matters"}
        if kind == KIND_UNCLEAR:
            allowed = (
                (allowed - {"unclear_if"}) | {"confirm_as"} | ({"everyday_uses"} if net else set())
            )
        categories = []
        for index, entry in enumerate(self.sequence(value, where)):
            place = f"{where}[{index}]"
            entry = self.mapping(entry, place)
            unknown = sorted(set(entry) - allowed)
            if unknown:
                raise self.fail(place, f"unknown key(s) {', '.join(map(str, unknown))}")
            confirm_kind = None
            if kind == KIND_UNCLEAR:
                confirm_kind = entry.get("confirm_as")
                if confirm_kind not in ESCALATION_KINDS:
                    raise self.fail(
                        f"{place}.confirm_as",
                        f"expected one of {', '.join(ESCALATION_KINDS)}, found {confirm_kind!r}",
                    )
            categories.append(
                _Category(
                    id=self.category_id(entry.get("id"), place),
                    kind=kind,
                    patterns=self.patterns(entry.get("patterns"), f"{place}.patterns"),
                    ignore_if=self.patterns(
                        entry.get("ignore_if"), f"{place}.ignore_if", allow_empty=True
                    ),
                    everyday_uses=self.patterns(
                        entry.get("everyday_uses"), f"{place}.everyday_uses", allow_empty=True
                    ),
                    unclear_if=self.patterns(
                        entry.get("unclear_if"), f"{place}.unclear_if", allow_empty=True
                    ),
                    confirm_kind=confirm_kind,
                    past_matters=entry.get("past_matters") is True,
                )
            )
        return categories

    def cues(self, value: Any, where: str) -> List[ContextCue]:
        cues = []
        for index, entry in enumerate(self.sequence(value, where)):
            place = f"{where}[{index}]"
            entry = self.mapping(entry, place)
            unknown = sorted(set(entry) - {"id", "patterns"})
            if unknown:
                raise self.fail(place, f"unknown key(s) {', '.join(map(str, unknown))}")
            cue_id = self.category_id(entry.get("id"), place)
            cues.append(
                ContextCue(
                    id=cue_id,
                    patterns=self.patterns(entry.get("patterns"), f"{place}.patterns"),
                    first_person_breaks=cue_id in CUES_BROKEN_BY_FIRST_PERSON,
                )
            )
        return cues

    def negation(self, value: Any) -> Negation:
        raw = self.mapping(value, "negation")
        expected = {
            "window_words",
            "cues",
            "pseudo_negations",
            "clause_breaks",
            "clause_starters",
            "post_cues",
        }
        if set(raw) != expected:
            raise self.fail("negation", f"expected exactly the keys {', '.join(sorted(expected))}")
        return Negation(
            window_words=self.integer(
                raw["window_words"], "negation.window_words", minimum=1, maximum=20
            ),
            cues=self.pattern(raw["cues"], "negation.cues"),
            pseudo_negations=self.pattern(raw["pseudo_negations"], "negation.pseudo_negations"),
            clause_breaks=self.pattern(raw["clause_breaks"], "negation.clause_breaks"),
            clause_starters=re.compile(
                self.expand(raw["clause_starters"], "negation.clause_starters")
            ),
            post_cues=re.compile(
                r"(?:, )?"
                + self.expand(raw["post_cues"], "negation.post_cues")
                + r"(?: ,| and| but|$)"
            ),
        )

    def corrector(self, value: Any) -> KeywordCorrector:
        raw = self.mapping(value, "fuzzy")
        unknown = sorted(set(raw) - {"min_word_length", "keywords", "never_correct"})
        if unknown:
            raise self.fail("fuzzy", f"unknown key(s) {', '.join(map(str, unknown))}")
        min_length = self.integer(
            raw.get("min_word_length"), "fuzzy.min_word_length", minimum=4, maximum=30
        )
        words: Dict[str, List[str]] = {}
        for key in ("keywords", "never_correct"):
            words[key] = self.sequence(raw.get(key), f"fuzzy.{key}")
            for index, word in enumerate(words[key]):
                if not isinstance(word, str) or not word.isalpha() or word != word.lower():
                    raise self.fail(
                        f"fuzzy.{key}[{index}]", f"expected one lower-case word, found {word!r}"
                    )
        both = sorted(set(words["keywords"]) & set(words["never_correct"]))
        if both:
            raise self.fail("fuzzy.never_correct", f"also listed as keywords: {', '.join(both)}")
        return KeywordCorrector(words["keywords"], words["never_correct"], min_length)


def load_safety_patterns(path: Path | str | None = None) -> SafetyPatterns:
    """Reads and validates a pattern file (default: $SAFETY_PATTERNS or content/safety/red_flags.yml)."""
    path = Path(path or os.environ.get(PATTERNS_FILE_ENV) or DEFAULT_PATTERNS_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SafetyPatternError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SafetyPatternError(f"{path}: not valid YAML text ({error})") from None
    return _Loader(raw, str(path)).build()


@lru_cache(maxsize=1)
def default_patterns() -> SafetyPatterns:
    """The project's pattern file, read once per process."""
    return load_safety_patterns()


def screen(text: Any) -> Optional[SafetyMatch]:
    """The most severe red flag or crisis sign in the text (project patterns), or None."""
    return default_patterns().screen(text)


def assess(text: Any) -> SafetyAssessment:
    return default_patterns().assess(text)
