"""Times the trial did not measure, found in questions (issue 15; backpain/durations.py)."""

import pytest

from backpain.durations import trial_time_in, weeks_of


@pytest.mark.parametrize(
    "text, weeks",
    [
        ("what was pain at 52 weeks?", 52),
        ("any one-year follow-up data?", 52),
        ("and after 3 months", 13),
        ("results at 12 months", 52),
        ("by six months", 26),
    ],
)
def test_a_time_in_the_trial_is_found_with_its_length(text: str, weeks: float) -> None:
    found = trial_time_in(text)
    assert found and weeks_of(found.group(0)) == pytest.approx(weeks)


@pytest.mark.parametrize(
    "text",
    [
        "I've had back pain for 3 years",
        "pain that lasted at least 3 months",
        "my physio said 6 weeks of rest",
        "",
        "what was pain at baseline?",
    ],
)
def test_a_person_s_history_or_an_eligibility_rule_is_not_a_trial_time(text: str) -> None:
    assert trial_time_in(text) is None
