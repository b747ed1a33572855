"""The fear ladder of the graded-exposure script (plain Python, no Rasa).

The person names activities they avoid and rates how much fear each brings up (0-100). The
ladder orders them from least to most feared, proposes a first step that is low to moderate
(hard enough to learn from, easy enough to try), and after each practice compares what the
person expected with what happened, to suggest staying on the step or moving up.

The ladder is kept in a slot as a list of plain dicts (JSON in the tracker store); `Ladder`
converts to and from that form. Thresholds are in one place, below, with their reasons.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional, Sequence

MAX_STEPS = 8
# A first step should bring up some fear (below FIRST_STEP_FLOOR there is little to learn)
# but not much (above FIRST_STEP_CEILING it is usually too big a first step).
FIRST_STEP_FLOOR = 20
FIRST_STEP_CEILING = 50
# After a practice: fear at or below this is "settled" on a 0-100 scale ...
SETTLED_FEAR = 30
# ... and fear this many points below what was expected shows the expectation was wrong.
CLEARLY_LOWER_THAN_EXPECTED = 20
# Pain this many points (0-10) above what was expected is worth mentioning (not a red flag).
PAIN_HIGHER_THAN_EXPECTED = 3


@dataclass
class LadderStep:
    activity: str
    fear: float  # the person's rating when the ladder was built, 0-100
    practices: int = 0
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
            if isinstance(item, dict) and isinstance(item.get("activity"), str) and isinstance(item.get("fear"), (int, float)):
                steps.append(LadderStep.from_dict(item))
        return cls(steps)

    def to_slot(self) -> List[Dict[str, Any]]:
        return [asdict(step) for step in self.steps]

    # --- building ---
    @classmethod
    def from_ratings(cls, ratings: Sequence[tuple]) -> "Ladder":
        """(activity, fear) pairs, ordered least to most feared; equal fears keep their order."""
        steps = [LadderStep(activity=activity, fear=float(fear)) for activity, fear in ratings[:MAX_STEPS]]
        return cls(sorted(steps, key=lambda step: step.fear))

    def index_of(self, activity: Optional[str]) -> Optional[int]:
        if not activity:
            return None
        wanted = activity.strip().lower()
        return next((i for i, step in enumerate(self.steps) if step.activity.lower() == wanted), None)

    def current_index(self) -> Optional[int]:
        """The step being practised: the first one not yet done (None when all are done or no ladder)."""
        return next((i for i, step in enumerate(self.steps) if not step.done), None)


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
    STAY = "stay"
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

    @property
    def fear_difference(self) -> Optional[float]:
        """Actual minus expected fear (negative: less fear than expected)."""
        return None if self.expected_fear is None else self.actual_fear - self.expected_fear

    @property
    def pain_difference(self) -> Optional[float]:
        return None if self.expected_pain is None else self.actual_pain - self.expected_pain


def record_practice(ladder: Ladder, actual_fear: float, actual_pain: float) -> Optional[PracticeOutcome]:
    """Record a practice of the current step, compare with the expectation, suggest what next.

    Fear expected for the step is the one planned; without a plan, the ladder rating (how
    frightening the activity seemed when the ladder was built) stands in for it.
    Returns None when there is no current step (no ladder, or every step done).
    """
    index = ladder.current_index()
    if index is None:
        return None
    step = ladder.steps[index]
    expected_fear = step.expected_fear if step.expected_fear is not None else step.fear
    expected_pain = step.expected_pain
    step.practices += 1
    step.last_fear, step.last_pain = actual_fear, actual_pain

    settled = actual_fear <= SETTLED_FEAR or actual_fear <= expected_fear - CLEARLY_LOWER_THAN_EXPECTED
    is_last = index == len(ladder.steps) - 1
    if settled and is_last:
        suggestion, next_activity = Suggestion.TOP_REACHED, None
        step.done = True
    elif settled:
        suggestion, next_activity = Suggestion.MOVE_UP, ladder.steps[index + 1].activity
        step.done = True
    else:
        suggestion, next_activity = Suggestion.STAY, step.activity
    pain_higher = expected_pain is not None and actual_pain >= expected_pain + PAIN_HIGHER_THAN_EXPECTED
    return PracticeOutcome(
        activity=step.activity, expected_fear=expected_fear, actual_fear=actual_fear,
        expected_pain=expected_pain, actual_pain=actual_pain, suggestion=suggestion,
        next_activity=next_activity, pain_higher_than_expected=pain_higher,
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
            line += f"; practised {times}, last fear {step.last_fear:g}/100, pain {step.last_pain:g}/10"
        lines.append(line)
    return lines
