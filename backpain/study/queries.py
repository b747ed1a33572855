"""The entry point for questions about the trial: a query kind and entity values -> an `Answer`.

Plain Python, no Rasa: each query takes entity values (canonical ids, ambiguous ids such as
`followup`, or raw names, any of them possibly None) and an audience, and returns an `Answer`.

Query kinds (QUERY_KINDS), and where each is answered:
  figure       outcome × group × timepoint; missing parts give both groups / all timepoints
               (figure_answers)
  comparison   between the groups at a timepoint: the reported difference with its CI where a
               source reports one, otherwise a difference computed (and labelled) from the means
               (comparison_answers)
  change       within one group from baseline, computed and labelled, with the % change
               (figure_answers)
  effect_size  the reported effect size and what it means (comparison_answers)
  design       a design topic (design_answers.DESIGN_TOPICS)
  chart        the pain-over-time chart plus a text alternative (chart)
`answer_query()` dispatches by kind; `answer_follow_up()` merges a follow-up's new entities into
the previous query's slots ("and the experimental group?").

Answers never guess: an outcome without group means, or a time the trial did not measure, gets
"that figure is not reported in the sources I have" with what is available instead (slots).
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

from backpain.study.answer import Answer
from backpain.study.chart import answer_chart
from backpain.study.comparison_answers import answer_comparison, answer_effect_size
from backpain.study.design_answers import answer_design
from backpain.study.figure_answers import answer_change, answer_figure
from backpain.study.loading import get_study
from backpain.study.model import Study

QUERY_KINDS = ("figure", "comparison", "change", "effect_size", "design", "chart")


# Words that ask for the gap between the groups, whatever the intent classifier made of the
# question ("what was the mean difference in pain at 10 weeks?" read as a plain figure question).
_DIFFERENCE_CUES = re.compile(
    r"\b(?:mean difference|between[- ]group|difference between|differences? in|md\b|compared? (?:to|with)"
    r"|versus|vs\.?|which group did better|gap between)\b",
    re.IGNORECASE,
)


def kind_for_question(kind: str, text: str) -> str:
    """A figure or effect-size question that asks for the difference between the groups ("and
    the MD with its 95% CI?") is a comparison: the effect size is a different figure."""
    asks_difference = _DIFFERENCE_CUES.search(text or "") is not None
    return "comparison" if kind in ("figure", "effect_size") and asks_difference else kind


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
        return answer_effect_size(audience, study, outcome=outcome, timepoint=timepoint)
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
