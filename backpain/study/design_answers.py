"""Answers about how the trial was run (design topics), built only from the study file.

`answer_design(topic, audience, study, group=None)` answers one of DESIGN_TOPICS. Every figure
goes through the AnswerBuilder so it is traced to the file, and every line names its source.
Where two sources describe the same thing differently (eligibility, treatments), both versions
are given, each with its source.
"""

from __future__ import annotations

import datetime as _dt
from typing import Callable, Dict, Optional, Sequence

from backpain.study.answer import (
    EN_DASH,
    Answer,
    AnswerBuilder,
    capitalise,
    join_words,
    source_phrase,
)
from backpain.study.loading import get_study
from backpain.study.model import Study
from backpain.study.schema import Group, Timepoint, UnreportedDetail

# topic id -> what it covers (for the Rasa glue and for help texts)
DESIGN_TOPICS: Dict[str, str] = {
    "participants": "how many people took part, and how many in each group",
    "age": "the age range and each group's mean age",
    "sex": "how many men and women were in each group",
    "inclusion": "who could take part (both the secondary article's and the registry's version)",
    "exclusion": "who was excluded and why (both versions)",
    "sessions": "how many treatment sessions, how often",
    "treatments": "what each group received (optionally one group)",
    "planned_topics": "the psychoeducation topics the protocol planned",
    "setting": "where the trial was done",
    "registration": "how and when the trial was registered",
    "analysis": "how the results were analysed",
    "design": "the type of trial, allocation and blinding",
    "outcomes": "what was measured, with the instrument and scale where known",
    "timepoints": "when it was measured",
    "citation": "the paper's full reference",
    "limitations": "the limitations reviewers pointed out",
    "generalisability": "who the results may not apply to (over-50s, people with anxiety or depression)",
    "secondary_outcomes": "what the secondary outcomes showed",
    "results": "what the trial found, in short: pain over time, the gap between the groups, disability",
}


def answer_design(
    topic: str,
    audience: Optional[str] = None,
    study: Optional[Study] = None,
    group: Optional[str] = None,
) -> Answer:
    """Answer one design topic; an unknown topic lists the topics instead of guessing."""
    study = study or get_study()
    b = AnswerBuilder(study, "design", audience)
    writer = _WRITERS.get(topic)
    if writer is None:
        b.line(
            f"I can tell you about the trial's {join_words(sorted(t.replace('_', ' ') for t in DESIGN_TOPICS))}."
        )
        return b.build({"topic": None}, clarify="topic")
    group_ids = study.resolve("group", group) if group else []
    writer(b, group_ids[0] if len(group_ids) == 1 else None)
    return b.build({"topic": topic, "group": group_ids[0] if len(group_ids) == 1 else None})


def _date(value: _dt.date) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}"


def _participants(b: AnswerBuilder, _group: Optional[str]) -> None:
    study = b.study
    p = study.participants
    total = b.exact(p.randomised.value, p.randomised.path)
    b.line(
        f"{total} people with {study.condition.text} took part {b.cite(p.randomised.sources + study.condition.sources)}."
    )
    per_group = [
        f"{b.exact(counts.n.value, counts.n.path)} in {study.groups[g].plain_label}"
        for g, counts in p.per_group.items()
    ]
    first = next(iter(p.per_group.values())).n
    b.line(f"They were split into {join_words(per_group)} {b.cite(first.sources)}.")
    if first.note and not b.plain:
        b.line(f"Note: the per-group numbers are {first.note}.")
    _age_range_line(b)


def _age_range_line(b: AnswerBuilder) -> None:
    age = b.study.participants.age_range
    low, high = b.exact(age.min, age.field_path("min")), b.exact(age.max, age.field_path("max"))
    b.line(f"Everyone was aged {low}{EN_DASH}{high} {b.cite(age.sources)}.")


def _age(b: AnswerBuilder, _group: Optional[str]) -> None:
    _age_range_line(b)
    lines = []
    sources = []
    for group_id, counts in b.study.participants.per_group.items():
        group = b.study.groups[group_id]
        mean = b.exact_or_about(
            counts.age_mean.value, counts.age_mean.path, counts.age_mean.sources
        )
        if b.plain:
            lines.append(f"{mean} in {group.plain_label}")
        else:
            sd = b.exact(counts.age_sd.value, counts.age_sd.path)
            lines.append(f"{group.id} {mean} (SD {sd})")
        sources.extend(counts.age_mean.sources + counts.age_sd.sources)
    prefix = "The average age was" if b.plain else "Mean age (SD):"
    b.line(f"{prefix} {join_words(lines)} {b.cite(sources)}.")


def _sex(b: AnswerBuilder, _group: Optional[str]) -> None:
    parts, sources = [], []
    for group_id, counts in b.study.participants.per_group.items():
        men, women = (
            b.exact(counts.men.value, counts.men.path),
            b.exact(counts.women.value, counts.women.path),
        )
        parts.append(f"{b.study.groups[group_id].plain_label} had {men} men and {women} women")
        sources.extend(counts.men.sources + counts.women.sources)
    b.line(f"{join_words(parts)[:1].upper()}{join_words(parts)[1:]} {b.cite(sources)}.")


def _criteria(b: AnswerBuilder, versions, what: str) -> None:
    for version in versions:
        b.line(
            f"{what}, {version.version}: {'; '.join(version.criteria)} {b.cite(version.sources)}."
        )


def _inclusion(b: AnswerBuilder, _group: Optional[str]) -> None:
    _criteria(b, b.study.inclusion, "Who could take part")


def _exclusion(b: AnswerBuilder, _group: Optional[str]) -> None:
    _criteria(b, b.study.exclusion, "Who was excluded")


def _sessions(b: AnswerBuilder, _group: Optional[str]) -> None:
    s = b.study.sessions
    per_week, weeks, total = (b.exact(n.value, n.path) for n in (s.per_week, s.weeks, s.total))
    b.line(
        f"{s.applies_to[:1].upper()}{s.applies_to[1:]} had {per_week} sessions a week for {weeks} weeks, "
        f"{total} sessions in all {b.cite(s.per_week.sources + s.weeks.sources + s.total.sources)}."
    )


def _treatments(b: AnswerBuilder, group: Optional[str]) -> None:
    groups = [b.study.groups[group]] if group else list(b.study.groups.values())
    for g in groups:
        b.line(f"{g.plain_label[:1].upper()}{g.plain_label[1:]}:")
        for version in g.treatment:
            b.line(
                f"• {version.version}: {version.summary}: {'; '.join(version.components)} {b.cite(version.sources)}."
            )
    if not b.plain and any(g.id == next(iter(b.study.groups)) for g in groups):
        b.line(
            "The protocol's planned psychoeducation topics are a separate question (they describe plans, not delivery)."
        )


def _planned_topics(b: AnswerBuilder, _group: Optional[str]) -> None:
    planned = b.study.planned_topics
    b.line(
        f"The protocol planned these psychoeducation topics ({planned.note}): "
        f"{'; '.join(planned.topics)} {b.cite(planned.sources)}."
    )


def _setting(b: AnswerBuilder, _group: Optional[str]) -> None:
    b.line(f"The trial was run at {b.study.setting.text} {b.cite(b.study.setting.sources)}.")


def _registration(b: AnswerBuilder, _group: Optional[str]) -> None:
    parts = []
    sources = []
    for registration in b.study.registrations:
        when = (
            f", registered on {_date(registration.registered)}" if registration.registered else ""
        )
        parts.append(f"{registration.id} in {registration.registry}{when}")
        sources.extend(registration.sources)
    b.line(f"The trial was registered as {join_words(parts, separator='; ')} {b.cite(sources)}.")


def _analysis(b: AnswerBuilder, _group: Optional[str]) -> None:
    analysis = b.study.design.analysis
    explain = (
        " — everyone is counted in the group they were assigned to, whether or not they completed the treatment"
        if b.plain
        else ""
    )
    b.line(f"The results were analysed by {analysis.text}{explain} {b.cite(analysis.sources)}.")


def _design(b: AnswerBuilder, _group: Optional[str]) -> None:
    d = b.study.design
    arms = b.exact(d.arms.value, d.arms.path)
    chance = " (people were assigned to a group by chance)" if b.plain else ""
    b.line(
        f"It was a {d.type.text}{chance} with {arms} groups, allocated {d.allocation_ratio.text} "
        f"{b.cite(d.type.sources + d.arms.sources + d.allocation_ratio.sources)}."
    )
    blind = (
        " (several of the people involved did not know who was in which group)" if b.plain else ""
    )
    b.line(f"It was {d.blinding.text}{blind} {b.cite(d.blinding.sources)}.")
    b.line(f"The analysis was {d.analysis.text} {b.cite(d.analysis.sources)}.")


def _outcomes(b: AnswerBuilder, _group: Optional[str]) -> None:
    study = b.study
    for outcome in study.outcomes.values():
        if outcome.role != "primary":
            continue
        detail = ""
        sources = list(outcome.role_sources)
        if outcome.scale:
            low = b.exact(outcome.scale.min, f"{outcome.scale.path}.min")
            high = b.exact(outcome.scale.max, f"{outcome.scale.path}.max")
            instrument = outcome.instrument.text if outcome.instrument else "a scale"
            detail = f", rated on {instrument} from {low} ({outcome.scale.min_meaning}) to {high} ({outcome.scale.max_meaning})"
            sources += list(outcome.scale.sources)
        b.line(f"The main (primary) outcome was {outcome.label}{detail} {b.cite(sources)}.")
    secondary = [o for o in study.outcomes.values() if o.role == "secondary"]
    sources = [k for o in secondary for k in o.role_sources]
    b.line(f"Secondary outcomes: {join_words([o.label for o in secondary])} {b.cite(sources)}.")


def _timepoints(b: AnswerBuilder, _group: Optional[str]) -> None:
    timepoints = list(b.study.timepoints.values())
    labels = [t.plain_label if b.plain else f"at {t.label}" for t in timepoints]
    sources = [k for t in timepoints for k in t.sources]
    b.line(f"Outcomes were measured {join_words(labels, separator='; ')} {b.cite(sources)}.")


def _citation(b: AnswerBuilder, _group: Optional[str]) -> None:
    c = b.study.citation
    year, volume, issue, article = (
        b.exact(getattr(c, name), f"citation.{name}", c.sources)
        for name in ("year", "volume", "issue", "article_number")
    )
    b.line(
        f"{', '.join(c.authors)}. {c.title}. {c.journal} {year};{volume}({issue}):{article}. "
        f"doi:{c.doi}. Published {_date(c.published)} {b.cite(c.sources)}."
    )


def _limitations(b: AnswerBuilder, _group: Optional[str]) -> None:
    b.line("Limitations pointed out:")
    for item in b.study.limitations:
        b.line(f"• {item.text} {b.cite(item.sources)}.")


def _generalisability(b: AnswerBuilder, _group: Optional[str]) -> None:
    b.line("How far the results apply:")
    for item in b.study.generalisability:
        b.line(f"• {item.text} {b.cite(item.sources)}.")


def _secondary_outcomes(b: AnswerBuilder, _group: Optional[str]) -> None:
    study = b.study
    for outcome in study.outcomes.values():
        if outcome.role != "secondary":
            continue
        if outcome.findings:
            for finding in outcome.findings:
                b.line(f"• {outcome.label}: {finding.text} {b.cite(finding.sources)}.")
        else:
            b.line(
                f"• {outcome.label}: measured {b.cite(outcome.role_sources)}, but its results are not described in the sources I have."
            )
    b.line(
        "The sources I have report no group averages for any secondary outcome, so I can't give figures for them."
    )


def _results(b: AnswerBuilder, _group: Optional[str]) -> None:
    """ "Did it work?" in a few lines (issue 15). A patient gets fewer numbers, no SDs and one
    line naming the sources at the end; a trainee gets the exact figures, each line sourced."""
    study = b.study
    experimental, control = (study.groups[g] for g in ("experimental", "control"))
    baseline, end, last = (study.timepoints[t] for t in ("baseline", "week6", "week22"))
    cells = study.pain_results

    def tag(keys: Sequence[str]) -> str:
        phrase = b.cite(keys)  # recorded either way: a patient gets them all in one line at the end
        return "" if b.plain else f" {phrase}"

    def mean(group: Group, timepoint: Timepoint, decimals: int) -> str:
        cell = cells[group.id][timepoint.id]
        if b.plain:
            return b.about(cell.mean, f"{cell.path}.mean", cell.sources, decimals)
        return b.exact(cell.mean, f"{cell.path}.mean", cell.sources)

    start = mean(experimental, baseline, 0)
    e_end, c_end = mean(experimental, end, 1), mean(control, end, 1)
    mean_sources = [
        k
        for g in (experimental, control)
        for t in (baseline, end, last)
        for k in cells[g.id][t.id].sources
    ]
    end_sources = [
        k for statement in study.between_group.results[end.id].statements for k in statement.sources
    ]
    when_end = end.plain_label if b.plain else f"at {end.label}"
    b.line(
        f"Both groups started with pain averaging {start} out of 10. {capitalise(when_end)}, it had dropped in both "
        f"({e_end} with {experimental.short_label} physiotherapy, {c_end} with usual physiotherapy), and the "
        f"groups did not differ significantly{tag(mean_sources + end_sources)}."
    )
    e_last, c_last = mean(experimental, last, 1), mean(control, last, 1)
    when_last = last.plain_label if b.plain else f"at {last.label}"
    b.line(
        f"After treatment, pain stayed low in {experimental.plain_label} but crept back up in "
        f"{control.plain_label}: {when_last} it averaged {e_last} against {c_last}{tag(mean_sources)}."
    )
    reported = study.between_group.results[last.id].difference
    magnitude = study.effect_size.magnitude
    if reported:
        size = b.exact(reported.value, f"{reported.path}.value", reported.sources, signed=False)
        b.line(
            f"The reported difference was {size} points less pain on average with the multidimensional "
            f"approach, a {magnitude.text} effect{tag(list(reported.sources) + list(magnitude.sources))}."
        )
    disability = study.outcomes.get("disability")
    if disability and disability.findings:
        finding = disability.findings[0]
        b.line(f"Disability: {finding.text}{tag(finding.sources)}.")
    b.line(
        "It was one fairly small trial, so it suggests rather than proves that the approach helps."
    )
    if b.plain:
        b.line(f"Figures as reported {source_phrase(study, b.source_keys)}.")


_WRITERS: Dict[str, Callable[[AnswerBuilder, Optional[str]], None]] = {
    "participants": _participants,
    "age": _age,
    "sex": _sex,
    "inclusion": _inclusion,
    "exclusion": _exclusion,
    "sessions": _sessions,
    "treatments": _treatments,
    "planned_topics": _planned_topics,
    "setting": _setting,
    "registration": _registration,
    "analysis": _analysis,
    "design": _design,
    "outcomes": _outcomes,
    "timepoints": _timepoints,
    "citation": _citation,
    "limitations": _limitations,
    "generalisability": _generalisability,
    "secondary_outcomes": _secondary_outcomes,
    "results": _results,
}
assert set(_WRITERS) == set(DESIGN_TOPICS), "every design topic needs a writer"


def answer_unreported(
    detail: Optional[UnreportedDetail],
    audience: Optional[str] = None,
    study: Optional[Study] = None,
) -> Answer:
    """ "Who funded it?": say plainly that none of the sources reports it, and what they do say.
    Without a detail (the question was recognised, not the detail), list what is not reported."""
    study = study or get_study()
    b = AnswerBuilder(study, "design", audience)
    if detail is None:
        b.line(
            f"The sources I have do not report that. Among what they leave out: "
            f"{join_words([d.what for d in study.not_reported], separator='; ')} {b.cite(list(study.sources))}."
        )
        b.line(
            "I can tell you what they do report: who took part, the treatments, the outcomes and the results."
        )
    else:
        b.line(f"The sources I have do not report {detail.what} {b.cite(list(study.sources))}.")
        if detail.note:
            b.line(detail.note)
    return b.build({"topic": "not_reported"}, not_reported=True)
