"""The shared answer checks: ratings and short free text, good values and each kind of bad value.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain); a bad value leaves the slot empty and sends one message saying what was wrong.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.guided.checks import FREE_TEXT_MAX_CHARACTERS
from actions.guided.forms import (
    ValidateBreathingForm,
    ValidateThoughtRecordForm,
)
from tests.support.doubles import (
    DOMAIN,
    make_tracker,
)
from tests.support.forms import (
    FREE_TEXT_SLOTS,
    RATING_SLOTS,
    validate,
)


# --- ratings -------------------------------------------------------------------------------
@pytest.mark.parametrize("slot, scale_max", RATING_SLOTS.items())
@pytest.mark.parametrize("answer", ["7", "seven", "7/10", "70%", "about 6", "six out of ten"])
def test_rating_slots_accept_numbers_in_many_forms(slot: str, scale_max: int, answer: str) -> None:
    changes, said = validate(slot, answer)
    assert isinstance(changes[slot], float) and 0 <= changes[slot] <= scale_max
    assert said == []


def test_fractions_and_percentages_are_put_on_the_slots_scale() -> None:
    assert validate("breathing_tension_before", "70%")[0]["breathing_tension_before"] == 7
    assert validate("thought_feeling_before", "7/10")[0]["thought_feeling_before"] == 70
    assert validate("thought_feeling_before", "100 percent")[0]["thought_feeling_before"] == 100
    assert (
        validate("exposure_actual_fear", "7")[0]["exposure_actual_fear"] == 7
    )  # a 0-100 scale takes 7 as 7


@pytest.mark.parametrize("slot, scale_max", RATING_SLOTS.items())
@pytest.mark.parametrize(
    "answer, response",
    [
        ("", "utter_scripts_rating_empty"),
        ("it's bad", "utter_scripts_rating_not_a_number"),
        ("🙂", "utter_scripts_rating_not_a_number"),
        ("101", "utter_scripts_rating_out_of_range"),
        ("-1", "utter_scripts_rating_out_of_range"),
        ("4 or 5", "utter_scripts_rating_several_numbers"),
        ("9 " * 300, "utter_scripts_rating_too_long"),
    ],
)
def test_rating_slots_re_ask_with_the_reason(
    slot: str, scale_max: int, answer: str, response: str
) -> None:
    changes, said = validate(slot, answer)
    assert changes == {slot: None}
    assert said == [response]


def test_eleven_is_out_of_range_on_a_0_to_10_scale_only() -> None:
    assert validate("breathing_tension_after", "11") == (
        {"breathing_tension_after": None},
        ["utter_scripts_rating_out_of_range"],
    )
    assert validate("thought_feeling_after", "11")[0]["thought_feeling_after"] == 11


def test_re_ask_messages_name_the_scale() -> None:
    dispatcher = CollectingDispatcher()
    ValidateBreathingForm().validate_breathing_tension_before(
        "12", dispatcher, make_tracker(), DOMAIN
    )
    assert dispatcher.messages[0]["scale_max"] == 10
    assert "{scale_max}" in DOMAIN["responses"]["utter_scripts_rating_out_of_range"][0]["text"]


# --- free text -----------------------------------------------------------------------------
@pytest.mark.parametrize("slot", FREE_TEXT_SLOTS)
def test_free_text_slots_keep_the_persons_words_tidied(slot: str) -> None:
    changes, said = validate(slot, "  I bent down\x00 to tie\n my shoe  ")
    assert changes == {slot: "I bent down to tie my shoe"}
    assert said == []


@pytest.mark.parametrize("slot", FREE_TEXT_SLOTS)
@pytest.mark.parametrize(
    "answer, response",
    [
        ("", "utter_scripts_text_empty"),
        ("   ", "utter_scripts_text_empty"),
        ("?!", "utter_scripts_text_empty"),
        ("😀😀", "utter_scripts_text_empty"),
        (None, "utter_scripts_text_empty"),
        ("word " * 100, "utter_scripts_text_too_long"),
    ],
)
def test_free_text_slots_re_ask_empty_or_over_long_answers(
    slot: str, answer: Any, response: str
) -> None:
    changes, said = validate(slot, answer)
    assert changes == {slot: None}
    assert said == [response]


def test_free_text_limit_is_in_the_message() -> None:
    dispatcher = CollectingDispatcher()
    ValidateThoughtRecordForm().validate_thought_balanced(
        "x " * 400, dispatcher, make_tracker(), DOMAIN
    )
    assert dispatcher.messages[0]["max_characters"] == FREE_TEXT_MAX_CHARACTERS
