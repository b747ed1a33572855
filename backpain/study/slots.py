"""Entity values -> the ids a results query answers for, or the answer that asks or explains.

A query's outcome, group and timepoint arrive as canonical ids, ambiguous ids (`followup`) or raw
names, any of them possibly None. `resolve_slots()` turns them into one id each (the primary
outcome when none is named), or returns the answer instead: a question when a name is ambiguous,
what the trial has when a name is unknown, and "not reported" for an outcome without group means.
A time the trial did not measure ("52 weeks") is answered for the nearest one, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Union

from backpain.durations import weeks_of
from backpain.study.answer import Answer, AnswerBuilder, join_words
from backpain.study.model import Study
from backpain.study.schema import Outcome, Timepoint

NOT_REPORTED = "That figure is not reported in the sources I have."


@dataclass
class Slots:
    outcome: str
    group: Optional[str]
    timepoint: Optional[str]
    assumed_outcome: bool = False
    notes: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Optional[str]]:
        return {"outcome": self.outcome, "group": self.group, "timepoint": self.timepoint}


def resolve_slots(
    study: Study,
    kind: str,
    audience: Optional[str],
    outcome: Optional[str],
    group: Optional[str],
    timepoint: Optional[str],
) -> Union[Slots, Answer]:
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
    slots = Slots(
        outcome=resolved["outcome"] or primary_outcome(study).id,
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


def primary_outcome(study: Study) -> Outcome:
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
    titles = [label_for(b, entity, items[i]) for i in ids]
    if entity == "timepoint":
        b.line(f"The trial had more than one follow-up. Do you mean {join_words(titles, 'or')}?")
    else:
        b.line(f"That could mean {join_words(titles, 'or')}. Which one do you mean?")
    for item_id, title in zip(ids, titles):
        b.button(title, entity, item_id)
    return b.build(_clean_slots(study, others), clarify=entity)


def label_for(b: AnswerBuilder, entity: str, item) -> str:
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
    labels = [label_for(b, entity, item) for item in items.values()]
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
            f"{b.cite(primary_outcome(study).role_sources)}."
        )
    for item_id, label in zip(items, labels):
        b.button(label, entity, item_id)
    return b.build(_clean_slots(study, others), clarify=entity, not_reported=entity != "group")


def _not_reported_outcome(study: Study, kind: str, audience: Optional[str], slots: Slots) -> Answer:
    b = AnswerBuilder(study, kind, audience)
    outcome = study.outcomes[slots.outcome]
    primary = primary_outcome(study)
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
