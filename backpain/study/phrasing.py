"""Phrasing shared by the results answers (figure, change, comparison, effect size).

How a group, timepoint, outcome and scale are named for each audience (plain words for
patients, exact labels and ids for trainees), a group mean with its SD, and the source keys of
the pain table's cells. Every figure goes through the AnswerBuilder, so it is traced to the file.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from backpain.study.answer import EN_DASH, AnswerBuilder
from backpain.study.model import Study
from backpain.study.schema import Group, Outcome, Timepoint
from backpain.study.slots import Slots, label_for


def when(b: AnswerBuilder, timepoint: Timepoint) -> str:
    return timepoint.plain_label if b.plain else f"at {timepoint.label}"


def group_name(b: AnswerBuilder, group: Group) -> str:
    return group.plain_label if b.plain else f"the {group.label} ({group.id}) group"


def outcome_name(b: AnswerBuilder, outcome: Outcome) -> str:
    return outcome.plain_label if b.plain else outcome.label


def assumption_line(b: AnswerBuilder, slots: Slots) -> None:
    for note in slots.notes:
        b.line(note)
    if slots.notes:  # a time the trial did not measure: offer the ones it did
        b.not_reported = True
        for timepoint_id, timepoint in b.study.timepoints.items():
            b.button(label_for(b, "timepoint", timepoint), "timepoint", timepoint_id)
    if slots.assumed_outcome:
        outcome = b.study.outcomes[slots.outcome]
        b.line(
            f"You didn't say which measure, so I'll assume {outcome_name(b, outcome)}, the trial's primary outcome."
        )


def scale_phrase(b: AnswerBuilder, outcome: Outcome) -> str:
    """ "out of 10" (plain) or "on the 0–10 scale" (exact), numbers read from the file."""
    scale = outcome.scale
    if scale is None:
        return ""
    high = b.exact(scale.max, f"{scale.path}.max", scale.sources)
    if b.plain:
        return f"out of {high}"
    low = b.exact(scale.min, f"{scale.path}.min", scale.sources)
    return f"on the {low}{EN_DASH}{high} scale"


def scale_line(b: AnswerBuilder, outcome: Outcome) -> None:
    """What the ends of the scale mean, with the source of the scale."""
    scale = outcome.scale
    if scale is None:
        return
    low = b.exact(scale.min, f"{scale.path}.min", scale.sources)
    high = b.exact(scale.max, f"{scale.path}.max", scale.sources)
    instrument = f", {outcome.instrument.text}" if outcome.instrument and not b.plain else ""
    sources = list(scale.sources) + (
        list(outcome.instrument.sources) if instrument and outcome.instrument else []
    )
    b.line(
        f"Scale: {low} = {scale.min_meaning}, {high} = {scale.max_meaning}{instrument} {b.cite(sources)}."
    )


def mean_text(
    b: AnswerBuilder, study: Study, group_id: str, timepoint_id: str, decimals: int = 0
) -> str:
    cell = study.pain_results[group_id][timepoint_id]
    if b.plain:
        return b.about(cell.mean, f"{cell.path}.mean", cell.sources, decimals)
    mean = b.exact(cell.mean, f"{cell.path}.mean", cell.sources)
    sd = b.exact(cell.sd, f"{cell.path}.sd", cell.sources)
    return f"{mean} (SD {sd})"


def cell_sources(study: Study, group_ids: Sequence[str], timepoint_ids: Sequence[str]) -> List[str]:
    keys: List[str] = []
    for g in group_ids:
        for t in timepoint_ids:
            keys.extend(k for k in study.pain_results[g][t].sources if k not in keys)
    return keys


def experimental_and_control(study: Study) -> Tuple[Group, Group]:
    """The trial's two arms, in the order the between-group difference is taken (first − second)."""
    groups = list(study.groups.values())
    return groups[0], groups[1]
