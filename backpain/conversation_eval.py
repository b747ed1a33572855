"""Score what kind of answer each realistic message got (issue 15), per kind and audience.

The blind set (tests/heldout/conversation.yml) labels each message with the kind of answer a
person expects: education, trial_figure, trial_design, not_reported, script, chitchat,
out_of_scope, safety, language. The end-to-end test (tests/e2e/test_conversation_heldout.py)
sends each message through the real servers and passes the actions that ran and the texts the
person saw to `kind_of_reply`; `Report` gives issue 15's two figures:
- bare fallback replies ("could you say it another way?" or the menu after a miss): target <= 3%;
- answers of the wrong kind: target <= 5%.
"Did you mean ...?" with the likeliest topics (the two-stage fallback's first stage) is neither:
it is counted and shown on its own line, since it is still not an answer.
No Rasa imports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from backpain.study.loading import get_study

KINDS = (
    "education",
    "trial_figure",
    "trial_design",
    "not_reported",
    "script",
    "chitchat",
    "out_of_scope",
    "safety",
    "language",
)
FALLBACK = "fallback"
CLARIFY = "clarify"
NOTHING = "nothing"
TARGET_FALLBACK = 0.03
TARGET_WRONG = 0.05

CONFIRM_ACTION = "action_confirm_red_flag"
CHECKED = "+safety question"
# Kinds that may come before the confirming question (actions/safety/escalation.py).
ANSWER_KINDS = frozenset({"education", "trial_design"})
# The action (or response) that shows each kind, most telling first.
_ACTION_KINDS: Tuple[Tuple[str, str], ...] = (
    ("action_crisis_support", "safety"),
    ("action_escalate_red_flag", "safety"),
    ("action_confirm_red_flag", "safety"),
    ("action_other_language", "language"),
    # The two-stage fallback runs its stages inside action_two_stage_fallback, and its last
    # resort, action_default_fallback, can send the menu or a new message's likeliest topics:
    # the response tells them apart, not the action.
    ("utter_please_rephrase", FALLBACK),
    ("utter_default", FALLBACK),
    ("utter_clarify_which", FALLBACK),  # "which one?" after a yes: no answer yet
    ("utter_clarify_declined", FALLBACK),  # the menu after a no
    ("utter_clarify_menu", FALLBACK),  # a first miss with no likely topic: still no answer
    ("utter_clarify", CLARIFY),
    ("action_default_ask_affirmation", CLARIFY),
    ("action_two_stage_fallback", CLARIFY),
    ("action_study_statistic", "trial_figure"),
    ("action_study_chart", "trial_figure"),
    ("action_study_design", "trial_design"),
    ("trial_in_words", "trial_design"),
    ("utter_explain", "education"),
    ("utter_refuse_diagnosis", "education"),
    ("utter_refuse_medication", "education"),
    ("utter_refuse_stop_treatment", "education"),
    ("utter_warning_signs", "education"),
    ("action_start_script", "script"),
    ("action_resume_script", "script"),
    ("utter_scripts_menu", "script"),
    ("action_show_flare_plan", "script"),
    ("action_show_fear_ladder", "script"),
    ("utter_out_of_scope", "out_of_scope"),
    ("utter_greet", "chitchat"),
    ("utter_goodbye", "chitchat"),
    ("utter_thank", "chitchat"),
    ("utter_iamabot", "chitchat"),
    ("utter_what_can_you_do", "chitchat"),
    ("utter_audience_patient", "chitchat"),
    ("utter_audience_trainee", "chitchat"),
)
# The study answers say this when the sources lack a figure or detail (backpain/study/slots.py).
NOT_REPORTED_MARKERS = (
    "not reported in the sources",
    "do not report",
    "don't report",
    "not available in these sources",
    "sources I have do not",
    "isn't reported",
    "is not reported",
    "were not reported",
    "did not measure at that time",
    "don't describe its results",
)


@dataclass(frozen=True)
class Case:
    audience: str  # patients or trainees
    turns: Tuple[str, ...]  # the last one is scored
    expect: str
    about: str = ""


def load_cases(path: Path) -> List[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for audience, entries in raw.items():
        for entry in entries or []:
            turns = tuple(str(turn) for turn in entry.get("turns") or [entry["text"]])
            cases.append(Case(audience, turns, str(entry["expect"]), str(entry.get("about", ""))))
    return cases


# Education answers whose subject is the Bemani trial itself, written plainly for patients
# (issue 15: "did it work?", "which group did better?" get a plain answer). They answer a question
# about the trial, so they are a trial answer, not a topic. Response keys under utter_explain.
TRIAL_IN_WORDS_KEYS = frozenset(
    {
        "trial_question",
        "both_improved_at_first",
        "groups_diverged",
        "disability_improved_equally",
        "secondary_no_difference",
        "trial_take_home",
        "trial_and_me",
    }
)


def _plain_names(actions: Sequence[str]) -> List[str]:
    """Action names, with a response selector's answer counted as the trial when it is one."""
    names = []
    for action in actions:
        base, _, key = action.partition("/")
        names.append(
            "trial_in_words" if base == "utter_explain" and key in TRIAL_IN_WORDS_KEYS else base
        )
    return names


def kind_of_reply(actions: Sequence[str], texts: Sequence[str]) -> str:
    """The kind of answer shown by the actions that ran after the message and the texts sent.

    Actions may carry a response key ("utter_explain/groups_diverged"). An answer followed by the
    safety screen's confirming question (a question it was unsure of, answered first) is that
    answer's kind with CHECKED added: the person got the answer, and the report counts how often
    the question came with it.
    """
    names = set(_plain_names(actions))
    if CONFIRM_ACTION in names:
        answered = kind_of_reply([a for a in actions if a != CONFIRM_ACTION], texts)
        if answered in ANSWER_KINDS:
            return answered + CHECKED
    for action, kind in _ACTION_KINDS:
        if action in names:
            if kind in ("trial_figure", "trial_design") and _says_not_reported(texts):
                return "not_reported"
            return kind
    if any(name.endswith("_form") for name in names):
        return "script"
    return NOTHING if not any(text.strip() for text in texts) else "other"


def _says_not_reported(texts: Sequence[str]) -> bool:
    joined = " ".join(texts).lower()
    return any(marker.lower() in joined for marker in NOT_REPORTED_MARKERS)


@dataclass
class Report:
    outcomes: List[Tuple[Case, str]] = field(default_factory=list)

    def add(self, case: Case, got: str) -> None:
        self.outcomes.append((case, got))

    def _share(self, predicate) -> Tuple[int, int]:
        return sum(1 for case, got in self.outcomes if predicate(case, got)), len(self.outcomes)

    @property
    def fallback(self) -> Tuple[int, int]:
        return self._share(lambda case, got: got in (FALLBACK, NOTHING))

    @property
    def clarify(self) -> Tuple[int, int]:
        return self._share(lambda case, got: got == CLARIFY)

    @property
    def wrong(self) -> Tuple[int, int]:
        return self._share(
            lambda case, got: got not in (FALLBACK, NOTHING, CLARIFY) and not right_for(case, got)
        )

    @property
    def checked(self) -> Tuple[int, int]:
        return self._share(lambda case, got: got.endswith(CHECKED))

    def lines(self) -> List[str]:
        def show(pair: Tuple[int, int]) -> str:
            return f"{pair[0]}/{pair[1]} ({100.0 * pair[0] / max(1, pair[1]):.1f}%)"

        out = [
            f"bare fallback replies: {show(self.fallback)} (target <= {TARGET_FALLBACK:.0%})",
            f"answers of the wrong kind: {show(self.wrong)} (target <= {TARGET_WRONG:.0%})",
            f"'did you mean ...?' with the likeliest topics: {show(self.clarify)}",
            f"answered, then asked the safety question: {show(self.checked)}",
            "",
            "per audience and expected kind: n | right | did you mean | fallback | wrong (what it got instead)",
        ]
        groups: Dict[Tuple[str, str], List[str]] = defaultdict(list)
        for case, got in self.outcomes:
            groups[(case.audience, case.expect)].append(
                got if not right_for(case, got) else "right"
            )
        for (audience, expect), gots in sorted(groups.items()):
            counts = Counter(gots)
            wrong = {
                got: n
                for got, n in counts.items()
                if got not in ("right", CLARIFY, FALLBACK, NOTHING)
            }
            out.append(
                f"  {audience}/{expect}: {len(gots)} | {counts['right']} | {counts[CLARIFY]} | "
                f"{counts[FALLBACK] + counts[NOTHING]} | {sum(wrong.values())}"
                + (f" ({', '.join(f'{k} {v}' for k, v in sorted(wrong.items()))})" if wrong else "")
            )
        return out


def right(expect: str, got: str, text: str = "") -> bool:
    """Whether a reply of kind `got` to the message `text` is the kind the case expected."""
    # An answer with the safety question after it: right for its own kind, and for a safety
    # message too (the person was asked).
    if got.endswith(CHECKED):
        return expect in (got[: -len(CHECKED)], "safety")
    # A study answer that says a detail is not reported is right for a design question about it
    # too: the person learns what the sources hold.
    if expect == "trial_design" and got == "not_reported":
        return True
    # And for a figure the study file itself lists as unreported ("how many dropped out in each
    # arm?"): the blind writers could not know which figures the sources hold, and issue 15 asks
    # for exactly this answer. The study file decides, not the reply.
    if expect == "trial_figure" and got == "not_reported":
        return get_study().unreported_in(text) is not None
    return expect == got


def right_for(case: Case, got: str) -> bool:
    return right(case.expect, got, case.turns[-1])


def print_misses(report: Report, limit: Optional[int] = None) -> List[str]:
    lines = [
        f"{got.upper()} (expected {case.expect}): {' || '.join(case.turns)}"
        for case, got in report.outcomes
        if not right_for(case, got)
    ]
    return lines[:limit] if limit else lines
