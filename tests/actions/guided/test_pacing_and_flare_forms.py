"""The pacing and flare-up plan validators: amounts, gradual increases, lists.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain); a bad value leaves the slot empty and sends one message saying what was wrong.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.guided.forms import (
    ValidatePacingForm,
)
from tests.support.doubles import (
    DOMAIN,
    make_tracker,
)
from tests.support.forms import (
    validate,
)


# --- activity pacing -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "answer, stored",
    [
        ("20 minutes", {"value": 20, "unit": "minutes"}),
        ("half an hour", {"value": 30, "unit": "minutes"}),
        ("3 flights of stairs", {"value": 3, "unit": "flights of stairs"}),
        ("20", {"value": 20, "unit": None}),
        # a range: the lower end, since pacing starts below what is comfortable
        ("10-15 minutes of weeding", {"value": 10, "unit": "minutes"}),
        ("around 45 min sitting then I need to get up", {"value": 45, "unit": "minutes"}),
    ],
)
def test_pacing_baseline_is_an_amount(answer: str, stored: Dict[str, Any]) -> None:
    assert validate("pacing_baseline", answer) == ({"pacing_baseline": stored}, [])


@pytest.mark.parametrize(
    "answer, response",
    [
        ("a while", "utter_scripts_amount_unclear"),
        ("10 or 20 minutes", "utter_scripts_amount_unclear"),
        ("", "utter_scripts_amount_unclear"),
        ("0 minutes", "utter_scripts_amount_not_positive"),
    ],
)
def test_pacing_baseline_re_asks_unclear_amounts(answer: str, response: str) -> None:
    assert validate("pacing_baseline", answer) == ({"pacing_baseline": None}, [response])


BASELINE_20_MINUTES = {"pacing_baseline": {"value": 20, "unit": "minutes"}}


def test_pacing_start_can_be_a_fraction_of_the_baseline_unit() -> None:
    changes, said = validate(
        "pacing_start", "half a mile", pacing_baseline={"value": 1, "unit": "mile"}
    )
    assert (changes, said) == ({"pacing_start": {"value": 0.5, "unit": "mile"}}, [])


@pytest.mark.parametrize(
    "answer, stored",
    [
        ("15 minutes", {"value": 15, "unit": "minutes"}),
        ("a quarter of an hour", {"value": 15, "unit": "minutes"}),
        ("15", {"value": 15, "unit": "minutes"}),
    ],
)
def test_pacing_start_below_the_baseline_is_accepted(answer: str, stored: Dict[str, Any]) -> None:
    assert validate("pacing_start", answer, **BASELINE_20_MINUTES) == ({"pacing_start": stored}, [])


@pytest.mark.parametrize(
    "answer, response",
    [
        ("20 minutes", "utter_scripts_pacing_start_not_below"),
        ("half an hour", "utter_scripts_pacing_start_not_below"),
        ("25", "utter_scripts_pacing_start_not_below"),
        ("2 laps", "utter_scripts_pacing_same_unit"),
        ("0", "utter_scripts_amount_not_positive"),
        ("less", "utter_scripts_amount_unclear"),
    ],
)
def test_pacing_start_not_below_the_baseline_is_re_asked(answer: str, response: str) -> None:
    changes, said = validate("pacing_start", answer, **BASELINE_20_MINUTES)
    assert changes == {"pacing_start": None}
    assert said == [response]


def test_pacing_start_message_quotes_the_baseline() -> None:
    dispatcher = CollectingDispatcher()
    ValidatePacingForm().validate_pacing_start(
        "25 minutes", dispatcher, make_tracker(slots=BASELINE_20_MINUTES), DOMAIN
    )
    assert dispatcher.messages[0]["baseline"] == "20 minutes"


START_15_MINUTES = {**BASELINE_20_MINUTES, "pacing_start": {"value": 15, "unit": "minutes"}}


def test_pacing_increase_is_stored_with_a_readable_description() -> None:
    changes, said = validate("pacing_increase", "add 2 minutes every 3 days", **START_15_MINUTES)
    assert said == []
    assert changes["pacing_increase"] == {
        "every_days": 3,
        "step": {"value": 2, "unit": "minutes"},
        "percent": None,
        "text": "add 2 minutes every 3 days",
    }
    percent, _ = validate("pacing_increase", "10% more each week", **START_15_MINUTES)
    assert (
        percent["pacing_increase"]["percent"] == 10
        and percent["pacing_increase"]["every_days"] == 7
    )


@pytest.mark.parametrize(
    "answer, response",
    [
        ("2 minutes", "utter_scripts_pacing_increase_no_interval"),
        ("gradually", "utter_scripts_pacing_increase_unclear"),
        ("add 20 minutes every day", "utter_scripts_pacing_increase_too_big"),
        ("one more lap a week", "utter_scripts_pacing_same_unit"),
        ("", "utter_scripts_pacing_increase_unclear"),
    ],
)
def test_pacing_increase_re_asks_incomplete_or_big_steps(answer: str, response: str) -> None:
    changes, said = validate("pacing_increase", answer, **START_15_MINUTES)
    assert changes == {"pacing_increase": None}
    assert said == [response]


@pytest.mark.parametrize(
    "answer, response",
    [
        (
            "add 10 minutes every 3 days",
            "utter_scripts_pacing_step_too_big",
        ),  # half the 20-minute baseline
        ("double it every week", "utter_scripts_pacing_increase_unclear"),
        ("add 50% each week", "utter_scripts_pacing_percent_too_big"),
        ("add 100% every day", "utter_scripts_pacing_percent_too_big"),  # a daily doubling
        ("add 2 minutes every day", "utter_scripts_pacing_too_often"),
        ("add 2 minutes twice a day", "utter_scripts_pacing_too_often"),
    ],
)
def test_pacing_increase_questions_steps_faster_than_physiotherapists_advise(
    answer: str, response: str
) -> None:
    """About 10-20% of the baseline, every few days to a week, never doubling (clinical-reference.md)."""
    changes, said = validate("pacing_increase", answer, **START_15_MINUTES)
    assert changes == {"pacing_increase": None}
    assert said == [response]


@pytest.mark.parametrize(
    "answer, every_days, text",
    [
        ("add 1 minute every couple of days", 2, "add 1 minutes every 2 days"),
        ("increase by 3 min every Monday", 7, "add 3 minutes every week"),
        ("add 2 minutes twice a week", 3.5, "add 2 minutes twice a week"),
    ],
)
def test_pacing_increase_reads_how_often_in_everyday_words(
    answer: str, every_days: float, text: str
) -> None:
    changes, said = validate("pacing_increase", answer, **START_15_MINUTES)
    assert said == []
    assert changes["pacing_increase"]["every_days"] == every_days
    assert changes["pacing_increase"]["text"] == text


def test_pacing_increase_of_one_more_unit_is_read() -> None:
    slots = {
        "pacing_baseline": {"value": 6, "unit": "flights"},
        "pacing_start": {"value": 4, "unit": "flights"},
    }
    changes, said = validate("pacing_increase", "an extra flight each week if it goes ok", **slots)
    assert said == [] and changes["pacing_increase"]["step"] == {"value": 1, "unit": "flight"}


def test_pacing_step_message_names_the_largest_step() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={**START_15_MINUTES, "pacing_increase": "add 10 minutes every 3 days"},
        text="add 10 minutes every 3 days",
    )
    ValidatePacingForm().validate_pacing_increase(
        "add 10 minutes every 3 days", dispatcher, tracker, DOMAIN
    )
    assert (
        dispatcher.messages[0]["largest"] == "5 minutes"
        and dispatcher.messages[0]["baseline"] == "20 minutes"
    )


# --- flare-up plan -------------------------------------------------------------------------
@pytest.mark.parametrize("slot", ["flare_helps", "flare_reduce"])
def test_flare_lists_are_split_into_items(slot: str) -> None:
    assert validate(slot, "heat, a short walk and slow breathing") == (
        {slot: ["heat", "a short walk", "slow breathing"]},
        [],
    )
    assert validate(slot, ["heat; rest"]) == (
        {slot: ["heat", "rest"]},
        [],
    )  # a list slot hands over a list


@pytest.mark.parametrize("slot", ["flare_helps", "flare_reduce", "flare_warning_signs"])
@pytest.mark.parametrize(
    "answer, response",
    [
        ("", "utter_scripts_list_empty"),
        ("!!", "utter_scripts_list_empty"),
        ("x" * 700, "utter_scripts_text_too_long"),
    ],
)
def test_flare_lists_re_ask_when_empty_or_huge(slot: str, answer: str, response: str) -> None:
    assert validate(slot, answer) == ({slot: None}, [response])


def test_a_very_long_flare_list_keeps_the_first_ten_and_says_so() -> None:
    changes, said = validate("flare_helps", ", ".join(f"thing {n}" for n in range(1, 15)))
    assert changes == {"flare_helps": [f"thing {n}" for n in range(1, 11)]}
    assert said == ["utter_scripts_list_kept_first"]


def test_own_warning_signs_can_be_none_because_the_usual_ones_are_always_included() -> None:
    assert validate("flare_warning_signs", "no") == ({"flare_warning_signs": []}, [])
    assert validate("flare_warning_signs", "No, the usual list is enough") == (
        {"flare_warning_signs": []},
        [],
    )
    assert validate("flare_warning_signs", []) == ({"flare_warning_signs": []}, [])


def test_own_warning_signs_keep_common_phrases_whole() -> None:
    changes, _ = validate(
        "flare_warning_signs", "pins and needles in both feet, pain waking me every night"
    )
    assert changes == {
        "flare_warning_signs": ["pins and needles in both feet", "pain waking me every night"]
    }
