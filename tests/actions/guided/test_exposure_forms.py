"""Graded exposure's validators: building the fear ladder and recording a practice.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain); a bad value leaves the slot empty and sends one message saying what was wrong.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.guided.exposure_forms import ValidateExposureForm
from backpain.fear_ladder import Ladder
from tests.support.doubles import (
    DOMAIN,
    SCRIPT_FORMS,
    form_run_events,
    make_tracker,
    responses,
    run_action,
)
from tests.support.forms import (
    LADDER,
    VALIDATORS,
    validate,
)


# --- graded exposure -----------------------------------------------------------------------
@pytest.mark.parametrize("slot", ["exposure_ready", "exposure_red_flags"])
@pytest.mark.parametrize(
    "answer, value", [("yes", True), ("Yes please", True), ("no", False), ("none of them", False)]
)
def test_exposure_yes_no_questions(slot: str, answer: str, value: bool) -> None:
    assert validate(slot, answer) == ({slot: value}, [])


@pytest.mark.parametrize("slot", ["exposure_ready", "exposure_red_flags"])
def test_exposure_yes_no_questions_re_ask_unclear_answers(slot: str) -> None:
    assert validate(slot, "not sure") == ({slot: None}, ["utter_scripts_yes_no_unclear"])
    assert validate(slot, "purple") == ({slot: None}, ["utter_scripts_yes_no_unclear"])


def test_yes_no_falls_back_on_the_intent_when_the_words_do_not_say() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="let's crack on", intent="affirm")
    assert ValidateExposureForm().validate_exposure_ready(
        "let's crack on", dispatcher, tracker, DOMAIN
    ) == {"exposure_ready": True}


def run_form_validation(form: str, slot_events: Dict[str, Any], slots: Dict[str, Any]) -> tuple:
    tracker = make_tracker(
        slots={**slots, **slot_events}, active_loop=form, events=form_run_events(form, slot_events)
    )
    events, dispatcher = run_action(VALIDATORS[form], tracker)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, responses(dispatcher)


@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_a_script_opening_with_its_slots_emptied_sends_no_re_ask(form: str) -> None:
    """action_start_script empties the form's slots just before the form opens: those empty
    values are not answers, so the validator says nothing (issue 14: every script used to start
    with "I didn't catch a number there." once per slot)."""
    emptied = {slot: None for slot in DOMAIN["forms"][form]["required_slots"]}
    changes, said = run_form_validation(form, emptied, {})
    assert said == []
    assert all(value is None for value in changes.values())


def test_an_answer_after_emptied_slots_is_still_validated() -> None:
    changes, said = run_form_validation(
        "breathing_form",
        {"breathing_tension_after": None, "breathing_tension_before": "twelve"},
        {},
    )
    assert changes["breathing_tension_before"] is None
    assert said == ["utter_scripts_rating_out_of_range"]


def test_not_ready_ends_the_exposure_script_after_the_first_question() -> None:
    changes, _ = run_form_validation("exposure_form", {"exposure_ready": "no"}, {})
    assert changes == {"exposure_ready": False, "requested_slot": None}


def test_a_warning_sign_ends_the_exposure_script_before_the_ladder() -> None:
    changes, _ = run_form_validation(
        "exposure_form",
        {"exposure_red_flags": "yes"},
        {"exposure_ready": True, "exposure_assessed": True},
    )
    assert changes == {"exposure_red_flags": True, "requested_slot": None}


def test_not_assessed_recommends_a_clinician_first_and_goes_on() -> None:
    changes, said = run_form_validation(
        "exposure_form", {"exposure_assessed": "no"}, {"exposure_ready": True}
    )
    assert changes == {"exposure_assessed": False}
    assert said == ["utter_scripts_exposure_assess_first"]
    assert (
        run_form_validation(
            "exposure_form", {"exposure_assessed": "yes"}, {"exposure_ready": True}
        )[1]
        == []
    )


def test_ready_and_no_warning_signs_goes_on_to_the_activities() -> None:
    changes, _ = run_form_validation(
        "exposure_form", {"exposure_red_flags": "no"}, {"exposure_ready": True}
    )
    assert changes == {"exposure_red_flags": False}  # Rasa's form then asks exposure_activities


def test_activities_are_listed() -> None:
    assert validate("exposure_activities", "bending, lifting and running") == (
        {"exposure_activities": ["bending", "lifting", "running"]},
        [],
    )


def test_a_new_list_of_activities_drops_ratings_given_for_an_old_one() -> None:
    changes, _ = validate(
        "exposure_activities",
        "bending, lifting",
        exposure_pending_ratings=[{"activity": "sitting", "fear": 20}],
    )
    assert changes == {
        "exposure_activities": ["bending", "lifting"],
        "exposure_pending_ratings": [],
        "exposure_fear_rating": None,
    }


def test_resuming_keeps_ratings_already_given_for_the_same_activities() -> None:
    pending = [{"activity": "bending", "fear": 30.0}]
    changes, _ = validate(
        "exposure_activities", ["bending", "lifting"], exposure_pending_ratings=pending
    )
    assert changes == {"exposure_activities": ["bending", "lifting"]}


@pytest.mark.parametrize(
    "answer, response",
    [
        ("", "utter_scripts_list_empty"),
        ("running", "utter_scripts_exposure_too_few"),
        ("...", "utter_scripts_list_empty"),
    ],
)
def test_too_few_activities_are_re_asked(answer: str, response: str) -> None:
    assert validate("exposure_activities", answer) == ({"exposure_activities": None}, [response])


def test_more_than_eight_activities_keeps_eight_and_says_so() -> None:
    changes, said = validate("exposure_activities", ", ".join(f"task {n}" for n in range(1, 11)))
    assert changes["exposure_activities"] == [f"task {n}" for n in range(1, 9)]
    assert said == ["utter_scripts_exposure_kept_first"]


def test_fear_ratings_are_collected_one_activity_at_a_time_then_the_ladder_is_built() -> None:
    slots: Dict[str, Any] = {
        "exposure_activities": ["running", "bending", "lifting"],
        "exposure_pending_ratings": [],
    }
    for answer, activity in [("90", "running"), ("thirty", "bending")]:
        changes, said = validate("exposure_fear_rating", answer, **slots)
        assert (
            changes["exposure_fear_rating"] is None
        )  # the same question again, for the next activity
        assert changes["exposure_pending_ratings"][-1]["activity"] == activity
        assert said == []
        slots["exposure_pending_ratings"] = changes["exposure_pending_ratings"]
    changes, _ = validate("exposure_fear_rating", "60%", **slots)
    assert changes["exposure_fear_rating"] == 60
    assert [(s["activity"], s["fear"]) for s in changes["exposure_ladder"]] == [
        ("bending", 30),
        ("lifting", 60),
        ("running", 90),
    ]


def test_a_bad_fear_rating_is_re_asked_without_recording_it() -> None:
    slots = {
        "exposure_activities": ["running", "bending"],
        "exposure_pending_ratings": [{"activity": "running", "fear": 90.0}],
    }
    assert validate("exposure_fear_rating", "200", **slots) == (
        {"exposure_fear_rating": None},
        ["utter_scripts_rating_out_of_range"],
    )
    assert validate("exposure_fear_rating", "quite", **slots)[1] == [
        "utter_scripts_rating_not_a_number"
    ]


def test_fear_rating_is_kept_as_is_when_everything_is_rated_already() -> None:
    slots = {
        "exposure_activities": ["a", "b"],
        "exposure_pending_ratings": [{"activity": "a", "fear": 1}, {"activity": "b", "fear": 2}],
    }
    assert validate("exposure_fear_rating", 2.0, **slots) == ({"exposure_fear_rating": 2.0}, [])


@pytest.mark.parametrize(
    "answer, activity",
    [
        ("yes", "bending"),
        ("Yes, start there", "bending"),
        ("1", "walking"),
        ("3", "lifting"),
        ("lifting", "lifting"),
        ("Let's do lifting", "lifting"),
        ("step 2", "bending"),
    ],
)
def test_first_step_by_yes_number_or_name(answer: str, activity: str) -> None:
    changes, said = validate("exposure_first_step", answer, exposure_ladder=LADDER)
    assert changes["exposure_first_step"] == activity and said == []
    assert (
        Ladder.from_slot(changes["exposure_ladder"])
        .steps[Ladder.from_slot(changes["exposure_ladder"]).current_index()]
        .activity
        == activity
    )


@pytest.mark.parametrize("answer", ["no", "7", "swimming", "", "0"])
def test_first_step_not_on_the_ladder_is_re_asked(answer: str) -> None:
    assert validate("exposure_first_step", answer, exposure_ladder=LADDER) == (
        {"exposure_first_step": None},
        ["utter_scripts_exposure_pick_step"],
    )


def test_expectations_are_also_kept_on_the_current_step_for_the_later_comparison() -> None:
    changes, _ = validate("exposure_expected_fear", "50", exposure_ladder=LADDER)
    assert changes["exposure_expected_fear"] == 50
    assert Ladder.from_slot(changes["exposure_ladder"]).steps[0].expected_fear == 50
    changes, _ = validate("exposure_expected_pain", "3/10", exposure_ladder=LADDER)
    assert Ladder.from_slot(changes["exposure_ladder"]).steps[0].expected_pain == 3


def test_practice_form_asks_nothing_without_a_ladder_step() -> None:
    changes, _ = run_form_validation("exposure_practice_form", {}, {})
    assert changes == {"requested_slot": None}
    done = Ladder.from_slot(LADDER)
    for step in done.steps:
        step.done = True
    assert run_form_validation("exposure_practice_form", {}, {"exposure_ladder": done.to_slot()})[
        0
    ] == {"requested_slot": None}


def test_practice_form_asks_fear_and_pain_when_there_is_a_step() -> None:
    changes, _ = run_form_validation(
        "exposure_practice_form", {"exposure_actual_fear": "40"}, {"exposure_ladder": LADDER}
    )
    assert changes == {"exposure_actual_fear": 40}
