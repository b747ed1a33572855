"""Reading the safety pattern file (content/safety/red_flags.yml) into a ready SafetyPatterns.

The file's shape is checked by its schema (backpain/safety_schema.py); what needs more than one
value is checked here, while compiling: `{macros}` that exist and do not loop, regular
expressions that compile and never match empty text, ids used once across the file, and spelling
keywords not also listed as `never_correct`. Every error names the file, the path inside it and
the problem, so a mistake stops start-up instead of reaching a patient.

Public API:
    load_safety_patterns(path=None) -> SafetyPatterns       (raises SafetyPatternError)
    default_patterns() -> SafetyPatterns                     (the project's file, read once)
    screen(text) / assess(text)                              (with the project's pattern file)
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Sequence, Tuple, Union

from backpain.paths import PROJECT_ROOT
from backpain.safety_context import CUES_BROKEN_BY_FIRST_PERSON, ContextCue, Negation
from backpain.safety_patterns import (
    ESCALATION_KINDS,
    KIND_UNCLEAR,
    Category,
    SafetyAssessment,
    SafetyMatch,
    SafetyPatterns,
)
from backpain.safety_schema import (
    MACRO_NAME,
    AskingCategory,
    Cue,
    EscalationCategory,
    Fuzzy,
    NetCategory,
    PatternFile,
)
from backpain.safety_schema import Negation as NegationSection
from backpain.safety_text import KeywordCorrector
from backpain.yaml_schema import parse_file, read_yaml

DEFAULT_PATTERNS_FILE = PROJECT_ROOT / "content" / "safety" / "red_flags.yml"
# Lets a deployment (or a test) use another pattern file without editing the project.
PATTERNS_FILE_ENV = "SAFETY_PATTERNS"

_MACRO_REFERENCE = re.compile(r"\{(" + MACRO_NAME.pattern + r")\}")


class SafetyPatternError(ValueError):
    """The safety pattern file is missing, unreadable or has a wrong entry."""


class _Compiler:
    """Builds SafetyPatterns from the validated file, naming the file and the path of any error."""

    def __init__(self, patterns_file: PatternFile, source: str) -> None:
        self.file = patterns_file
        self.source = source
        self.macros: Dict[str, str] = dict(patterns_file.macros)
        self.seen_ids: Dict[str, str] = {}

    def fail(self, where: str, problem: str) -> SafetyPatternError:
        return SafetyPatternError(f"{self.source}: {where}: {problem}")

    def build(self) -> SafetyPatterns:
        escalations = self.file.escalations
        categories = {
            kind: [
                self.category(entry, f"escalations.{kind}[{index}]", kind)
                for index, entry in enumerate(getattr(escalations, kind))
            ]
            for kind in ESCALATION_KINDS
        }
        unclear = [
            self.category(entry, f"unclear[{index}]", KIND_UNCLEAR)
            for index, entry in enumerate(self.file.unclear)
        ]
        net = [
            self.category(entry, f"net[{index}]", KIND_UNCLEAR)
            for index, entry in enumerate(self.file.net)
        ]
        look_alikes = [
            (cue.id, pattern)
            for cue in self.cues(self.file.look_alikes, "look_alikes")
            for pattern in cue.patterns
        ]
        context_cues = self.cues(self.file.context_cues, "context_cues")
        return SafetyPatterns(
            categories=categories,
            unclear=unclear,
            look_alikes=look_alikes,
            context_cues=context_cues,
            negation=self.negation(self.file.negation),
            corrector=self.corrector(self.file.fuzzy),
            max_scan_chars=self.file.max_scan_chars,
            net=net,
        )

    # -- patterns --

    def expand(self, text: str, where: str, depth: int = 0) -> str:
        if depth > 10:
            raise self.fail(where, "macros refer to each other in a loop")

        def replace(found: "re.Match[str]") -> str:
            name = found.group(1)
            if name not in self.macros:
                raise self.fail(where, f"unknown macro {{{name}}}")
            return self.expand(self.macros[name], where, depth + 1)

        return _MACRO_REFERENCE.sub(replace, text)

    def regex(self, expression: str, where: str, flags: int = 0) -> Pattern[str]:
        try:
            return re.compile(expression, flags)
        except re.error as error:
            raise self.fail(where, f"not a valid regular expression ({error})") from None

    def pattern(self, text: str, where: str) -> Pattern[str]:
        # Whole words only: a match starts and ends at a word boundary of the canonical text.
        expression = r"(?<!\S)(?:" + self.expand(text, where) + r")(?!\S)"
        compiled = self.regex(expression, where, re.MULTILINE)
        if compiled.search("") or compiled.search(" ") or compiled.search("\n"):
            raise self.fail(
                where, "the pattern matches empty text, so it would match every message"
            )
        return compiled

    def patterns(self, texts: Sequence[str], where: str) -> Tuple[Pattern[str], ...]:
        return tuple(self.pattern(text, f"{where}[{index}]") for index, text in enumerate(texts))

    # -- sections --

    def unique_id(self, value: str, where: str) -> str:
        if value in self.seen_ids:
            raise self.fail(f"{where}.id", f"'{value}' is already used at {self.seen_ids[value]}")
        self.seen_ids[value] = where
        return value

    def category(
        self, entry: Union[EscalationCategory, AskingCategory], where: str, kind: str
    ) -> Category:
        confirm_kind: Optional[str] = None
        unclear_if: Sequence[str] = ()
        everyday_uses: Sequence[str] = ()
        if isinstance(entry, EscalationCategory):
            unclear_if = entry.unclear_if
        else:
            confirm_kind = entry.confirm_as
        if isinstance(entry, NetCategory):
            everyday_uses = entry.everyday_uses
        return Category(
            id=self.unique_id(entry.id, where),
            kind=kind,
            patterns=self.patterns(entry.patterns, f"{where}.patterns"),
            ignore_if=self.patterns(entry.ignore_if, f"{where}.ignore_if"),
            everyday_uses=self.patterns(everyday_uses, f"{where}.everyday_uses"),
            unclear_if=self.patterns(unclear_if, f"{where}.unclear_if"),
            confirm_kind=confirm_kind,
            past_matters=entry.past_matters,
        )

    def cues(self, entries: List[Cue], where: str) -> List[ContextCue]:
        return [
            ContextCue(
                id=self.unique_id(entry.id, f"{where}[{index}]"),
                patterns=self.patterns(entry.patterns, f"{where}[{index}].patterns"),
                first_person_breaks=entry.id in CUES_BROKEN_BY_FIRST_PERSON,
            )
            for index, entry in enumerate(entries)
        ]

    def negation(self, section: NegationSection) -> Negation:
        return Negation(
            window_words=section.window_words,
            cues=self.pattern(section.cues, "negation.cues"),
            pseudo_negations=self.pattern(section.pseudo_negations, "negation.pseudo_negations"),
            clause_breaks=self.pattern(section.clause_breaks, "negation.clause_breaks"),
            # Matched against one word at a time (fullmatch), so no whole-word wrapping.
            clause_starters=self.regex(
                self.expand(section.clause_starters, "negation.clause_starters"),
                "negation.clause_starters",
            ),
            # Right after the match: "saddle numbness: none", "..., not really".
            post_cues=self.regex(
                r"(?:, )?"
                + self.expand(section.post_cues, "negation.post_cues")
                + r"(?: ,| and| but|$)",
                "negation.post_cues",
            ),
        )

    def corrector(self, section: Fuzzy) -> KeywordCorrector:
        both = sorted(set(section.keywords) & set(section.never_correct))
        if both:
            raise self.fail("fuzzy.never_correct", f"also listed as keywords: {', '.join(both)}")
        return KeywordCorrector(section.keywords, section.never_correct, section.min_word_length)


def load_safety_patterns(path: Union[Path, str, None] = None) -> SafetyPatterns:
    """Reads and checks a pattern file (default: $SAFETY_PATTERNS or content/safety/red_flags.yml)."""
    path = Path(path or os.environ.get(PATTERNS_FILE_ENV) or DEFAULT_PATTERNS_FILE)
    raw = read_yaml(path, SafetyPatternError)
    return _Compiler(parse_file(PatternFile, raw, str(path), SafetyPatternError), str(path)).build()


@lru_cache(maxsize=1)
def default_patterns() -> SafetyPatterns:
    """The project's pattern file, read once per process."""
    return load_safety_patterns()


def screen(text: Any) -> Optional[SafetyMatch]:
    """The most severe red flag or crisis sign in the text (project patterns), or None."""
    return default_patterns().screen(text)


def assess(text: Any) -> SafetyAssessment:
    return default_patterns().assess(text)
