"""Design questions, the chart, dispatch by query kind with follow-ups, number formatting and
the plain results for patients, all from the study file."""

from __future__ import annotations

import json
import re

import pytest

from backpain.study.answer import FOLLOW_UP_INTENT, format_number, join_words
from backpain.study.chart import answer_chart
from backpain.study.comparison_answers import answer_comparison
from backpain.study.design_answers import DESIGN_TOPICS, answer_design
from backpain.study.figure_answers import answer_figure
from backpain.study.loading import DEFAULT_STUDY_PATH, load_study
from backpain.study.queries import QUERY_KINDS, answer_follow_up, answer_query
from tests.support.study_answers import STUDY, M, sources_named

# -- design topics -----------------------------------------------------------------------------


@pytest.mark.parametrize("topic", list(DESIGN_TOPICS))
@pytest.mark.parametrize("audience", ["patient", "trainee", None])
def test_every_design_topic_answers_with_a_source(topic, audience):
    answer = answer_design(topic, audience, STUDY)
    assert answer.text and sources_named(answer.text) and answer.kind == "design"
    assert answer.slots["topic"] == topic


@pytest.mark.parametrize(
    "topic, audience, expected",
    [
        (
            "participants",
            "trainee",
            [
                "70 people",
                "35 in the multidimensional physiotherapy group",
                "35 in the usual",
                "18–50",
            ],
        ),
        ("age", "trainee", ["experimental 34.57 (SD 6.98)", "control 35.94 (SD 7.51)"]),
        ("age", "patient", ["about 35", "about 36"]),
        ("sex", "patient", ["17 men and 18 women", "18 men and 17 women"]),
        (
            "inclusion",
            "patient",
            [
                "between 3 and 7",
                "Tampa Scale of Kinesiophobia score above 37",
                "(source: the trial's registry entry)",
            ],
        ),
        (
            "exclusion",
            "trainee",
            ["Beck Anxiety Inventory score above 26", "people with anxiety or depression"],
        ),
        ("sessions", "patient", ["2 sessions a week for 6 weeks, 12 sessions in all"]),
        (
            "treatments",
            "patient",
            ["Explain Pain", "graded exposure", "general trunk exercises", "ultrasound"],
        ),
        (
            "planned_topics",
            "trainee",
            ["not a report of what was delivered", "(source: the trial's published protocol)"],
        ),
        ("setting", "patient", ["Tehran"]),
        ("registration", "trainee", ["NCT04270422", "17 February 2020", "IRCT20140810018754N11"]),
        ("analysis", "trainee", ["intention-to-treat"]),
        ("design", "trainee", ["randomised controlled trial", "2 groups", "1:1", "triple-blind"]),
        (
            "outcomes",
            "trainee",
            [
                "pain intensity",
                "numeric rating scale (NRS)",
                "from 0 (no pain) to 10",
                "brain function (EEG)",
            ],
        ),
        (
            "timepoints",
            "trainee",
            ["at baseline", "at 6 weeks (end of treatment)", "at 10 weeks", "at 22 weeks"],
        ),
        (
            "citation",
            "trainee",
            ["doi:10.1186/s42358-023-00329-9", "2023;63(1):57", "4 December 2023"],
        ),
        ("limitations", "patient", ["sample was small", "18–50"]),
        ("generalisability", "patient", ["over 50", "anxiety or depression"]),
        (
            "secondary_outcomes",
            "trainee",
            ["similar amount", "no group averages for any secondary outcome"],
        ),
    ],
)
def test_design_topic_content(topic, audience, expected):
    text = answer_design(topic, audience, STUDY).text
    for part in expected:
        assert part in text, (part, text)


def test_treatments_for_one_group_only():
    answer = answer_design("treatments", "patient", STUDY, group="usual physio")
    assert "usual physiotherapy group" in answer.text and "Explain Pain" not in answer.text
    assert answer.slots["group"] == "control"


def test_unknown_design_topic_lists_the_topics():
    answer = answer_design("weather", "patient", STUDY)
    assert answer.clarify == "topic" and "registration" in answer.text


# -- chart -------------------------------------------------------------------------------------


def test_chart_is_drawn_once_and_redrawn_when_the_study_file_changes(tmp_path):
    target = tmp_path / "charts" / "pain.png"
    answer = answer_chart("trainee", STUDY, output_path=target)
    assert answer.image_path == str(target) and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for mean, sd in [
        ("5.03", "0.95"),
        ("2.43", "1.85"),
        ("3.29", "2.01"),
        ("3.86", "2.35"),
        ("5.03", "0.92"),
        ("1.86", "1.65"),
        ("1.74", "1.74"),
        ("1.66", "2.00"),
    ]:
        assert f"{mean} (SD {sd})" in answer.text
    assert sources_named(answer.text)

    from backpain.study.chart import render_pain_chart

    assert render_pain_chart(STUDY, target).regenerated is False
    changed = tmp_path / "changed.yml"
    changed.write_text(
        DEFAULT_STUDY_PATH.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert render_pain_chart(load_study(changed), target).regenerated is True


def test_the_chart_description_is_plain_for_a_patient_and_exact_for_a_trainee(tmp_path):
    """Issue 16: the patient's description was full of SDs."""
    patient = answer_chart("patient", STUDY, output_path=tmp_path / "chart.png")
    trainee = answer_chart("trainee", STUDY, output_path=tmp_path / "chart.png")
    assert "SD" not in patient.text and "about 1.7" in patient.text
    assert "Usual physiotherapy:" in patient.text and sources_named(patient.text)
    assert "1.66 (SD 2.00)" in trainee.text and sources_named(trainee.text)


# -- dispatch and follow-ups -------------------------------------------------------------------


def test_answer_query_dispatches_every_kind(tmp_path, monkeypatch):
    import backpain.study.chart as chart

    monkeypatch.setattr(chart, "DEFAULT_CHART_PATH", tmp_path / "chart.png")
    for kind in QUERY_KINDS:
        answer = answer_query(
            kind,
            outcome="pain",
            group="control",
            timepoint="week10",
            topic="sessions",
            audience="trainee",
            study=STUDY,
        )
        assert answer.kind == kind and sources_named(answer.text)
    with pytest.raises(ValueError, match="unknown query kind"):
        answer_query("horoscope", study=STUDY)


def test_follow_up_changes_the_group_and_keeps_the_rest():
    previous = answer_figure("pain", "control", "week22", "trainee", STUDY)
    answer = answer_follow_up(
        previous.kind, previous.slots, {"group": "experimental"}, "trainee", STUDY
    )
    assert "1.66 (SD 2.00)" in answer.text and answer.slots["timepoint"] == "week22"


def test_follow_up_changes_the_timepoint():
    previous = answer_figure("pain", "control", "week22", "patient", STUDY)
    answer = answer_follow_up(
        previous.kind, previous.slots, {"timepoint": "10 weeks"}, "patient", STUDY
    )
    assert "about 3 out of 10" in answer.text and answer.slots == {
        "outcome": "pain",
        "group": "control",
        "timepoint": "week10",
    }


def test_follow_up_of_a_comparison_stays_a_comparison():
    answer = answer_follow_up(
        "comparison",
        {"outcome": "pain", "timepoint": "week22"},
        {"timepoint": "week10"},
        "trainee",
        STUDY,
    )
    assert answer.kind == "comparison" and f"{M}1.54" in answer.text


def test_follow_up_after_effect_size_with_a_group_becomes_a_figure():
    answer = answer_follow_up("effect_size", {}, {"group": "experimental"}, "trainee", STUDY)
    assert answer.kind == "figure" and "1.66 (SD 2.00)" in answer.text


def test_follow_up_button_answer_resolves_the_ambiguity():
    asked = answer_figure("pain", "control", "follow-up", "trainee", STUDY)
    chosen = json.loads(asked.buttons[1]["payload"].split(FOLLOW_UP_INTENT, 1)[1])
    answer = answer_follow_up(asked.kind, asked.slots, chosen, "trainee", STUDY)
    assert "mean 3.86 (SD 2.35)" in answer.text


def test_follow_up_with_treatments_topic_and_a_group_stays_a_design_answer():
    answer = answer_follow_up(
        "design", {"topic": "treatments"}, {"group": "experimental"}, "patient", STUDY
    )
    assert answer.kind == "design" and "Explain Pain" in answer.text


def test_follow_up_without_a_previous_query_is_a_figure():
    answer = answer_follow_up(None, {}, {"group": "control"}, None, STUDY)
    assert answer.kind == "figure" and "assume pain" in answer.text


# -- helpers -----------------------------------------------------------------------------------


def test_number_formatting():
    assert (
        format_number(-2.2) == f"{M}2.20"
        and format_number(35) == "35"
        and format_number(-0.0) == "0.00"
    )
    assert (
        join_words(["a", "b", "c"]) == "a, b and c"
        and join_words(["a, x", "b"], separator="; ") == "a, x; and b"
    )


# -- plain results (issue 15) -----------------------------------------------------------------


def test_plain_comparison_never_reads_about_n_against_about_n():
    answer = answer_comparison("pain", "week6", "patient", STUDY)
    abouts = re.findall(r"about (\d+(?:\.\d+)?)", answer.text)
    assert len(abouts) >= 2 and len(set(abouts)) == len(abouts), answer.text
    assert "about 1.9" in answer.text and "about 2.4" in answer.text


def test_did_it_work_gets_a_plain_answer_for_a_patient_and_exact_figures_for_a_trainee():
    plain = answer_design("results", "patient", STUDY)
    assert "SD" not in plain.text and "CI" not in plain.text
    assert (
        "about 1.7 against about 3.9" in plain.text and "did not differ significantly" in plain.text
    )
    assert plain.text.count("(source") == 1, "a patient gets one line naming the sources"
    trainee = answer_design("results", "trainee", STUDY)
    assert "1.66 against 3.86" in trainee.text and "2.20 points" in trainee.text


@pytest.mark.parametrize(
    "words, nearest",
    [
        ("at 52 weeks", "22 weeks"),
        ("one-year follow-up", "22 weeks"),
        ("after 3 months", "10 weeks"),
    ],
)
def test_a_time_the_trial_did_not_measure_gets_the_end_of_follow_up_and_the_nearest_figure(
    words, nearest
):
    answer = answer_query(
        "figure", outcome="pain", timepoint=words, audience="trainee", study=STUDY
    )
    first = answer.text.splitlines()[0]
    assert first.startswith("The trial did not measure at that time")
    assert nearest in first and answer.not_reported
    if nearest == "22 weeks":
        assert "its follow-up ended 22 weeks after the start" in first
    assert "SD" in answer.text, "the nearest figure itself follows"


def _sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.])\s+|\n", text) if len(s.strip()) > 20]


@pytest.mark.parametrize("audience", ["patient", "trainee"])
@pytest.mark.parametrize(
    "kind, timepoint",
    [
        ("comparison", "week22"),
        ("comparison", None),
        ("figure", None),
        ("change", "week22"),
        ("effect_size", None),
        ("design", None),
    ],
)
def test_no_answer_says_the_same_thing_twice(kind, timepoint, audience):
    """Issue 15: the 22-week answer said "large effect" and the direction twice each."""
    text = answer_query(
        kind, outcome="pain", timepoint=timepoint, topic="results", audience=audience, study=STUDY
    ).text
    sentences = _sentences(re.sub(r"\((?:source|sources): [^)]*\)", "", text))
    assert len(sentences) == len(set(sentences)), text
    assert text.lower().count("large effect") + text.lower().count("it was large") <= 1, text
    assert text.count("lower pain in the multidimensional physiotherapy group") <= 1, text
