"""The layered safety screen: patterns, then the safety classifier, then the risk-word net.

One function decides what a message gets, so the Rasa component (components/safety_screen.py),
the offline evaluation (python -m backpain.safety_eval) and the tests run the same rules:

1. **Patterns** (content/safety/red_flags.yml through backpain/safety_patterns.py) for the
   clear cases. A confirmed match escalates at once. A match that its context makes unsure
   (a hypothetical, a past event, someone else, a list of signs) is asked about, and nothing
   later can escalate it: the patterns know that "years ago" is not now.
2. **The safety classifier** (backpain/safety_classifier.py) for words nobody wrote into the
   patterns: a confident crisis score gives crisis support, a confident red-flag score and the
   middle band ask. An idiom or a context cue ("this pain is killing me", a safety plan) turns
   an escalation into a question.
3. **The net**: words that touch risk (means with a quantity, harm to oneself, dying,
   goodbyes, no future, being a burden) that neither layer resolved get the confirming
   question. Never the fallback, never silence.
4. Last, the intent classifier's own guess of an escalation is kept only when it is sure;
   otherwise it too becomes a question.

Fail safe: when unsure about risk, ask. A "yes" escalates; a "no" returns to where the person
was (the actions and rules do that part).

Where the person is also answered, always before the confirming question, which stays the last
word so that the next "yes" or "no" answers it (`answer_first`; the question is never dropped):
- ANSWER_QUESTION: a question that only the classifier's middle band found risky, with no risk
  word the net knows ("why does it hurt when I've done nothing?"): it gets its answer. On the
  four development sets no crisis message took this path (issue 15: a safety question instead
  of an answer was most of the wrong-kind replies to patients' everyday questions).
- ANSWER_FEELINGS: a statement the middle band read as possible crisis, with no risk word ("my
  partner thinks I'm exaggerating, I feel so alone"): it may get an answer only from
  FEELINGS_TOPICS, which acknowledge how the person feels, when the response selector is fairly
  sure of it (FEELINGS_MIN_CONFIDENCE), and then the crisis question. Say what
  you hear, then ask directly about suicide: the order clinicians are taught (NICE NG225, 2022,
  on assessing self-harm; Samaritans' guidance on asking). Red-flag statements never take this
  path: an education answer must not come before an urgent check of the body.
  A statement the classifier is **sure** is crisis gets crisis support, whatever the intent
  classifier and the response selector read. (From the eleventh to the thirteenth session a
  "feelings reading" by both turned it into the question after an answer; on a retrained
  response selector it did so for 17 development crisis messages, 7 of them explicit plans,
  methods or attempts, against 3 everyday ones, so it was removed: docs/safety.md, thirteenth
  pass.) Inside a script the action asks instead, when the verdict is the classifier's alone and
  the message reads as the step's answer (`reads_as_step_answer`, actions/safety/escalation.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import FrozenSet, Optional, Protocol

from backpain.answer_parsing import looks_like_question
from backpain.safety_classifier import (
    DECISION_ASK,
    DECISION_ESCALATE,
    LABEL_CRISIS,
    LABEL_EMERGENCY,
    LABEL_GP_SOON,
    LABEL_URGENT,
    WINDOW_WORDS,
    SafetyVerdict,
)
from backpain.safety_context import CUES_AGAINST_SOFTENING, CUES_CANCELLED_BY_NOW, CUES_FOR_NOW
from backpain.safety_patterns import (
    ESCALATION_KINDS,
    KIND_CRISIS,
    KIND_EMERGENCY,
    KIND_INFLAMMATORY,
    KIND_UNCLEAR,
    KIND_URGENT,
    SEVERITY,
    SafetyAssessment,
    SafetyMatch,
    SafetyPatterns,
)

logger = logging.getLogger(__name__)

KIND_FOR_LABEL = {
    LABEL_CRISIS: KIND_CRISIS,
    LABEL_EMERGENCY: KIND_EMERGENCY,
    LABEL_URGENT: KIND_URGENT,
    LABEL_GP_SOON: KIND_INFLAMMATORY,
}
# Context anywhere in a message that turns a pattern's red flag into a question: a past,
# resolved event, a fear or prediction, a general question, someone else, and a list of signs
# are "not a red flag" (clinical-reference.md, after Finucane et al. 2020) and get at most a
# confirming question; so does a red flag asked as a question ("?"). Crisis language is softened
# only by recovery from something long ago ("an overdose at 17, I'm 52 and well"), a form's
# question, a written
# safety plan, or a risk word in an everyday use the net knows ("a new rope for climbing"), and
# then it is asked about: a hypothetical method, a question about an overdose or
# someone else at risk get the crisis reply (C-SSRS).
_RED_FLAG_CUES = frozenset(
    {
        "hypothetical",
        "educational",
        "someone_else",
        "asked_about",
        "plan_list",
        "safety_plan",
        "past",
        "question",
    }
)
WHOLE_MESSAGE_CUES = {
    KIND_EMERGENCY: _RED_FLAG_CUES,
    KIND_URGENT: _RED_FLAG_CUES,
    KIND_INFLAMMATORY: _RED_FLAG_CUES,
    KIND_CRISIS: frozenset({"recovered", "asked_about", "safety_plan", "everyday_use"}),
}
# The classifier alone gives crisis support, but only asks about red flags: measured on the
# issue-6 look-alikes, its confident red-flag band sent "I need to pee before we start" to the
# emergency department. Red-flag advice comes from the patterns or from a "yes" to the question.
CLASSIFIER_MAY_ESCALATE = frozenset({KIND_CRISIS})
LAYER_PATTERN = "pattern"
LAYER_CLASSIFIER = "classifier"
LAYER_NET = "net"
LAYER_INTENT = "intent"


class Classifier(Protocol):
    def assess(self, text: str) -> Optional[SafetyVerdict]: ...


@dataclass(frozen=True)
class ScreenResult:
    """What the screen decided: a match to apply (None: leave the intent alone) and which layer."""

    match: Optional[SafetyMatch]
    layer: str = ""
    verdict: Optional[SafetyVerdict] = None
    answer_first: str = ""  # ANSWER_QUESTION or ANSWER_FEELINGS (module docstring), or nothing


ANSWER_QUESTION = "question"
ANSWER_FEELINGS = "feelings"
# Education answers (response keys) that acknowledge feelings or how the person is doing, the
# only ones a possible-crisis statement may get before the crisis question (module docstring).
FEELINGS_TOPICS = frozenset(
    {
        "explain/frustration_and_not_believed",
        "explain/worry_and_pain",
        "explain/stress_and_pain",
        "explain/relationships_and_pain",
        "explain/good_days_and_progress",
        "explain/soreness_after_exercise",
        "explain/pacing",
        # A feared activity met with what is known about it (fear-avoidance, Vlaeyen & Linton;
        # Explain Pain): "terrified of going back to work", "scared I'll never lift my kids".
        # Seventeenth session, on the development sets: three everyday fears answered before the
        # question, no development crisis message answered first.
        "explain/fear_of_movement",
        "explain/work_and_pain",
        "explain/lifting_and_carrying",
    }
)
# And only when the response selector is fairly sure of it: before a crisis question an
# acknowledgement that misses ("terrified I'll end up in a wheelchair" -> good days, 0.21) is
# worse than none. A question keeps the selector's usual floor (backpain/clarify.py).
FEELINGS_MIN_CONFIDENCE = 0.5


def _answer_first(text: str, patterns: SafetyPatterns, label: str) -> str:
    """How a message the middle band asks about may be answered first (module docstring)."""
    if patterns.net_match(text) is not None:
        return ""
    if looks_like_question(text):
        return ANSWER_QUESTION
    return ANSWER_FEELINGS if label == LABEL_CRISIS else ""


def screen_message(
    text: str,
    patterns: SafetyPatterns,
    classifier: Optional[Classifier],
    intent: Optional[str] = None,
    confidence: float = 0.0,
    confirm_below: float = 0.9,
) -> ScreenResult:
    """The safety decision for one message (see the module docstring for the order)."""
    assessment = patterns.assess(text)
    match = assessment.match
    if match is not None and match.kind != KIND_UNCLEAR:
        if SEVERITY.get(intent or "", -1) > SEVERITY[match.kind] and confidence >= confirm_below:
            # The intent classifier is sure of a stronger escalation: keep it.
            return ScreenResult(None, LAYER_INTENT)
        # The context of the sentence that matched: in a long message, "years" or "worry"
        # elsewhere says nothing about "since Tuesday I can't feel the toilet paper".
        # Crisis language is softened only by strict cues (recovery, a form's question, a safety
        # plan), read across the whole message.
        where = text if match.kind == KIND_CRISIS else (assessment.sentence or text)
        cues = message_context(patterns, where, raw=text) & WHOLE_MESSAGE_CUES.get(
            match.kind, frozenset()
        )
        if patterns.past_matters(match.category):
            cues -= {"past"}
        if cues:
            # "years ago" or "signs to watch for" anywhere in the message: ask, don't send. But a
            # red flag made unsure must not hide crisis language the classifier is sure of ("his
            # football injury ... saying he wants to kill himself"): that gets crisis support.
            crisis = (
                None
                if match.kind == KIND_CRISIS
                else _sure_crisis(patterns, classifier, text, assessment)
            )
            if crisis is not None:
                return crisis
            return ScreenResult(
                SafetyMatch(KIND_UNCLEAR, match.category, match.kind), LAYER_PATTERN
            )
        return ScreenResult(match, LAYER_PATTERN)
    downgraded = match is not None and not patterns.is_unclear_category(match.category)
    if downgraded:  # the patterns made a red flag unsure; crisis words behind it still count
        crisis = (
            None
            if match.confirm_kind == KIND_CRISIS
            else _sure_crisis(patterns, classifier, text, assessment)
        )
        return crisis or ScreenResult(match, LAYER_PATTERN)

    verdict = _classify(classifier, text)
    if verdict is not None and verdict.decision == DECISION_ESCALATE:
        kind = KIND_FOR_LABEL[verdict.label]
        if kind not in CLASSIFIER_MAY_ESCALATE:
            ask = SafetyMatch(KIND_UNCLEAR, f"classifier_{verdict.label}", kind)
            return ScreenResult(ask, LAYER_CLASSIFIER, verdict)
        if assessment.look_alike is None and not unsure_context(
            patterns, verdict.window or text, kind
        ):
            return ScreenResult(
                SafetyMatch(kind, f"classifier_{verdict.label}"), LAYER_CLASSIFIER, verdict
            )
        ask = SafetyMatch(KIND_UNCLEAR, f"classifier_{verdict.label}_look_alike", kind)
        return ScreenResult(ask, LAYER_CLASSIFIER, verdict)
    if match is not None:  # a vague pattern ("can't cope", "legs feel funny"): ask
        if (
            _sure_intent(intent, confidence, confirm_below)
            and assessment.look_alike is None
            # "what is cauda equina syndrome?": a question about a condition is not a red flag
            # (clinical-reference.md, after Finucane et al. 2020), however sure DIET is
            and not unsure_context(patterns, text, str(intent))
        ):
            return ScreenResult(None, LAYER_INTENT, verdict)  # DIET is sure of an escalation
        return ScreenResult(match, LAYER_PATTERN, verdict)
    if verdict is not None and verdict.decision == DECISION_ASK:
        kind = KIND_FOR_LABEL[verdict.label]
        return ScreenResult(
            SafetyMatch(KIND_UNCLEAR, f"classifier_{verdict.label}_unsure", kind),
            LAYER_CLASSIFIER,
            verdict,
            answer_first=_answer_first(text, patterns, verdict.label),
        )

    net = patterns.net_match(text)
    if net is not None:
        return ScreenResult(net, LAYER_NET, verdict)

    if intent in ESCALATION_KINDS:
        if assessment.look_alike is not None:
            ask = SafetyMatch(KIND_UNCLEAR, f"look_alike_{assessment.look_alike}", intent)
            return ScreenResult(ask, LAYER_INTENT, verdict)
        if confidence < confirm_below:
            ask = SafetyMatch(KIND_UNCLEAR, "unconfirmed_classifier_guess", intent)
            return ScreenResult(ask, LAYER_INTENT, verdict)
    return ScreenResult(None, "", verdict)


def _sure_crisis(
    patterns: SafetyPatterns,
    classifier: Optional[Classifier],
    text: str,
    assessment: SafetyAssessment,
) -> Optional[ScreenResult]:
    """Crisis support when the classifier is sure of crisis language and nothing makes it unsure."""
    verdict = _classify(classifier, text)
    if verdict is None or verdict.decision != DECISION_ESCALATE or verdict.label != LABEL_CRISIS:
        return None
    if assessment.look_alike is not None or unsure_context(
        patterns, verdict.window or text, KIND_CRISIS
    ):
        return None
    return ScreenResult(
        SafetyMatch(KIND_CRISIS, f"classifier_{verdict.label}"), LAYER_CLASSIFIER, verdict
    )


def _sure_intent(intent: Optional[str], confidence: float, confirm_below: float) -> bool:
    return intent in ESCALATION_KINDS and confidence >= confirm_below


def message_context(
    patterns: SafetyPatterns, text: str, raw: Optional[str] = None
) -> FrozenSet[str]:
    """The patterns' context cues in the text, plus `question` for a short message with a "?"."""
    cues = set(patterns.context_cues_in(text))
    raw = str(raw if raw is not None else text or "")
    if "?" in raw and len(raw.split()) <= WINDOW_WORDS:
        cues.add("question")
    if patterns.everyday_use(text) and not cues & CUES_AGAINST_SOFTENING:
        # "a rope for climbing", "the bridge on my walk"; never a blade on one's own wrists
        cues.add("everyday_use")
    cues -= CUES_AGAINST_SOFTENING  # a reason to drop a softener, not a context of its own
    if cues & CUES_FOR_NOW:  # "as a teenager ... and started again last month": risk now (C-SSRS)
        cues -= CUES_CANCELLED_BY_NOW | CUES_FOR_NOW
    return frozenset(cues)


def unsure_context(patterns: SafetyPatterns, text: str, kind: str) -> bool:
    """The context that caps the classifier at asking: the same cues that make a pattern
    unsure (WHOLE_MESSAGE_CUES)."""
    cues = message_context(patterns, text)
    return bool(cues & WHOLE_MESSAGE_CUES[kind])


def _classify(classifier: Optional[Classifier], text: str) -> Optional[SafetyVerdict]:
    if classifier is None:
        return None
    try:
        return classifier.assess(text)
    except Exception:  # the patterns and the net still run; the failure is logged
        logger.exception("The safety classifier failed on a message; patterns and net still apply.")
        return None
