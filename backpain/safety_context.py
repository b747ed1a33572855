"""The words around one pattern match: is it negated, or said in a context that makes it unsure?

Used by the screen (backpain/safety_patterns.py) on the words just before and after a match in
its sentence, in canonical text (backpain/safety_text.py). Negation cancels a match ("no
numbness"); a context cue (hypothetical, a question, someone else, the past ...) turns an
escalation into a confirming question. The cue ids come from `context_cues` in
content/safety/red_flags.yml; the ids named here change how a cue applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Pattern, Sequence, Tuple

from backpain.safety_text import COMMA

# How many words after the match are read for context cues.
_CUE_WORDS_AFTER = 4
# A cue found before the match stops counting when the person speaks of themselves in between
# ("my mum noticed I'm wetting myself" is about the speaker).
_FIRST_PERSON = re.compile(r"(?<!\S)(?:i|im|ive|id|ill|my|me|mine|myself)(?!\S)")
# Hypotheticals ("what if I ...") and questions put to the person keep applying across "I";
# educational and other-people cues do not.
CUES_BROKEN_BY_FIRST_PERSON = frozenset({"educational", "someone_else"})
# Marks a window that does not start at the sentence start, so "^" cues cannot match there.
_NOT_SENTENCE_START = "~ "
# Context that makes a red flag unsure but not crisis language: thoughts of suicide are risk
# when hypothetical ("what if I took them all"), asked as a question, or said of someone else
# ("my son has taken an overdose": the crisis reply with the emergency number fits him too),
# or next to a word like "plan" ("I have a plan" is a C-SSRS level, not a flare-up plan).
# A distant past attempt is asked about rather than answered with crisis advice (the C-SSRS
# screener asks about lifetime behaviour, then about now).
CUES_NOT_FOR_CRISIS = frozenset(
    {"hypothetical", "someone_else", "question", "educational", "plan_list", "past"}
)
_ANSWER_WORDS = frozenset({"no", "nope", "nah", "not", "never", "none"})
# Cues that say the risk is now, not softeners: a relapse ("started again", "relapsed") cancels a
# recovery or a past nearby (C-SSRS: recent behaviour is current risk).
CUES_FOR_NOW = frozenset({"relapse"})
CUES_CANCELLED_BY_NOW = frozenset({"recovered", "past"})
# A blade turned on one's own body: a reason to drop the everyday-use softener
# (backpain/safety_layers.py), never a softener itself.
CUES_AGAINST_SOFTENING = frozenset({"own_body"})
# "but" and its kin start a contrasting clause: words past them say nothing about the match
# ("fear is a 4, but I was treated for cancer").
_CONTRAST_WORDS = frozenset({"but", "however", "although", "though", "except", "whereas"})


@dataclass(frozen=True)
class ContextCue:
    id: str
    patterns: Tuple[Pattern[str], ...]
    first_person_breaks: bool


@dataclass(frozen=True)
class Negation:
    window_words: int
    cues: Pattern[str]
    pseudo_negations: Pattern[str]
    clause_breaks: Pattern[str]
    clause_starters: Pattern[str]
    post_cues: Pattern[str]


def is_negated(
    negation: Negation,
    before_words: Sequence[str],
    first_matched: str,
    after_words: Sequence[str],
) -> bool:
    """True when a negation cue in the match's clause, or a post cue right after it, denies it."""
    scope: List[str] = []
    index = len(before_words) - 1
    while index >= 0 and len(scope) < negation.window_words:
        word = before_words[index]
        if word == COMMA:
            following = scope[0] if scope else first_matched
            preceding = before_words[index - 1] if index > 0 else None
            # "No, I wet myself": the comma starts a new clause; the "no" answers a question.
            if negation.clause_starters.fullmatch(following) or preceding in _ANSWER_WORDS:
                break
        else:
            scope.insert(0, word)
        index -= 1
    scope_text = negation.pseudo_negations.sub(" _ ", " ".join(scope))
    last_break = None
    for last_break in negation.clause_breaks.finditer(scope_text):
        pass
    if last_break is not None:
        scope_text = scope_text[last_break.end() :]
    if negation.cues.search(scope_text):
        return True
    after_text = " ".join(word for word in after_words[:3])
    return bool(negation.post_cues.match(after_text))


def has_context_cue(
    context_cues: Sequence[ContextCue],
    before_words: Sequence[str],
    matched: str,
    after_words: Sequence[str],
    at_sentence_start: bool,
    crisis: bool = False,
    past_matters: bool = False,
) -> bool:
    """True when a context cue near the match makes it unsure (a confirming question)."""
    after_clause: List[str] = []
    for word in after_words[:_CUE_WORDS_AFTER]:
        if word == COMMA:
            break
        after_clause.append(word)
    prefix = "" if at_sentence_start else _NOT_SENTENCE_START
    before_text = prefix + " ".join(before_words)
    match_offset = len(before_text) + (1 if before_words else 0)
    text = " ".join(part for part in (before_text, matched, " ".join(after_clause)) if part)
    # "as a teenager ... and I've done it again this week": a relapse anywhere in the sentence
    # makes it risk now, not only within the cue window.
    sentence = " ".join(part for part in (before_text, matched, " ".join(after_words)) if part)
    now = any(
        p.search(sentence) for cue in context_cues if cue.id in CUES_FOR_NOW for p in cue.patterns
    )
    for cue in context_cues:
        if (crisis and cue.id in CUES_NOT_FOR_CRISIS) or (not crisis and cue.id == "recovered"):
            continue
        if cue.id in CUES_FOR_NOW | CUES_AGAINST_SOFTENING or (
            now and cue.id in CUES_CANCELLED_BY_NOW
        ):
            continue
        if past_matters and cue.id == "past":
            continue
        for pattern in cue.patterns:
            for found in pattern.finditer(text):
                between = text[found.end() : match_offset] if found.end() < match_offset else ""
                if cue.first_person_breaks and _FIRST_PERSON.search(between):
                    continue
                return True
    return False


def same_clause_before(words: Sequence[str]) -> List[str]:
    """The words before a match from the last contrast word ("but" ...) on."""
    for index in range(len(words) - 1, -1, -1):
        if words[index] in _CONTRAST_WORDS:
            return list(words[index + 1 :])
    return list(words)


def same_clause_after(words: Sequence[str]) -> List[str]:
    """The words after a match up to the first contrast word."""
    for index, word in enumerate(words):
        if word in _CONTRAST_WORDS:
            return list(words[:index])
    return list(words)
