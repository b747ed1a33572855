"""The shape of the safety pattern file (content/safety/red_flags.yml), declared as pydantic models.

What a type can say lives here, strictly: the keys each section has (an unknown key is an error),
which are required, and the type and range of each value ("3" is no number, a list is no text).
What needs more than one value (macros that exist, regular expressions that compile and never
match empty text, ids used once, keywords that are not also `never_correct`) is checked when the
file is compiled, in backpain/safety_pattern_file.py. The file's header says what each section
means for the screen.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Type, TypeVar

from pydantic import (
    BaseModel,
    ConstrainedInt,
    ConstrainedStr,
    Extra,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    root_validator,
    validator,
)

# What `{name}` may say inside a pattern (backpain/safety_pattern_file.py expands it).
MACRO_NAME = re.compile(r"[a-z_][a-z0-9_]*")


Section = TypeVar("Section", bound="_Section")


def _mapping(value: Any) -> Dict[Any, Any]:
    # pydantic alone would read a list of pairs, or an empty list, as a mapping.
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping, found {type(value).__name__}")
    return value


class _Section(BaseModel):
    class Config:
        extra = Extra.forbid  # a typo is an error, not a silently ignored setting
        allow_mutation = False

    @classmethod
    def validate(cls: Type[Section], value: Any) -> Section:
        return super().validate(_mapping(value))


class PatternText(ConstrainedStr):
    """A regular expression as written in the file, before its `{macros}` are expanded."""

    strict = True

    @classmethod
    def validate(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a non-empty pattern text")
        return value


class SnakeCaseId(ConstrainedStr):
    """The id of a category, cue or look-alike: what a result names instead of the words."""

    strict = True

    @classmethod
    def validate(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise ValueError(f"expected a snake_case id, found {value!r}")
        return value


class Word(ConstrainedStr):
    """One lower-case word, as the spelling corrector compares them."""

    strict = True

    @classmethod
    def validate(cls, value: str) -> str:
        if not value.isalpha() or value != value.lower():
            raise ValueError(f"expected one lower-case word, found {value!r}")
        return value


class WindowWords(ConstrainedInt):
    strict = True
    ge = 1
    le = 20


class MinWordLength(ConstrainedInt):
    strict = True
    ge = 4
    le = 30


class MaxScanChars(ConstrainedInt):
    strict = True
    ge = 1000


class Fuzzy(_Section):
    min_word_length: MinWordLength
    keywords: List[Word] = Field(min_items=1)
    never_correct: List[Word] = Field(min_items=1)


class Negation(_Section):
    window_words: WindowWords
    cues: PatternText
    pseudo_negations: PatternText
    clause_breaks: PatternText
    clause_starters: PatternText
    post_cues: PatternText


class Cue(_Section):
    """A context cue or a look-alike: an id and the patterns that find it."""

    id: SnakeCaseId
    patterns: List[PatternText] = Field(min_items=1)


class _Category(_Section):
    id: SnakeCaseId
    description: StrictStr = ""
    patterns: List[PatternText] = Field(min_items=1)
    ignore_if: List[PatternText] = []
    past_matters: StrictBool = False


class EscalationCategory(_Category):
    """A red flag or crisis sign that escalates when confirmed."""

    unclear_if: List[PatternText] = []


class Escalations(_Section):
    """The escalating categories by kind.

    The fields are the kinds of safety_patterns.ESCALATION_KINDS, in the same order (most severe
    first); the compiler reads them by those names.
    """

    crisis: List[EscalationCategory] = Field(min_items=1)
    red_flag_emergency: List[EscalationCategory] = Field(min_items=1)
    red_flag_urgent: List[EscalationCategory] = Field(min_items=1)
    inflammatory_signs: List[EscalationCategory] = Field(min_items=1)

    @root_validator(pre=True)
    def _known_kinds(cls, values: Dict[str, Any]) -> Dict[str, Any]:  # noqa: N805
        unknown = sorted(set(values) - set(cls.__fields__))
        if unknown:
            raise ValueError(
                f"unknown kind(s) {', '.join(unknown)}; use {', '.join(cls.__fields__)}"
            )
        return values


class AskingCategory(_Category):
    """A vague sign (`unclear`) or a risk word (`net`): answered with a confirming question."""

    confirm_as: StrictStr  # the escalation kind a "yes" to the question means

    @validator("confirm_as")
    def _escalation_kind(cls, value: str) -> str:  # noqa: N805
        if value not in Escalations.__fields__:
            raise ValueError(
                f"expected one of {', '.join(Escalations.__fields__)}, found {value!r}"
            )
        return value


class NetCategory(AskingCategory):
    # Uses of a risk word in everyday life ("a rope for climbing"); see SafetyPatterns.everyday_use.
    everyday_uses: List[PatternText] = []


class PatternFile(_Section):
    format_version: StrictInt
    max_scan_chars: MaxScanChars
    fuzzy: Fuzzy
    negation: Negation
    context_cues: List[Cue] = Field(min_items=1)
    look_alikes: List[Cue] = Field(min_items=1)
    escalations: Escalations
    unclear: List[AskingCategory] = Field(min_items=1)
    net: List[NetCategory] = Field(min_items=1)
    macros: Dict[StrictStr, PatternText] = {}

    @validator("format_version")
    def _version_one(cls, value: int) -> int:  # noqa: N805
        if value != 1:
            raise ValueError(f"expected 1, found {value!r}")
        return value

    _macros_mapping = validator("macros", pre=True, allow_reuse=True)(_mapping)

    @validator("macros")
    def _macro_names(cls, macros: Dict[str, str]) -> Dict[str, str]:  # noqa: N805
        for name in macros:
            if not MACRO_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is no macro name: use lower-case letters, digits and _")
        return macros
