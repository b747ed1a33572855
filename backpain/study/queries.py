"""Answers to questions about the trial's results, built only from the study file.

Plain Python, no Rasa: each query takes entity values (canonical ids, ambiguous ids such as
`followup`, or raw names, any of them possibly None) and an audience, and returns an `Answer`.

Query kinds (QUERY_KINDS):
  figure       outcome × group × timepoint; missing parts give both groups / all timepoints
  comparison   between the groups at a timepoint: the reported difference with its CI where a
               source reports one, otherwise a difference computed (and labelled) from the means
  change       within one group from baseline, computed and labelled, with the % change
  effect_size  the reported effect size and what it means
  design       a design topic (see study_design_answers.DESIGN_TOPICS)
  chart        the pain-over-time chart plus a text alternative
`answer_query()` dispatches by kind; `answer_follow_up()` merges a follow-up's new entities into
the previous query's slots ("and the experimental group?").

Answers never guess: an outcome without group means, or a time the trial did not measure, gets
"that figure is not reported in the sources I have" with what is available instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from backpain.durations import weeks_of
from backpain.study.answer import (
    EN_DASH,
    Answer,
    AnswerBuilder,
    capitalise,
    join_words,
    plain_decimals,
)
from backpain.study.design_answers import DESIGN_TOPICS, answer_design
from backpain.study.loading import get_study
from backpain.study.model import Study
from backpain.study.schema import Group, Outcome, Timepoint

QUERY_KINDS = ("figure", "comparison", "change", "effect_size", "design", "chart")
# Words that ask for the gap between the groups, whatever the intent classifier made of the
# question ("what was the mean difference in pain at 10 weeks?" read as a plain figure question).
_DIFFERENCE_CUES = re.compile(
    r"\b(?:mean difference|between[- ]group|difference between|differences? in|md\b|compared? (?:to|with)"
    r"|versus|vs\.?|which group did better|gap between)\b",
    re.IGNORECASE,
)


def kind_for_question(kind: str, text: str) -> str:
    """A figure question that asks for the difference between the groups is a comparison."""
    return "comparison" if kind == "figure" and _DIFFERENCE_CUES.search(text or "") else kind


NOT_REPORTED = "That figure is not reported in the sources I have."

__all__ = [
    "Answer",
    "DESIGN_TOPICS",
    "QUERY_KINDS",
    "answer_change",
    "answer_chart",
    "answer_comparison",
    "answer_design",
    "answer_effect_size",
    "answer_figure",
    "answer_follow_up",
    "answer_query",
]


# ---------------------------------------------------------------------------------------------
# Entity values -> ids, or an early answer (ask which / not reported)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Slots:
    outcome: str
    group: Optional[str]
    timepoint: Optional[str]
    assumed_outcome: bool = False
    notes: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Optional[str]]:
        return {"outcome": self.outcome, "group": self.group, "timepoint": self.timepoint}


def _resolve_slots(
    study: Study,
    kind: str,
    audience: Optional[str],
    outcome: Optional[str],
    group: Optional[str],
    timepoint: Optional[str],
) -> Union[_Slots, Answer]:
    """Resolve the three entities, or return the answer that asks/explains instead."""
    given = {"outcome": outcome, "group": group, "timepoint": timepoint}
    resolved: Dict[str, Optional[str]] = {}
    unmeasured: Optional[Timepoint] = None
    for entity, value in given.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            resolved[entity] = None
            continue
        ids = study.resolve(entity, value if isinstance(value, str) else None)
        if entity == "timepoint" and (not ids or len(ids) > 1):
            nearest = _nearest_timepoint(study, value)
            if nearest is not None:  # "at 52 weeks": say so, then answer for the nearest time
                unmeasured = nearest
                ids = [nearest.id]
        if len(ids) > 1:
            return _ask_which(
                study, kind, audience, entity, ids, {**given, **resolved, entity: None}
            )
        if not ids:
            return _unknown_entity(
                study, kind, audience, entity, {**given, **resolved, entity: None}
            )
        resolved[entity] = ids[0]
    slots = _Slots(
        outcome=resolved["outcome"] or _primary_outcome(study).id,
        group=resolved["group"],
        timepoint=resolved["timepoint"],
    )
    if unmeasured is not None:
        slots.notes.append(_unmeasured_note(study, audience, unmeasured))
    if resolved["outcome"] is None:
        slots.assumed_outcome = True
    if not study.outcomes[slots.outcome].group_means_reported:
        return _not_reported_outcome(study, kind, audience, slots)
    return slots


def _nearest_timepoint(study: Study, words: object) -> Optional[Timepoint]:
    """The measured time closest to a time the trial did not measure ("52 weeks"), or None."""
    weeks = weeks_of(words) if isinstance(words, str) else None
    if weeks is None:
        return None
    return min(study.timepoints.values(), key=lambda t: (abs(t.week - weeks), -t.week))


def _unmeasured_note(study: Study, audience: Optional[str], nearest: Timepoint) -> str:
    last = max(study.timepoints.values(), key=lambda t: t.week)
    b = AnswerBuilder(study, "note", audience)
    when = nearest.plain_label if b.plain else f"at {nearest.label}"
    if nearest.id == last.id:
        return (
            f"The trial did not measure at that time: its follow-up ended {last.plain_label} "
            f"{b.cite(last.sources)}, so here is that last measurement:"
        )
    return f"The trial did not measure at that time. The nearest measurement is {when}:"


def _primary_outcome(study: Study) -> Outcome:
    return next(o for o in study.outcomes.values() if o.role == "primary")


def _clean_slots(study: Study, values: Mapping[str, Optional[str]]) -> Dict[str, Optional[str]]:
    """Keep only values that resolve to exactly one id (what the slots should remember)."""
    clean: Dict[str, Optional[str]] = {}
    for entity in ("outcome", "group", "timepoint"):
        ids = study.resolve(entity, values.get(entity)) if values.get(entity) else []
        clean[entity] = ids[0] if len(ids) == 1 else None
    return clean


def _ask_which(
    study: Study,
    kind: str,
    audience: Optional[str],
    entity: str,
    ids: Sequence[str],
    others: Mapping,
) -> Answer:
    b = AnswerBuilder(study, kind, audience)
    items = study.items(entity)
    titles = [_label_for(b, entity, items[i]) for i in ids]
    if entity == "timepoint":
        b.line(f"The trial had more than one follow-up. Do you mean {join_words(titles, 'or')}?")
    else:
        b.line(f"That could mean {join_words(titles, 'or')}. Which one do you mean?")
    for item_id, title in zip(ids, titles):
        b.button(title, entity, item_id)
    return b.build(_clean_slots(study, others), clarify=entity)


def _label_for(b: AnswerBuilder, entity: str, item) -> str:
    if entity == "timepoint":
        return item.plain_label if b.plain else item.label
    if entity == "group":
        return item.plain_label if b.plain else f"{item.label} ({item.id})"
    return item.plain_label if b.plain else item.label


def _unknown_entity(
    study: Study, kind: str, audience: Optional[str], entity: str, others: Mapping
) -> Answer:
    """A name we do not know: say what the trial has, never guess. (User text is not echoed.)"""
    b = AnswerBuilder(study, kind, audience)
    items = study.items(entity)
    labels = [_label_for(b, entity, item) for item in items.values()]
    if entity == "timepoint":
        sources = next(iter(study.timepoints.values())).sources
        b.line(
            f"{NOT_REPORTED} The trial measured at these times only: {join_words(labels, separator='; ')} {b.cite(sources)}."
        )
    elif entity == "group":
        b.line(
            f"The trial had these groups: {join_words(labels)} {b.cite(study.design.arms.sources)}. Which one do you mean?"
        )
    else:
        b.line(
            f"{NOT_REPORTED} The outcomes the trial measured were: {join_words(labels)} "
            f"{b.cite(_primary_outcome(study).role_sources)}."
        )
    for item_id, label in zip(items, labels):
        b.button(label, entity, item_id)
    return b.build(_clean_slots(study, others), clarify=entity, not_reported=entity != "group")


def _not_reported_outcome(
    study: Study, kind: str, audience: Optional[str], slots: _Slots
) -> Answer:
    b = AnswerBuilder(study, kind, audience)
    outcome = study.outcomes[slots.outcome]
    primary = _primary_outcome(study)
    name = outcome.plain_label if b.plain else outcome.label
    b.line(
        f"{NOT_REPORTED} They give no group averages for {name}, so I can't give you a number for it."
    )
    if outcome.findings:
        for finding in outcome.findings:
            b.line(
                f"What they do say about {outcome.label}: {finding.text} {b.cite(finding.sources)}."
            )
    else:
        b.line(
            f"{outcome.label[0].upper() + outcome.label[1:]} was measured as a secondary outcome "
            f"{b.cite(outcome.role_sources)}, but the sources I have don't describe its results."
        )
    b.line(
        f"What I can give you: {primary.plain_label if b.plain else primary.label}, the main outcome, "
        "for both groups at every time it was measured."
    )
    b.button(f"Show {primary.plain_label}", "outcome", primary.id)
    return b.build(slots.as_dict(), not_reported=True)


# ---------------------------------------------------------------------------------------------
# Shared phrasing
# ---------------------------------------------------------------------------------------------


def _when(b: AnswerBuilder, timepoint: Timepoint) -> str:
    return timepoint.plain_label if b.plain else f"at {timepoint.label}"


def _group_name(b: AnswerBuilder, group: Group) -> str:
    return group.plain_label if b.plain else f"the {group.label} ({group.id}) group"


def _outcome_name(b: AnswerBuilder, outcome: Outcome) -> str:
    return outcome.plain_label if b.plain else outcome.label


def _assumption_line(b: AnswerBuilder, slots: _Slots) -> None:
    for note in slots.notes:
        b.line(note)
    if slots.notes:  # a time the trial did not measure: offer the ones it did
        b.not_reported = True
        for timepoint_id, timepoint in b.study.timepoints.items():
            b.button(_label_for(b, "timepoint", timepoint), "timepoint", timepoint_id)
    if slots.assumed_outcome:
        outcome = b.study.outcomes[slots.outcome]
        b.line(
            f"You didn't say which measure, so I'll assume {_outcome_name(b, outcome)}, the trial's primary outcome."
        )


def _scale_phrase(b: AnswerBuilder, outcome: Outcome) -> str:
    """ "out of 10" (plain) or "on the 0–10 scale" (exact), numbers read from the file."""
    scale = outcome.scale
    if scale is None:
        return ""
    high = b.exact(scale.max, f"{scale.path}.max", scale.sources)
    if b.plain:
        return f"out of {high}"
    low = b.exact(scale.min, f"{scale.path}.min", scale.sources)
    return f"on the {low}{EN_DASH}{high} scale"


def _scale_line(b: AnswerBuilder, outcome: Outcome) -> None:
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


def _mean(
    b: AnswerBuilder, study: Study, group_id: str, timepoint_id: str, decimals: int = 0
) -> str:
    cell = study.pain_results[group_id][timepoint_id]
    if b.plain:
        return b.about(cell.mean, f"{cell.path}.mean", cell.sources, decimals)
    mean = b.exact(cell.mean, f"{cell.path}.mean", cell.sources)
    sd = b.exact(cell.sd, f"{cell.path}.sd", cell.sources)
    return f"{mean} (SD {sd})"


def _cell_sources(
    study: Study, group_ids: Sequence[str], timepoint_ids: Sequence[str]
) -> List[str]:
    keys: List[str] = []
    for g in group_ids:
        for t in timepoint_ids:
            keys.extend(k for k in study.pain_results[g][t].sources if k not in keys)
    return keys


# ---------------------------------------------------------------------------------------------
# figure
# ---------------------------------------------------------------------------------------------


def answer_figure(
    outcome: Optional[str] = None,
    group: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """An outcome's mean (and SD for trainees) for a group at a timepoint; a table when parts are missing."""
    study = study or get_study()
    slots = _resolve_slots(study, "figure", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "figure", audience)
    _assumption_line(b, slots)
    out = study.outcomes[slots.outcome]
    group_ids = [slots.group] if slots.group else list(study.groups)
    timepoint_ids = [slots.timepoint] if slots.timepoint else list(study.timepoints)
    cite = b.cite(_cell_sources(study, group_ids, timepoint_ids))

    if slots.group and slots.timepoint:
        g, t = study.groups[slots.group], study.timepoints[slots.timepoint]
        value = _mean(b, study, g.id, t.id)
        if b.plain:
            b.line(
                f"{capitalise(_when(b, t))}, people in {_group_name(b, g)} rated their {out.plain_label} "
                f"at {value} {_scale_phrase(b, out)} on average {cite}."
            )
        else:
            b.line(
                f"{capitalise(out.label)} in {_group_name(b, g)} {_when(b, t)}: mean {value} {_scale_phrase(b, out)} {cite}."
            )
    else:
        heading = (
            f"Average {out.plain_label} {_scale_phrase(b, out)}"
            if b.plain
            else f"{capitalise(out.label)}, mean (SD) {_scale_phrase(b, out)}"
        )
        if len(group_ids) == 1:
            heading += f", {_group_name(b, study.groups[group_ids[0]])}"
        b.line(f"{heading} {cite}:")
        for t in timepoint_ids:
            decimals = plain_decimals(*(study.pain_results[g][t].mean for g in group_ids))
            cells = [
                (
                    f"{_mean(b, study, g, t, decimals)} in the {study.groups[g].short_label} group"
                    if b.plain
                    else f"{study.groups[g].id} {_mean(b, study, g, t)}"
                )
                for g in group_ids
            ]
            b.line(
                f"• {_when(b, study.timepoints[t]) if b.plain else study.timepoints[t].label}: {'; '.join(cells)}"
            )
        if not b.plain and len(group_ids) > 1:
            b.line(
                join_words([f"{g.id} = {g.label}" for g in study.groups.values()], ";").replace(
                    " ;", ";"
                )
                + "."
            )
    _scale_line(b, out)
    return b.build(slots.as_dict())


# ---------------------------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------------------------


def answer_comparison(
    outcome: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
    group: Optional[str] = None,
) -> Answer:
    """The groups compared at a timepoint (all later timepoints when none is given)."""
    study = study or get_study()
    slots = _resolve_slots(study, "comparison", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "comparison", audience)
    _assumption_line(b, slots)
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
    experimental, control = _experimental_and_control(study)
    decimals = plain_decimals(
        *(study.pain_results[g.id][t.id].mean for g in (experimental, control))
    )
    e_mean, c_mean = (
        _mean(b, study, experimental.id, t.id, decimals),
        _mean(b, study, control.id, t.id, decimals),
    )
    cite_means = b.cite(_cell_sources(study, [experimental.id, control.id], [t.id]))
    prefix = "• " if compact else ""
    if b.plain:
        b.line(
            f"{prefix}{capitalise(_when(b, t))}, average {out.plain_label} was {e_mean} {_scale_phrase(b, out)} in "
            f"{experimental.plain_label} and {c_mean} in {control.plain_label} {cite_means}."
        )
    else:
        b.line(
            f"{prefix}{capitalise(out.label)} {_when(b, t)}: {experimental.id} {e_mean}, {control.id} {c_mean} "
            f"{_scale_phrase(b, out)} {cite_means}."
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


def _experimental_and_control(study: Study) -> Tuple[Group, Group]:
    """The trial's two arms, in the order the between-group difference is taken (first − second)."""
    groups = list(study.groups.values())
    return groups[0], groups[1]


# ---------------------------------------------------------------------------------------------
# change from baseline
# ---------------------------------------------------------------------------------------------


def answer_change(
    outcome: Optional[str] = None,
    group: Optional[str] = None,
    timepoint: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """Change within a group from baseline (computed, labelled), in points and per cent."""
    study = study or get_study()
    slots = _resolve_slots(study, "change", audience, outcome, group, timepoint)
    if isinstance(slots, Answer):
        return slots
    b = AnswerBuilder(study, "change", audience)
    _assumption_line(b, slots)
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
        f"The averages are reported {b.cite(_cell_sources(study, group_ids, [baseline_id, *timepoint_ids]))}; the changes are my own calculation from them."
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
        scale = _scale_phrase(b, out)
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


# ---------------------------------------------------------------------------------------------
# effect size
# ---------------------------------------------------------------------------------------------


def answer_effect_size(
    audience: Optional[str] = None, study: Optional[Study] = None, **_ignored
) -> Answer:
    """The reported effect size, its CI and what it means."""
    study = study or get_study()
    b = AnswerBuilder(study, "effect_size", audience)
    _effect_size_lines(b)
    effect = study.effect_size
    experimental, control = _experimental_and_control(study)
    t = study.timepoints[effect.timepoint]
    decimals = plain_decimals(
        *(study.pain_results[g.id][t.id].mean for g in (experimental, control))
    )
    e_mean, c_mean = (
        _mean(b, study, experimental.id, t.id, decimals),
        _mean(b, study, control.id, t.id, decimals),
    )
    out = study.outcomes[effect.outcome]
    b.line(
        f"For comparison, the average {out.plain_label if b.plain else out.label} {_when(b, t)} was {e_mean} in "
        f"{experimental.plain_label} and {c_mean} in {control.plain_label} "
        f"{b.cite(_cell_sources(study, [experimental.id, control.id], [t.id]))}."
    )
    return b.build({"outcome": effect.outcome, "group": None, "timepoint": effect.timepoint})


def _effect_size_lines(b: AnswerBuilder, with_direction: bool = True) -> None:
    study = b.study
    effect = study.effect_size
    t = study.timepoints[effect.timepoint]
    experimental, _control = _experimental_and_control(study)
    value = b.exact(effect.value.value, effect.value.path, effect.value.sources)
    magnitude = effect.magnitude
    if b.plain:
        b.line(
            f"The effect size compares the gap between the groups with how much people's scores varied. "
            f"{capitalise(_when(b, t))}, it was {magnitude.text} ({effect.measure} {value}), in favour of "
            f"{experimental.plain_label} {b.cite(list(effect.value.sources) + list(magnitude.sources))}."
        )
        return
    ci = effect.ci
    low = b.exact(ci.low, f"{ci.path}.low", ci.sources)
    high = b.exact(ci.high, f"{ci.path}.high", ci.sources)
    level = b.exact(ci.level, ci.field_path("level"))
    b.line(
        f"Effect size {_when(b, t)}: {effect.measure} = {value} {b.cite(effect.value.sources)}; {level}% CI {low} to {high} {b.cite(ci.sources)}."
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


# ---------------------------------------------------------------------------------------------
# chart
# ---------------------------------------------------------------------------------------------


def answer_chart(
    audience: Optional[str] = None, study: Optional[Study] = None, output_path=None, **_ignored
) -> Answer:
    """The pain-over-time chart (PNG on disk) with a text alternative stating the same figures:
    exact with SDs for a trainee, rounded averages for a patient (issue 16)."""
    from backpain.study.chart import (  # matplotlib only when needed
        describe_pain_chart,
        render_pain_chart,
    )

    study = study or get_study()
    chart = render_pain_chart(study, output_path)
    b = AnswerBuilder(study, "chart", audience)
    describe_pain_chart(b)
    return b.build(
        {"outcome": study.results_outcome, "group": None, "timepoint": None},
        image_path=str(chart.path),
    )


# ---------------------------------------------------------------------------------------------
# dispatch and follow-ups
# ---------------------------------------------------------------------------------------------


def answer_query(
    kind: str,
    outcome: Optional[str] = None,
    group: Optional[str] = None,
    timepoint: Optional[str] = None,
    topic: Optional[str] = None,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """Answer any query kind (QUERY_KINDS) from entity values; unknown kinds raise ValueError."""
    study = study or get_study()
    if kind == "figure":
        return answer_figure(outcome, group, timepoint, audience, study)
    if kind == "comparison":
        return answer_comparison(outcome, timepoint, audience, study, group=group)
    if kind == "change":
        return answer_change(outcome, group, timepoint, audience, study)
    if kind == "effect_size":
        return answer_effect_size(audience, study)
    if kind == "design":
        return answer_design(topic or "design", audience, study, group=group)
    if kind == "chart":
        return answer_chart(audience, study)
    raise ValueError(f"unknown query kind {kind!r}; expected one of {', '.join(QUERY_KINDS)}")


def answer_follow_up(
    previous_kind: Optional[str],
    previous_slots: Mapping[str, Optional[str]],
    new_entities: Mapping[str, Optional[str]],
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """Answer "and the experimental group?" / "what about at 10 weeks?" using the previous query.

    New entity values replace the previous ones; the rest are kept. A follow-up naming a group,
    timepoint or outcome after a kind that takes none of those (effect size, chart, most design
    topics) becomes a figure query.
    """
    study = study or get_study()
    new = {k: v for k, v in new_entities.items() if v not in (None, "")}
    merged = {**{k: v for k, v in previous_slots.items() if v not in (None, "")}, **new}
    kind = previous_kind if previous_kind in QUERY_KINDS else "figure"
    results_entities = {"outcome", "group", "timepoint"} & set(new)
    if kind in ("effect_size", "chart") and results_entities:
        kind = "figure"
    if (
        kind == "design"
        and results_entities
        and not (merged.get("topic") == "treatments" and set(new) <= {"group"})
    ):
        kind = "figure"
    return answer_query(
        kind,
        outcome=merged.get("outcome"),
        group=merged.get("group"),
        timepoint=merged.get("timepoint"),
        topic=merged.get("topic"),
        audience=audience,
        study=study,
    )
