"""Figure queries answer from the study file: exact figures with their source for trainees,
plain rounded words for patients, honest "not reported" answers, and a question when
"follow-up" is ambiguous; comparisons, changes and effect sizes."""

from __future__ import annotations

import json
import re

import pytest

from backpain.study.answer import FOLLOW_UP_INTENT
from backpain.study.comparison_answers import answer_comparison, answer_effect_size
from backpain.study.figure_answers import answer_change, answer_figure
from backpain.study.queries import answer_query
from backpain.study.slots import NOT_REPORTED
from tests.support.study_answers import STUDY, M, sources_named

# -- figure ------------------------------------------------------------------------------------


def test_figure_for_a_trainee_is_exact_with_sd_scale_and_source():
    answer = answer_figure("pain", "control", "week22", "trainee", STUDY)
    assert "mean 3.86 (SD 2.35)" in answer.text
    assert "usual physiotherapy (control)" in answer.text and "22 weeks" in answer.text
    assert "(source: a secondary article reviewing the trial)" in answer.text
    assert "0–10" in answer.text and "(source: the trial's registry entry)" in answer.text
    assert answer.kind == "figure" and answer.slots == {
        "outcome": "pain",
        "group": "control",
        "timepoint": "week22",
    }
    assert answer.sources == ["S", "R"]


def test_figure_for_a_patient_is_rounded_and_plain():
    answer = answer_figure("pain", "control", "week22", "patient", STUDY)
    assert "about 4 out of 10" in answer.text
    assert "3.86" not in answer.text and "SD" not in answer.text
    assert sources_named(answer.text)


def test_unknown_audience_is_answered_like_a_patient():
    assert (
        answer_figure("pain", "experimental", "week10", None, STUDY).text
        == answer_figure("pain", "experimental", "week10", "patient", STUDY).text
    )


def test_figure_accepts_synonyms_as_well_as_ids():
    by_id = answer_figure("pain", "experimental", "week6", "trainee", STUDY)
    by_name = answer_figure("pain intensity", "CBT group", "post-treatment", "trainee", STUDY)
    assert by_name.text == by_id.text and "1.86 (SD 1.65)" in by_id.text


def test_figure_without_outcome_assumes_pain_and_says_so():
    answer = answer_figure(None, "experimental", "week22", "trainee", STUDY)
    assert "assume pain intensity, the trial's primary outcome" in answer.text
    assert "1.66 (SD 2.00)" in answer.text


def test_figure_without_group_gives_both_groups():
    answer = answer_figure("pain", None, "week10", "trainee", STUDY)
    assert "experimental 1.74 (SD 1.74)" in answer.text and "control 3.29 (SD 2.01)" in answer.text


def test_figure_without_timepoint_gives_every_timepoint():
    answer = answer_figure("pain", "control", None, "trainee", STUDY)
    for mean, sd in [("5.03", "0.95"), ("2.43", "1.85"), ("3.29", "2.01"), ("3.86", "2.35")]:
        assert f"control {mean} (SD {sd})" in answer.text
    assert "experimental 5.03" not in answer.text and "1.66" not in answer.text


def test_figure_table_for_a_patient_uses_rounded_values():
    answer = answer_figure(None, None, None, "patient", STUDY)
    assert "assume pain" in answer.text
    assert answer.text.count("about ") == 8  # 2 groups × 4 timepoints
    # Whole numbers, except one decimal where two different means would both read "about 2"
    # (end of treatment: 1.86 and 2.43), and never "about N" twice in one row (issue 15).
    rows = [line for line in answer.text.splitlines() if line.startswith("•")]
    decimals = [row for row in rows if re.search(r"\d\.\d", row)]
    assert len(decimals) == 1 and "about 1.9" in decimals[0] and "about 2.4" in decimals[0]
    for row in rows[1:]:
        values = re.findall(r"about (\d+(?:\.\d)?)", row)
        assert len(set(values)) == len(values), row


# -- not reported ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome", ["disability", "catastrophizing", "kinesiophobia", "quality_of_life", "EEG"]
)
@pytest.mark.parametrize("query", [answer_figure, answer_change])
def test_secondary_outcome_figures_are_not_reported_and_never_guessed(outcome, query):
    answer = query(outcome, "control", "week10", "trainee", STUDY)
    assert answer.not_reported and NOT_REPORTED in answer.text
    assert not re.search(r"\d", answer.text), answer.text  # no figure at all, least of all pain's
    assert answer.buttons and answer.buttons[0]["payload"].endswith('{"outcome": "pain"}')
    assert sources_named(answer.text)


def test_not_reported_says_what_is_available():
    answer = answer_figure("disability", None, "week10", "patient", STUDY)
    assert "both groups improved by a similar amount" in answer.text
    assert "(source: a secondary article reviewing the trial)" in answer.text
    assert "What I can give you: pain" in answer.text
    catastrophizing = answer_comparison("catastrophizing", "week22", "trainee", STUDY)
    assert (
        catastrophizing.not_reported and "no difference between the groups" in catastrophizing.text
    )


def test_a_time_the_trial_did_not_measure_is_not_reported():
    answer = answer_figure("pain", "control", "12 weeks", "patient", STUDY)
    assert answer.not_reported and "did not measure at that time" in answer.text
    assert "12" not in answer.text  # the user's text is never echoed as if it were a figure
    assert {b["payload"] for b in answer.buttons} == {
        f'/{FOLLOW_UP_INTENT}{{"timepoint": "{t}"}}' for t in STUDY.timepoints
    }


def test_an_unknown_outcome_is_not_reported_and_lists_the_outcomes():
    answer = answer_figure("blood pressure", "control", "week22", "trainee", STUDY)
    assert answer.not_reported and "pain intensity" in answer.text and "disability" in answer.text


def test_an_unknown_group_asks_which():
    answer = answer_figure("pain", "placebo", "week22", "trainee", STUDY)
    assert answer.clarify == "group" and len(answer.buttons) == 2 and not answer.not_reported


@pytest.mark.parametrize(
    "junk", ["", "   ", "🙂" * 50, "x" * 100_000, "\x00\x01\x02", "<script>alert(1)</script>"]
)
def test_bad_input_gets_an_answer_not_a_crash(junk):
    for query in (answer_figure, answer_change):
        answer = query(junk, junk, junk, "patient", STUDY)
        assert answer.text
        if junk.strip():
            assert junk not in answer.text


# -- ambiguous follow-up -----------------------------------------------------------------------


@pytest.mark.parametrize("timepoint", ["followup", "follow-up", "Follow up"])
@pytest.mark.parametrize("query", [answer_figure, answer_change])
def test_ambiguous_follow_up_asks_which_with_buttons(timepoint, query):
    answer = query("pain", "control", timepoint, "trainee", STUDY)
    assert answer.clarify == "timepoint"
    assert "10 weeks or 22 weeks" in answer.text
    payloads = [json.loads(b["payload"].split(FOLLOW_UP_INTENT, 1)[1]) for b in answer.buttons]
    assert payloads == [{"timepoint": "week10"}, {"timepoint": "week22"}]
    assert answer.slots == {"outcome": "pain", "group": "control", "timepoint": None}


def test_ambiguous_follow_up_in_a_comparison_keeps_the_kind():
    answer = answer_comparison("pain", "follow-up", "patient", STUDY)
    assert answer.kind == "comparison" and answer.clarify == "timepoint"
    assert [b["title"] for b in answer.buttons] == [
        "10 weeks after the start",
        "22 weeks after the start",
    ]


# -- comparison --------------------------------------------------------------------------------


def test_comparison_quotes_the_reported_difference_with_ci_and_source():
    answer = answer_comparison("pain", "week10", "trainee", STUDY)
    assert f"{M}1.54 (95% CI {M}2.59 to {M}0.49) (source: the trial's abstract)" in answer.text
    assert "moderate but statistically significant" in answer.text
    assert "computed" not in answer.text


def test_comparison_at_22_weeks_adds_the_effect_size():
    answer = answer_comparison("pain", "week22", "trainee", STUDY)
    assert f"{M}2.20 (95% CI {M}3.25 to {M}1.15)" in answer.text
    assert f"Cohen's d = {M}0.89" in answer.text and f"95% CI {M}1.38 to {M}0.39" in answer.text


def test_comparison_at_end_of_treatment_is_not_significant_with_both_means():
    answer = answer_comparison("pain", "week6", "trainee", STUDY)
    assert "not statistically significant" in answer.text
    assert "experimental 1.86 (SD 1.65)" in answer.text and "control 2.43 (SD 1.85)" in answer.text
    computed_line = next(line for line in answer.text.splitlines() if f"{M}0.57" in line)
    assert "computed here from the reported means" in computed_line


def test_comparison_for_a_patient_is_plain():
    answer = answer_comparison("pain", "week22", "patient", STUDY)
    assert "about 2 out of 10" in answer.text and "about 4" in answer.text
    assert "2.20 points less pain" in answer.text and "CI" not in answer.text
    assert "large" in answer.text


def test_comparison_without_timepoint_covers_every_later_timepoint():
    answer = answer_comparison(None, None, "trainee", STUDY)
    for figure in ("1.86", "1.74", "1.66", f"{M}1.54", f"{M}2.20", "not statistically significant"):
        assert figure in answer.text
    assert "baseline" not in answer.text


def test_comparison_at_baseline_is_computed_and_labelled():
    answer = answer_comparison("pain", "baseline", "patient", STUDY)
    assert "0.00 points (my own calculation" in answer.text


# -- change ------------------------------------------------------------------------------------


def test_change_for_a_trainee_is_exact_computed_and_labelled():
    answer = answer_change("pain", "experimental", "week22", "trainee", STUDY)
    assert (
        f"5.03 → 1.66; change {M}3.37 points ({M}67% of the baseline mean), computed from the reported means"
        in answer.text
    )
    assert sources_named(answer.text)


def test_change_for_a_patient_rounds_the_means_and_labels_the_percentage():
    answer = answer_change("pain", "experimental", "week22", "patient", STUDY)
    assert "fell from about 5 out of 10" in answer.text and "to about 2" in answer.text
    assert "a drop of 67% (my own calculation" in answer.text


def test_change_without_group_or_timepoint_covers_every_arm_and_later_timepoint():
    answer = answer_change("pain", None, None, "trainee", STUDY)
    for change in (f"{M}3.17", f"{M}3.29", f"{M}3.37", f"{M}2.60", f"{M}1.74", f"{M}1.17"):
        assert change in answer.text


def test_change_to_baseline_explains_and_shows_later_changes():
    answer = answer_change("pain", "control", "baseline", "trainee", STUDY)
    assert "starting point" in answer.text and f"{M}1.17" in answer.text


# -- effect size -------------------------------------------------------------------------------


def test_effect_size_for_a_trainee():
    answer = answer_effect_size("trainee", STUDY)
    assert (
        f"Cohen's d = {M}0.89 (sources: the trial's abstract and a secondary article reviewing the trial)"
        in answer.text
    )
    assert (
        f"95% CI {M}1.38 to {M}0.39 (source: a secondary article reviewing the trial)"
        in answer.text
    )
    assert "large effect" in answer.text and "pooled standard deviation" in answer.text


def test_effect_size_names_the_outcome_it_belongs_to():
    assert "Effect size for pain intensity at 22 weeks" in answer_effect_size("trainee", STUDY).text


@pytest.mark.parametrize("outcome", ["disability", "kinesiophobia", "catastrophizing"])
@pytest.mark.parametrize("audience", ["trainee", "patient"])
def test_effect_size_for_an_outcome_without_one_says_it_is_not_reported(
    outcome: str, audience: str
) -> None:
    """The one reported effect size is pain's: asked for disability, it must not be given as if
    it were disability's."""
    answer = answer_query("effect_size", audience=audience, outcome=outcome)
    assert answer.not_reported
    assert "0.89" not in answer.text and "not reported in the sources" in answer.text


@pytest.mark.parametrize("timepoint", ["10 weeks", "6 weeks", "52 weeks"])
def test_effect_size_at_another_time_says_when_it_was_reported(timepoint: str) -> None:
    answer = answer_query("effect_size", audience="trainee", timepoint=timepoint)
    first_line = answer.text.splitlines()[0]
    assert first_line.startswith("The sources report an effect size only at 22 weeks")
    assert f"{M}0.89" in answer.text


def test_effect_size_for_a_patient_explains_in_plain_words():
    answer = answer_effect_size("patient", STUDY)
    assert (
        "large" in answer.text
        and "in favour of the multidimensional physiotherapy group" in answer.text
    )
    assert "CI" not in answer.text and "about 2" in answer.text
