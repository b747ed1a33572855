"""Comparison and effect-size queries: how the two groups differed.

`answer_comparison()` compares the groups at a timepoint (every later timepoint when none is
given): the difference a source reports, with its confidence interval, or else a difference
computed here from the means and labelled as computed. `answer_effect_size()` gives the reported
effect size, its interval and what it means.
"""

from __future__ import annotations

from typing import Optional

from backpain.study.answer import Answer, AnswerBuilder, capitalise, plain_decimals
from backpain.study.loading import get_study
from backpain.study.model import Study
from backpain.study.phrasing import (
    assumption_line,
    cell_sources,
    experimental_and_control,
    mean_text,
    scale_phrase,
    when,
)
from backpain.study.schema import Outcome, Timepoint
from backpain.study.slots import resolve_slots


def answer_comparison(
    outcome: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
    group: Optional[str] = None,
) -> Answer:
    """The groups compared at a timepoint (all later timepoints when none is given)."""
    study = study or get_study()
    slots = resolve_slots(study, "comparison", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "comparison", audience)
    assumption_line(b, slots)
    out = study.outcomes[slots.outcome]
    timepoint_ids = [slots.timepoint] if slots.timepoint else list(study.timepoints)[1:]
    for timepoint_id in timepoint_ids:
        _compare_at(b, out, study.timepoints[timepoint_id], compact=len(timepoint_ids) > 1)
    if not b.plain:
        direction = study.between_group.direction
        b.line(f"Direction: {direction.text} {b.cite(direction.sources)}.")
    return b.build(slots.as_dict())


def _compare_at(b: AnswerBuilder, out: Outcome, t: Timepoint, compact: bool) -> None:
    study = b.study
    experimental, control = experimental_and_control(study)
    decimals = plain_decimals(
        *(study.pain_results[g.id][t.id].mean for g in (experimental, control))
    )
    e_mean, c_mean = (
        mean_text(b, study, experimental.id, t.id, decimals),
        mean_text(b, study, control.id, t.id, decimals),
    )
    cite_means = b.cite(cell_sources(study, [experimental.id, control.id], [t.id]))
    prefix = "• " if compact else ""
    if b.plain:
        b.line(
            f"{prefix}{capitalise(when(b, t))}, average {out.plain_label} was {e_mean} {scale_phrase(b, out)} in "
            f"{experimental.plain_label} and {c_mean} in {control.plain_label} {cite_means}."
        )
    else:
        b.line(
            f"{prefix}{capitalise(out.label)} {when(b, t)}: {experimental.id} {e_mean}, {control.id} {c_mean} "
            f"{scale_phrase(b, out)} {cite_means}."
        )
    result = study.between_group.results.get(t.id)
    reported = result.difference if result else None
    if reported:
        between = study.between_group
        if b.plain:
            size = b.exact(reported.value, f"{reported.path}.value", reported.sources, signed=False)
            favour = experimental.plain_label if reported.value < 0 else control.plain_label
            b.line(
                f"{prefix}The reported difference between the groups: {size} points less pain on average "
                f"in {favour} {b.cite(reported.sources)}."
            )
        else:
            value = b.exact(reported.value, f"{reported.path}.value", reported.sources)
            low = b.exact(reported.ci_low, f"{reported.path}.ci_low", reported.sources)
            high = b.exact(reported.ci_high, f"{reported.path}.ci_high", reported.sources)
            pct = b.exact(between.confidence_level, between.field_path("confidence_level"))
            b.line(
                f"{prefix}Reported mean difference ({experimental.id} − {control.id}): {value} "
                f"({pct}% CI {low} to {high}) {b.cite(reported.sources)}."
            )
    elif study.allows("between_group_difference"):
        e_cell, c_cell = (
            study.pain_results[experimental.id][t.id],
            study.pain_results[control.id][t.id],
        )
        diff = round(e_cell.mean - c_cell.mean, 2)
        inputs = [(f"{e_cell.path}.mean", e_cell.mean), (f"{c_cell.path}.mean", c_cell.mean)]
        if b.plain:
            gap = b.computed(diff, "difference", inputs, signed=False)
            b.line(
                f"{prefix}The gap between those averages is {gap} points (my own calculation from the reported averages, not a figure the sources give)."
            )
        else:
            value = b.computed(diff, "difference", inputs)
            b.line(
                f"{prefix}Difference ({experimental.id} − {control.id}): {value}, computed here from the reported means; no source reports a difference figure for this timepoint."
            )
    effect = study.effect_size
    effect_follows = effect.timepoint == t.id and effect.outcome == out.id and not compact
    for statement in result.statements if result else ():
        if effect_follows and effect.magnitude.text in statement.text:
            continue  # the effect-size lines below say how large it was (no sentence twice)
        b.line(f"{prefix}Reported: {statement.text} {b.cite(statement.sources)}.")
    if effect_follows:
        _effect_size_lines(b, with_direction=False)  # answer_comparison ends with the direction


def answer_effect_size(
    audience: Optional[str] = None,
    study: Optional[Study] = None,
    outcome: Optional[str] = None,
    timepoint: Optional[str] = None,
) -> Answer:
    """The reported effect size, its CI and what it means.

    The sources report one effect size (one outcome, one timepoint). Asked for another outcome,
    the answer says that outcome's figures are not reported (never the reported one as if it
    were that outcome's); asked for another timepoint, it says so before giving the one there is.
    """
    study = study or get_study()
    effect = study.effect_size
    if outcome:
        slots = resolve_slots(study, "effect_size", audience, outcome, None, timepoint)
        if isinstance(slots, Answer):
            return slots
    b = AnswerBuilder(study, "effect_size", audience)
    t = study.timepoints[effect.timepoint]
    if timepoint and study.resolve("timepoint", timepoint) != [effect.timepoint]:
        b.line(
            f"The sources report an effect size only {when(b, t)}, not at other times "
            f"{b.cite(effect.value.sources)}:"
        )
    _effect_size_lines(b)
    experimental, control = experimental_and_control(study)
    decimals = plain_decimals(
        *(study.pain_results[g.id][t.id].mean for g in (experimental, control))
    )
    e_mean, c_mean = (
        mean_text(b, study, experimental.id, t.id, decimals),
        mean_text(b, study, control.id, t.id, decimals),
    )
    out = study.outcomes[effect.outcome]
    b.line(
        f"For comparison, the average {out.plain_label if b.plain else out.label} {when(b, t)} was {e_mean} in "
        f"{experimental.plain_label} and {c_mean} in {control.plain_label} "
        f"{b.cite(cell_sources(study, [experimental.id, control.id], [t.id]))}."
    )
    return b.build({"outcome": effect.outcome, "group": None, "timepoint": effect.timepoint})


def _effect_size_lines(b: AnswerBuilder, with_direction: bool = True) -> None:
    study = b.study
    effect = study.effect_size
    t = study.timepoints[effect.timepoint]
    experimental, _control = experimental_and_control(study)
    value = b.exact(effect.value.value, effect.value.path, effect.value.sources)
    magnitude = effect.magnitude
    if b.plain:
        b.line(
            f"The effect size compares the gap between the groups with how much people's scores varied. "
            f"{capitalise(when(b, t))}, it was {magnitude.text} ({effect.measure} {value}), in favour of "
            f"{experimental.plain_label} {b.cite(list(effect.value.sources) + list(magnitude.sources))}."
        )
        return
    ci = effect.ci
    low = b.exact(ci.low, f"{ci.path}.low", ci.sources)
    high = b.exact(ci.high, f"{ci.path}.high", ci.sources)
    level = b.exact(ci.level, ci.field_path("level"))
    b.line(
        f"Effect size for {study.outcomes[effect.outcome].label} {when(b, t)}: {effect.measure} = {value} {b.cite(effect.value.sources)}; {level}% CI {low} to {high} {b.cite(ci.sources)}."
    )
    direction = (
        f"; a negative value means lower pain in the {experimental.label} group"
        if with_direction
        else ""
    )
    b.line(
        f"Described as a {magnitude.text} effect {b.cite(magnitude.sources)}. {effect.measure} is the difference between the "
        f"group means in units of their pooled standard deviation{direction}."
    )
