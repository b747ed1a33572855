"""Details the sources do not report (dropouts, funding, NNT...) are said to be not reported (issue 15).

The list lives in the study file (`not_reported`); these tests pin how a question finds its
detail, that ordinary design questions are not caught by it, and what the answer says.
"""

from __future__ import annotations

import re

import pytest

from backpain.study.design_answers import answer_unreported
from backpain.study.loading import get_study


@pytest.mark.parametrize(
    "question, detail",
    [
        ("How many people dropped out of each arm?", "dropouts"),
        ("what was the attrition at 22 weeks", "dropouts"),
        ("how many ppl quit the study halfway", "dropouts"),
        ("What was treatment adherence in each arm?", "adherence"),
        ("did people actually do their homework in the study", "adherence"),
        ("Was there a sample size calculation?", "sample_size"),
        ("who paid for that study", "funding"),
        ("Who funded the trial, and were conflicts of interest declared?", "funding"),
        ("How was allocation concealment handled?", "allocation_concealment"),
        ("Did they test whether blinding was successful?", "blinding_check"),
        ("What was the NNT for a clinically important improvement in disability?", "nnt"),
        ("what's the MCID for pain?", "clinical_importance"),
        ("was the difference clinically meaningful", "clinical_importance"),
        ("How experienced were the treating therapists?", "therapists"),
        ("Were co-interventions such as analgesic use tracked?", "co_interventions"),
        ("any side effects reported?", "adverse_events"),
        ("Any deviations from the registered protocol?", "protocol_deviations"),
        ("did it help them sleep better", "other_outcomes_figures"),
    ],
)
def test_a_question_about_an_unreported_detail_finds_it(question: str, detail: str) -> None:
    found = get_study().unreported_in(question)
    assert found is not None and found.id == detail


@pytest.mark.parametrize(
    "question",
    [
        "what was the sample size",  # reported: 70 randomised
        "how many sessions were there",
        "was it blinded?",
        "how were the results analysed",
        "what was the mean difference in pain at 22 weeks",
        "was it statistically significant",
        "who took part",
        "were there any limitations",
    ],
)
def test_questions_the_sources_answer_are_not_caught(question: str) -> None:
    assert get_study().unreported_in(question) is None


def test_every_unreported_answer_says_so_plainly_and_states_no_figure() -> None:
    study = get_study()
    assert len(study.not_reported) >= 10
    for detail in study.not_reported:
        answer = answer_unreported(detail, "trainee", study)
        assert answer.text.startswith("The sources I have do not report "), detail.id
        assert answer.not_reported and answer.sources == list(study.sources)
        # Nothing in the list may carry a number: figures belong to the sourced sections.
        assert not re.search(r"\d", detail.what + (detail.note or "")), detail.id
        assert not answer.figures


def test_a_detail_name_is_not_also_a_topic_the_sources_report() -> None:
    """No name may swallow a reported design topic's words ("randomised", "blind", "sessions")."""
    reported_words = {
        "randomised",
        "randomized",
        "blind",
        "blinded",
        "triple-blind",
        "sessions",
        "participants",
        "sample size",
        "analysis",
        "intention-to-treat",
        "limitations",
    }
    for detail in get_study().not_reported:
        assert not reported_words & set(detail.names), detail.id


def test_every_training_example_of_the_intent_names_a_listed_detail() -> None:
    """Else the answer could only be the generic list: the names in the study file must cover
    what the intent was trained on (data/nlu/trial.yml)."""
    from pathlib import Path

    import yaml

    nlu = yaml.safe_load(
        (Path(__file__).resolve().parents[3] / "data" / "nlu" / "trial.yml").read_text()
    )["nlu"]
    examples = next(item["examples"] for item in nlu if item.get("intent") == "trial_not_reported")
    study = get_study()
    missing = [
        line[2:]
        for line in examples.splitlines()
        if line.startswith("- ") and study.unreported_in(line[2:]) is None
    ]
    assert not missing


def test_without_a_recognised_detail_the_answer_lists_what_is_not_reported() -> None:
    study = get_study()
    answer = answer_unreported(None, "patient", study)
    assert answer.text.startswith("The sources I have do not report that.") and answer.not_reported
    assert all(detail.what in answer.text for detail in study.not_reported)
