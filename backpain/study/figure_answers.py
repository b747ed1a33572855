"""Figure and change queries: a group's mean pain, and its change from baseline.

`answer_figure()` gives an outcome's mean (with its SD for trainees) for a group at a timepoint,
or a table when the group or timepoint is not given. `answer_change()` gives the change within a
group from baseline to a later timepoint, in points and per cent: computed here from the
reported means, and labelled as computed.
"""

from __future__ import annotations

from typing import Optional

from backpain.study.answer import Answer, AnswerBuilder, capitalise, join_words, plain_decimals
from backpain.study.loading import get_study
from backpain.study.model import Study
from backpain.study.phrasing import (
    assumption_line,
    cell_sources,
    group_name,
    mean_text,
    scale_line,
    scale_phrase,
    when,
)
from backpain.study.schema import Group, Outcome, Timepoint
from backpain.study.slots import NOT_REPORTED, resolve_slots


def answer_figure(
    outcome: Optional[str] = None,
    group: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """An outcome's mean (and SD for trainees) for a group at a timepoint; a table when parts are missing."""
    study = study or get_study()
    slots = resolve_slots(study, "figure", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "figure", audience)
    assumption_line(b, slots)
    out = study.outcomes[slots.outcome]
    group_ids = [slots.group] if slots.group else list(study.groups)
    timepoint_ids = [slots.timepoint] if slots.timepoint else list(study.timepoints)
    cite = b.cite(cell_sources(study, group_ids, timepoint_ids))

    if slots.group and slots.timepoint:
        g, t = study.groups[slots.group], study.timepoints[slots.timepoint]
        value = mean_text(b, study, g.id, t.id)
        if b.plain:
            b.line(
                f"{capitalise(when(b, t))}, people in {group_name(b, g)} rated their {out.plain_label} "
                f"at {value} {scale_phrase(b, out)} on average {cite}."
            )
        else:
            b.line(
                f"{capitalise(out.label)} in {group_name(b, g)} {when(b, t)}: mean {value} {scale_phrase(b, out)} {cite}."
            )
    else:
        heading = (
            f"Average {out.plain_label} {scale_phrase(b, out)}"
            if b.plain
            else f"{capitalise(out.label)}, mean (SD) {scale_phrase(b, out)}"
        )
        if len(group_ids) == 1:
            heading += f", {group_name(b, study.groups[group_ids[0]])}"
        b.line(f"{heading} {cite}:")
        for t in timepoint_ids:
            decimals = plain_decimals(*(study.pain_results[g][t].mean for g in group_ids))
            cells = [
                (
                    f"{mean_text(b, study, g, t, decimals)} in the {study.groups[g].short_label} group"
                    if b.plain
                    else f"{study.groups[g].id} {mean_text(b, study, g, t)}"
                )
                for g in group_ids
            ]
            b.line(
                f"• {when(b, study.timepoints[t]) if b.plain else study.timepoints[t].label}: {'; '.join(cells)}"
            )
        if not b.plain and len(group_ids) > 1:
            b.line(
                join_words([f"{g.id} = {g.label}" for g in study.groups.values()], ";").replace(
                    " ;", ";"
                )
                + "."
            )
    scale_line(b, out)
    return b.build(slots.as_dict())


def answer_change(
    outcome: Optional[str] = None,
    group: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """Change within a group from baseline (computed, labelled), in points and per cent."""
    study = study or get_study()
    slots = resolve_slots(study, "change", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "change", audience)
    assumption_line(b, slots)
    out = study.outcomes[slots.outcome]
    baseline_id = next(iter(study.timepoints))
    later = [t for t in study.timepoints if t != baseline_id]
    if slots.timepoint == baseline_id:
        b.line(
            f"{capitalise(study.timepoints[baseline_id].label)} is the starting point, so here is the change from there to each later time."
        )
    timepoint_ids = (
        [slots.timepoint] if slots.timepoint and slots.timepoint != baseline_id else later
    )
    group_ids = [slots.group] if slots.group else list(study.groups)
    if not study.allows("change_from_baseline"):
        b.line(NOT_REPORTED)
        return b.build(slots.as_dict(), not_reported=True)
    compact = len(timepoint_ids) * len(group_ids) > 1
    for group_id in group_ids:
        for timepoint_id in timepoint_ids:
            _change_line(
                b, out, study.groups[group_id], study.timepoints[timepoint_id], baseline_id, compact
            )
    b.line(
        f"The averages are reported {b.cite(cell_sources(study, group_ids, [baseline_id, *timepoint_ids]))}; the changes are my own calculation from them."
    )
    return b.build(slots.as_dict())


def _change_line(
    b: AnswerBuilder, out: Outcome, g: Group, t: Timepoint, baseline_id: str, compact: bool
) -> None:
    study = b.study
    start, end = study.pain_results[g.id][baseline_id], study.pain_results[g.id][t.id]
    change = round(end.mean - start.mean, 2)
    percent = round((end.mean - start.mean) / start.mean * 100) if start.mean else None
    inputs = [(f"{end.path}.mean", end.mean), (f"{start.path}.mean", start.mean)]
    prefix = "• " if compact else ""
    if b.plain:
        verb = "fell" if change < 0 else "rose" if change > 0 else "stayed"
        start_text = b.about(start.mean, f"{start.path}.mean", start.sources)
        end_text = b.about(end.mean, f"{end.path}.mean", end.sources)
        size = ""
        if percent is not None and change != 0:
            pct = b.computed(percent, "percent_change", inputs, decimals=0, signed=False)
            size = f", {'a drop' if change < 0 else 'a rise'} of {pct}% (my own calculation from the reported averages)"
        baseline = study.timepoints[baseline_id]
        scale = scale_phrase(b, out)
        if change:
            movement = f"{verb} from {start_text} {scale} ({baseline.plain_label}) to {end_text} ({t.plain_label})"
        else:
            movement = f"stayed at {end_text} {scale} ({baseline.plain_label} and {t.plain_label})"
        b.line(f"{prefix}In {g.plain_label}, average {out.plain_label} {movement}{size}.")
    else:
        start_text = b.exact(start.mean, f"{start.path}.mean", start.sources)
        end_text = b.exact(end.mean, f"{end.path}.mean", end.sources)
        change_text = b.computed(change, "difference", inputs)
        pct_text = ""
        if percent is not None:
            pct_text = f" ({b.computed(percent, 'percent_change', inputs, decimals=0)}% of the baseline mean)"
        b.line(
            f"{prefix}{capitalise(g.label)} ({g.id}), baseline to {t.label}: mean {start_text} → {end_text}; "
            f"change {change_text} points{pct_text}, computed from the reported means."
        )
