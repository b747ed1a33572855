"""The fear ladder of the graded-exposure script (plain Python, no Rasa).

The person names activities they avoid and rates how much fear each brings up (0-100). The
ladder orders them from least to most feared, proposes a first step that is low to moderate
(hard enough to learn from, easy enough to try), points out gaps too big to climb, and after
each practice compares what the person expected with what happened, to suggest staying on the
step, pausing it, or moving up.

The rules follow graded exposure in vivo after Vlaeyen and Linton (fear-avoidance model; see
../shared/reference/clinical-reference.md): a step is practised repeatedly until fear has come
down across practices (one good practice is not mastery); whether the feared outcome happened is
the learning (expectancy violation); pain far above what was expected pauses the step and
brings in the physiotherapist, never a move up.

The ladder is kept in a slot as a list of plain dicts (JSON in the tracker store); `Ladder`
converts to and from that form. Thresholds are in one place, below, with their reasons.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional, Sequence, Tuple

MAX_STEPS = 8
# A first step should bring up some fear (below FIRST_STEP_FLOOR there is little to learn)
# but not much (above FIRST_STEP_CEILING it is usually too big a first step).
FIRST_STEP_FLOOR = 20
FIRST_STEP_CEILING = 50
# A first step at or above this is too big a start whatever else is on the ladder: suggest
# adding an easier version (clinical-reference.md: "uncomfortable but manageable").
FIRST_STEP_TOO_HIGH = 70
# Neighbouring steps further apart than this are hard to climb: ask for an in-between step
# (clinical-reference.md: "gaps small enough to climb").
MAX_GAP = 30
# A step is mastered when fear during practice has come down across practices: at least
# MIN_PRACTICES practices, the latest at or below SETTLED_FEAR (0-100) and no higher than the one
# before. A single good practice is not mastery (Vlaeyen and Linton).
MIN_PRACTICES = 2
SETTLED_FEAR = 30
# Pain this many points (0-10) above what was expected pauses the step: stay or go back one and
# talk to the physiotherapist (clinical-reference.md, "Pain during practice").
PAIN_HIGHER_THAN_EXPECTED = 3


@dataclass
class LadderStep:
    activity: str
    fear: float  # the person's rating when the ladder was built, 0-100
    practices: int = 0
    fears: List[float] = field(default_factory=list)  # fear during each practice, oldest first
    last_fear: Optional[float] = None
    last_pain: Optional[float] = None
    expected_fear: Optional[float] = None
    expected_pain: Optional[float] = None
    done: bool = False  # the person moved up from this step

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "LadderStep":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass
class Ladder:
    steps: List[LadderStep] = field(default_factory=list)

    # --- slot conversion ---
    @classmethod
    def from_slot(cls, value: object) -> "Ladder":
        """Read the slot value; anything malformed is dropped rather than crashing the script."""
        if not isinstance(value, list):
            return cls()
        steps = []
        for item in value:
            if (
                isinstance(item, dict)
                and isinstance(item.get("activity"), str)
                and isinstance(item.get("fear"), (int, float))
            ):
                steps.append(LadderStep.from_dict(item))
        return cls(steps)

    def to_slot(self) -> List[Dict[str, Any]]:
        return [asdict(step) for step in self.steps]

    # --- building ---
    @classmethod
    def from_ratings(cls, ratings: Sequence[tuple]) -> "Ladder":
        """(activity, fear) pairs, ordered least to most feared; equal fears keep their order."""
        steps = [
            LadderStep(activity=activity, fear=float(fear))
            for activity, fear in ratings[:MAX_STEPS]
        ]
        return cls(sorted(steps, key=lambda step: step.fear))

    def index_of(self, activity: Optional[str]) -> Optional[int]:
        if not activity:
            return None
        wanted = activity.strip().lower()
        return next(
            (i for i, step in enumerate(self.steps) if step.activity.lower() == wanted), None
        )

    def current_index(self) -> Optional[int]:
        """The step being practised: the first one not yet done (None when all are done or no ladder)."""
        return next((i for i, step in enumerate(self.steps) if not step.done), None)

    def big_gaps(self) -> List[Tuple[LadderStep, LadderStep]]:
        """Neighbouring steps more than MAX_GAP apart: an in-between step would help."""
        return [
            (low, high)
            for low, high in zip(self.steps, self.steps[1:])
            if high.fear - low.fear > MAX_GAP
        ]

    def starts_too_high(self) -> bool:
        return bool(self.steps) and self.steps[0].fear >= FIRST_STEP_TOO_HIGH


class FirstStepReason(str, Enum):
    LOW_TO_MODERATE = "low_to_moderate"  # a step in the 20-50 band
    ALL_HIGH = "all_high"  # everything feels big: start with the smallest, maybe a smaller version
    ALL_LOW = "all_low"  # nothing feels very frightening: start with the most feared


@dataclass(frozen=True)
class FirstStepProposal:
    index: int
    reason: FirstStepReason


def propose_first_step(ladder: Ladder) -> Optional[FirstStepProposal]:
    """The lowest step in the low-to-moderate band; failing that the nearest sensible one."""
    if not ladder.steps:
        return None
    for index, step in enumerate(ladder.steps):
        if FIRST_STEP_FLOOR <= step.fear <= FIRST_STEP_CEILING:
            return FirstStepProposal(index, FirstStepReason.LOW_TO_MODERATE)
    above = [i for i, step in enumerate(ladder.steps) if step.fear > FIRST_STEP_CEILING]
    below = [i for i, step in enumerate(ladder.steps) if step.fear < FIRST_STEP_FLOOR]
    if below and above:
        # A gap around the middle: the highest of the low ones is closest to the band.
        return FirstStepProposal(below[-1], FirstStepReason.LOW_TO_MODERATE)
    if above:
        return FirstStepProposal(above[0], FirstStepReason.ALL_HIGH)
    return FirstStepProposal(below[-1], FirstStepReason.ALL_LOW)


def start_at(ladder: Ladder, index: int) -> Ladder:
    """Make `index` the current step: the easier steps count as done (they need no practice)."""
    for position, step in enumerate(ladder.steps):
        step.done = position < index
    return ladder


class Suggestion(str, Enum):
    MOVE_UP = "move_up"
    STAY = "stay"  # practise the same step again
    PAUSE = (
        "pause"  # pain far above what was expected: stay or go back one, see the physiotherapist
    )
    TOP_REACHED = "top_reached"  # settled on the last step: the ladder is climbed


@dataclass(frozen=True)
class PracticeOutcome:
    activity: str
    expected_fear: Optional[float]
    actual_fear: float
    expected_pain: Optional[float]
    actual_pain: float
    suggestion: Suggestion
    next_activity: Optional[str]
    pain_higher_than_expected: bool
    feared_outcome_happened: Optional[bool] = None

    @property
    def fear_difference(self) -> Optional[float]:
        """Actual minus expected fear (negative: less fear than expected)."""
        return None if self.expected_fear is None else self.actual_fear - self.expected_fear

    @property
    def pain_difference(self) -> Optional[float]:
        return None if self.expected_pain is None else self.actual_pain - self.expected_pain


def fear_has_settled(fears: Sequence[float]) -> bool:
    """Fear has come down across practices (see MIN_PRACTICES and SETTLED_FEAR)."""
    return len(fears) >= MIN_PRACTICES and fears[-1] <= SETTLED_FEAR and fears[-1] <= fears[-2]


def record_practice(
    ladder: Ladder,
    actual_fear: float,
    actual_pain: float,
    feared_outcome_happened: Optional[bool] = None,
) -> Optional[PracticeOutcome]:
    """Record a practice of the current step, compare with the expectation, suggest what next.

    Fear expected for the step is the one planned; without a plan, the ladder rating (how
    frightening the activity seemed when the ladder was built) stands in for it. Moving up needs
    fear settled across practices, no pain far above what was expected, and the feared outcome
    not to have happened. Returns None when there is no current step (no ladder, or every step done).
    """
    index = ladder.current_index()
    if index is None:
        return None
    step = ladder.steps[index]
    expected_fear = step.expected_fear if step.expected_fear is not None else step.fear
    expected_pain = step.expected_pain
    step.practices += 1
    step.fears = list(step.fears) + [actual_fear]
    step.last_fear, step.last_pain = actual_fear, actual_pain

    pain_higher = (
        expected_pain is not None and actual_pain >= expected_pain + PAIN_HIGHER_THAN_EXPECTED
    )
    settled = fear_has_settled(step.fears) and feared_outcome_happened is not True
    is_last = index == len(ladder.steps) - 1
    if pain_higher:
        suggestion, next_activity = Suggestion.PAUSE, step.activity
    elif settled and is_last:
        suggestion, next_activity = Suggestion.TOP_REACHED, None
        step.done = True
    elif settled:
        suggestion, next_activity = Suggestion.MOVE_UP, ladder.steps[index + 1].activity
        step.done = True
    else:
        suggestion, next_activity = Suggestion.STAY, step.activity
    return PracticeOutcome(
        activity=step.activity,
        expected_fear=expected_fear,
        actual_fear=actual_fear,
        expected_pain=expected_pain,
        actual_pain=actual_pain,
        suggestion=suggestion,
        next_activity=next_activity,
        pain_higher_than_expected=pain_higher,
        feared_outcome_happened=feared_outcome_happened,
    )


def progress_lines(ladder: Ladder) -> List[str]:
    """One line per step, least feared first: ✓ practised and passed, ➜ current, ○ still ahead,
    · easier than the chosen first step."""
    current = ladder.current_index()
    lines = []
    for index, step in enumerate(ladder.steps):
        if step.done:
            marker = "✓" if step.practices else "·"  # "·": below the chosen first step
        else:
            marker = "➜" if index == current else "○"
        line = f"{marker} {index + 1}. {step.activity}: fear {step.fear:g}/100 when rated"
        if step.practices:
            times = "once" if step.practices == 1 else f"{step.practices} times"
            line += (
                f"; practised {times}, last fear {step.last_fear:g}/100, pain {step.last_pain:g}/10"
            )
        lines.append(line)
    return lines
