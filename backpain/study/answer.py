"""The answer a study query returns, and the small phrasing helpers every query shares.

An `Answer` is plain data (text, buttons, optional chart image, the figures it quotes) so the
Rasa actions only have to send it. `AnswerBuilder` is how queries write one: each figure goes in
through `exact()`, `about()` or `computed()`, which both format it and record where it came from
(its path in the study file, or the file figures it was computed from). That record is what
tests/backpain/study/test_figure_provenance.py checks every number in every answer against.

Number style: negatives use the minus sign (−), ranges the en dash (–), so a range is never read
as a negative number. Figures stored as decimals show two places (2.00), whole numbers none.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from backpain.study.model import Study

AUDIENCES = ("patient", "trainee")
MINUS = "\u2212"
EN_DASH = "\u2013"
# Every computed figure sits on a line containing one of these, so a reader (and the provenance
# test) can tell it was worked out here rather than reported by a source.
COMPUTED_MARKERS = ("computed", "calculation")
# The intent a clarification button sends back, with the chosen entity; the Rasa glue answers it
# with answer_follow_up() and the stored last query.
FOLLOW_UP_INTENT = "ask_trial_followup"
NOT_REPORTED_INTENT = "trial_not_reported"


@dataclass(frozen=True)
class Figure:
    """One number an answer quotes: reported (read from the file) or computed (from file figures)."""

    value: float
    kind: str  # "reported" | "computed"
    path: str = ""  # reported: where it sits in the study file, e.g. pain_results.values.control.week22.mean
    sources: Tuple[str, ...] = ()
    formula: str = ""  # computed: "difference" (a − b) or "percent_change" ((a − b) / b × 100)
    inputs: Tuple[Tuple[str, float], ...] = ()  # computed: (path, value) of each file figure used
    decimals: int = 2
    shown_unsigned: bool = False  # the text gives its size and says the direction in words


@dataclass
class Answer:
    text: str
    kind: str  # the query kind that produced it (see queries.QUERY_KINDS), for follow-ups
    buttons: List[Dict[str, str]] = field(default_factory=list)  # [{"title": ..., "payload": ...}]
    image_path: Optional[str] = None  # a chart PNG on disk, when the answer has one
    figures: List[Figure] = field(default_factory=list)
    sources: List[str] = field(default_factory=list)  # source keys named in the text
    slots: Dict[str, Optional[str]] = field(
        default_factory=dict
    )  # outcome/group/timepoint/topic used
    clarify: Optional[str] = None  # the entity kind the answer asks the user to choose, if any
    not_reported: bool = False  # the question asked for a figure the sources do not have


def is_plain(audience: Optional[str]) -> bool:
    """Patients and unknown audiences get plain words; trainees get exact figures."""
    return audience != "trainee"


def format_number(value: float, decimals: Optional[int] = None) -> str:
    if decimals is None:
        decimals = 0 if isinstance(value, int) else 2
    text = f"{abs(value):.{decimals}f}"
    negative = value < 0 and float(text) != 0
    return f"{MINUS}{text}" if negative else text


def capitalise(text: str) -> str:
    """The first letter in capitals and the rest untouched (a name such as "EEG" keeps its case)."""
    return text[:1].upper() + text[1:]


def round_half_up(value: float) -> int:
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


def plain_decimals(*means: float) -> int:
    """Whole numbers for plain answers, unless two different means would both read "about 2"
    next to a stated gap between them: then one decimal (issue 15)."""
    rounded = [round_half_up(mean) for mean in means]
    return 1 if len(set(rounded)) < len(rounded) and len(set(means)) > 1 else 0


def join_words(items: Sequence[str], conjunction: str = "and", separator: str = ", ") -> str:
    """ "a, b and c"; with separator "; " (for items that contain commas): "a; b; and c"."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    last = f"{separator.strip()} {conjunction} " if separator.strip() != "," else f" {conjunction} "
    return f"{separator.join(items[:-1])}{last}{items[-1]}"


def source_phrase(study: Study, keys: Sequence[str]) -> str:
    labels = study.source_labels(list(dict.fromkeys(keys)))
    noun = "source" if len(labels) == 1 else "sources"
    return f"({noun}: {join_words(labels)})"


def button_payload(entity: str, value: str) -> str:
    return f"/{FOLLOW_UP_INTENT}{json.dumps({entity: value})}"


class AnswerBuilder:
    """Collects an answer's lines, the figures quoted in them and the sources named."""

    def __init__(self, study: Study, kind: str, audience: Optional[str]):
        self.study = study
        self.kind = kind
        self.plain = is_plain(audience)
        self.lines: List[str] = []
        self.figures: List[Figure] = []
        self.source_keys: List[str] = []
        self.buttons: List[Dict[str, str]] = []
        self.not_reported = False  # set when part of the question asked for what the sources lack

    def exact(
        self, value: float, path: str, sources: Sequence[str] = (), signed: bool = True
    ) -> str:
        """A figure exactly as the file has it (signed=False: its size, direction said in words)."""
        self.figures.append(
            Figure(value, "reported", path, tuple(sources), shown_unsigned=not signed)
        )
        return format_number(value if signed else abs(value))

    def about(self, value: float, path: str, sources: Sequence[str] = (), decimals: int = 0) -> str:
        """A file figure rounded for plain answers: "about 5" (or "about 1.7" with decimals=1)."""
        self.figures.append(Figure(value, "reported", path, tuple(sources)))
        if decimals:
            return f"about {format_number(abs(round(value, decimals)), decimals)}"
        return f"about {format_number(abs(round_half_up(value)), 0)}"

    def exact_or_about(self, value: float, path: str, sources: Sequence[str] = ()) -> str:
        return self.about(value, path, sources) if self.plain else self.exact(value, path, sources)

    def computed(
        self,
        value: float,
        formula: str,
        inputs: Sequence[Tuple[str, float]],
        decimals: int = 2,
        signed: bool = True,
    ) -> str:
        """A figure worked out from file figures; the caller must label its line as computed."""
        self.figures.append(
            Figure(
                value,
                "computed",
                formula=formula,
                inputs=tuple(inputs),
                decimals=decimals,
                shown_unsigned=not signed,
            )
        )
        return format_number(value if signed else abs(value), decimals)

    def cite(self, keys: Sequence[str]) -> str:
        for key in keys:
            if key not in self.source_keys:
                self.source_keys.append(key)
        return source_phrase(self.study, keys)

    def line(self, text: str) -> None:
        self.lines.append(text)

    def button(self, title: str, entity: str, value: str) -> None:
        self.buttons.append({"title": title, "payload": button_payload(entity, value)})

    def build(self, slots: Optional[Dict[str, Optional[str]]] = None, **extra) -> Answer:
        extra["not_reported"] = bool(extra.get("not_reported")) or self.not_reported
        return Answer(
            text="\n".join(self.lines),
            kind=self.kind,
            buttons=self.buttons,
            figures=self.figures,
            sources=self.source_keys,
            slots=dict(slots or {}),
            **extra,
        )


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def combine_answers(answers: Sequence[Answer]) -> Answer:
    """One answer to a question about two outcomes ("did catastrophizing or kinesiophobia
    differ?"): each answer in turn, with a sentence already said not said again."""
    seen: set = set()
    lines: List[str] = []
    for answer in answers:
        for line in answer.text.split("\n"):
            kept = [s for s in _SENTENCE_BREAK.split(line) if s.strip() and s.strip() not in seen]
            seen.update(s.strip() for s in kept)
            if kept:
                lines.append(" ".join(kept))
    first = answers[0]
    return Answer(
        text="\n".join(lines),
        kind=first.kind,
        buttons=[],  # each answer's buttons offer choices for one outcome: none fits both
        figures=[figure for answer in answers for figure in answer.figures],
        sources=list(dict.fromkeys(key for answer in answers for key in answer.sources)),
        slots=dict(answers[-1].slots),
        not_reported=any(answer.not_reported for answer in answers),
    )
