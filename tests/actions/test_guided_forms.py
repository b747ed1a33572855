"""Every validator of the guided scripts' forms: good values, and each kind of bad value.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain from domain.yml). A bad value must leave the slot empty (so the form asks again) and
send one message saying what was wrong: never a silent default, never an exception.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.guided import validation
from actions.guided.checks import FREE_TEXT_MAX_CHARACTERS
from actions.guided.exposure_forms import ValidateExposureForm, ValidateExposurePracticeForm
from actions.guided.forms import (
    ValidateBreathingForm,
    ValidateFlarePlanForm,
    ValidatePacingForm,
    ValidateThoughtRecordForm,
)
from backpain.fear_ladder import Ladder
from tests.support.doubles import (
    DOMAIN,
    SCRIPT_FORMS,
    form_run_events,
    make_tracker,
    responses,
    run_action,
)

VALIDATORS = {
    "breathing_form": ValidateBreathingForm(),
    "thought_record_form": ValidateThoughtRecordForm(),
    "pacing_form": ValidatePacingForm(),
    "flare_plan_form": ValidateFlarePlanForm(),
    "exposure_form": ValidateExposureForm(),
    "exposure_practice_form": ValidateExposurePracticeForm(),
}
RATING_SLOTS = {
    "breathing_tension_before": 10,
    "breathing_tension_after": 10,
    "thought_feeling_before": 100,
    "thought_feeling_after": 100,
    "exposure_expected_fear": 100,
    "exposure_expected_pain": 10,
    "exposure_actual_fear": 100,
    "exposure_actual_pain": 10,
}
FREE_TEXT_SLOTS = [
    "breathing_reflection",
    "thought_situation",
    "thought_automatic",
    "thought_feeling",
    "thought_evidence_for",
    "thought_evidence_against",
    "thought_balanced",
    "pacing_activity",
    "flare_contact",
    "exposure_practice_what",
    "exposure_practice_when",
    "exposure_practice_how_often",
]
MUST_NOT_BE_ANSWERS = {
    "stop_script",
    "continue_script",
    "ask_why_this_helps",
    "red_flag_emergency",
    "red_flag_urgent",
    "crisis",
    "red_flag_unclear",
}


def validator_for(slot: str) -> Any:
    form = next(form for form in SCRIPT_FORMS if slot in DOMAIN["forms"][form]["required_slots"])
    return VALIDATORS[form]


def validate(slot: str, value: Any, **slots: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={slot: value, **slots}, text=str(value))
    changes = getattr(validator_for(slot), f"validate_{slot}")(value, dispatcher, tracker, DOMAIN)
    return changes, responses(dispatcher)


# --- the forms are complete and consistent with domain.yml ----------------------------------
@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_every_form_slot_has_a_validator_a_question_and_a_guarded_free_text_mapping(
    form: str,
) -> None:
    assert f"validate_{form}" in DOMAIN["actions"]
    assert VALIDATORS[form].name() == f"validate_{form}"
    for slot in DOMAIN["forms"][form]["required_slots"]:
        assert callable(getattr(VALIDATORS[form], f"validate_{slot}", None)), slot
        assert (
            f"utter_ask_{slot}" in DOMAIN["responses"] or f"action_ask_{slot}" in DOMAIN["actions"]
        ), slot
        mappings = DOMAIN["slots"][slot]["mappings"]
        assert [m["type"] for m in mappings] == ["from_text"], slot
        assert MUST_NOT_BE_ANSWERS | validation.QUESTION_INTENTS <= set(
            mappings[0]["not_intent"]
        ), slot
        assert mappings[0]["conditions"] == [{"active_loop": form, "requested_slot": slot}], slot
        assert DOMAIN["slots"][slot]["influence_conversation"] is False, slot


def question_answers() -> set:
    """The actions that answer the question intents outside a script (data/rules/*.yml)."""
    answers = set()
    for path in sorted(Path("data/rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            if rule.get("condition") is None and steps[0].get(
                "intent"
            ) in validation.QUESTION_INTENTS | {"out_of_scope"}:
                answers.add(steps[1]["action"])
    return answers


@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_after_every_answer_to_a_question_each_script_asks_its_step_again(form: str) -> None:
    """data/rules/script_questions.yml has one rule per script and answer (no wildcard in rules)."""
    rules = yaml.safe_load(Path("data/rules/script_questions.yml").read_text(encoding="utf-8"))[
        "rules"
    ]
    covered = {
        rule["steps"][0]["action"]
        for rule in rules
        if rule["condition"] == [{"active_loop": form}]
        and rule["steps"][1:] == [{"action": form}, {"active_loop": form}]
    }
    assert len(question_answers()) >= 8
    assert question_answers() <= covered, sorted(question_answers() - covered)


def test_paused_form_and_script_to_resume_are_declared_for_the_rules() -> None:
    assert DOMAIN["slots"]["paused_form"]["influence_conversation"] is True
    assert set(DOMAIN["slots"]["script_to_resume"]["values"]) == set(SCRIPT_FORMS)


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


# --- activity pacing -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "answer, stored",
    [
        ("20 minutes", {"value": 20, "unit": "minutes"}),
        ("half an hour", {"value": 30, "unit": "minutes"}),
        ("3 flights of stairs", {"value": 3, "unit": "flights of stairs"}),
        ("20", {"value": 20, "unit": None}),
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
    ],
)
def test_pacing_increase_questions_steps_faster_than_physiotherapists_advise(
    answer: str, response: str
) -> None:
    """About 10-20% of the baseline, every few days to a week, never doubling (clinical-reference.md)."""
    changes, said = validate("pacing_increase", answer, **START_15_MINUTES)
    assert changes == {"pacing_increase": None}
    assert said == [response]


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


LADDER = Ladder.from_ratings([("walking", 10), ("bending", 30), ("lifting", 60)]).to_slot()


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


# --- resuming: every validator accepts its own output ---------------------------------------
GOOD_ANSWERS: Dict[str, Any] = {
    **{slot: "5" for slot in RATING_SLOTS},
    **{slot: "some words" for slot in FREE_TEXT_SLOTS},
    "pacing_baseline": "20 minutes",
    "pacing_start": "10 minutes",
    "pacing_increase": "add 1 minute every 2 days",
    "flare_helps": "heat, rest",
    "flare_reduce": "lifting",
    "flare_warning_signs": "no",
    "exposure_ready": "yes",
    "exposure_red_flags": "no",
    "exposure_activities": "bending, lifting",
    "exposure_first_step": "yes",
}
CONTEXT = {
    "pacing_baseline": {"value": 20, "unit": "minutes"},
    "pacing_start": {"value": 10, "unit": "minutes"},
    "exposure_ladder": LADDER,
}


@pytest.mark.parametrize("slot", sorted(GOOD_ANSWERS))
def test_validating_a_validated_value_again_changes_nothing(slot: str) -> None:
    first, _ = validate(slot, GOOD_ANSWERS[slot], **CONTEXT)
    again, said = validate(
        slot, first[slot], **{**CONTEXT, **{k: v for k, v in first.items() if k != slot}}
    )
    assert again[slot] == first[slot]
    assert said == []


# --- responses: every response the scripts' code names exists, and every one is used ----------
SCRIPTS_PACKAGE = Path(validation.__file__).parent
SCRIPTS_SOURCE = "\n".join(
    path.read_text(encoding="utf-8") for path in sorted(SCRIPTS_PACKAGE.glob("*.py"))
)
SCRIPTS_RULES = (Path(__file__).resolve().parents[2] / "data" / "rules" / "scripts.yml").read_text(
    encoding="utf-8"
)


def responses_the_code_can_send() -> set:
    """Literal response names in the code, plus the names it builds from a fixed set of parts."""
    from backpain.answer_parsing import RatingProblem
    from backpain.fear_ladder import FirstStepReason
    from backpain.pacing_rules import PacingProblem

    built = {f"utter_scripts_rating_{problem.value}" for problem in RatingProblem}
    built |= {f"utter_scripts_intro_{form}" for form in SCRIPT_FORMS}
    built |= {
        f"utter_scripts_{kind}_{direction}"
        for kind in ("breathing", "thought_feeling")
        for direction in ("down", "same", "up")
    }
    built |= {
        f"utter_scripts_practice_fear_{comparison}" for comparison in ("lower", "same", "higher")
    }
    built |= {f"utter_scripts_propose_first_step_{reason.value}" for reason in FirstStepReason}
    built |= {f"utter_scripts_pacing_{problem.value}" for problem in PacingProblem}
    return set(re.findall(r'"(utter_[a-z_]+)"', SCRIPTS_SOURCE)) | built


def test_every_response_the_scripts_code_names_exists_in_the_domain() -> None:
    missing = {name for name in responses_the_code_can_send() if name not in DOMAIN["responses"]}
    assert not missing, missing


def test_every_scripts_response_is_used_by_the_code_the_rules_or_a_form() -> None:
    script_slots = {
        slot for form in SCRIPT_FORMS for slot in DOMAIN["forms"][form]["required_slots"]
    }
    asks = {f"utter_ask_{slot}" for slot in script_slots}
    mine = {
        name for name in DOMAIN["responses"] if name.startswith(("utter_scripts_", "utter_why_"))
    }
    unused = {
        name
        for name in mine
        if name not in responses_the_code_can_send() and name not in SCRIPTS_RULES
    }
    assert not unused, unused
    assert asks <= set(DOMAIN["responses"]) | {
        f"utter_ask_{s}" for s in ("exposure_fear_rating", "exposure_first_step")
    }


def test_validators_never_raise_on_odd_input() -> None:
    odd_values = [
        None,
        "",
        " ",
        "\x00",
        "😀" * 50,
        "a" * 10_000,
        12,
        -5,
        3.5,
        True,
        [],
        ["x"],
        {"value": "x"},
        {"a": 1},
    ]
    for form in SCRIPT_FORMS:
        for slot in DOMAIN["forms"][form]["required_slots"]:
            for value in odd_values:
                dispatcher = CollectingDispatcher()
                context = {**CONTEXT, "exposure_activities": ["bending", "lifting"]}
                tracker = make_tracker(slots={slot: value, **context}, text=str(value)[:50])
                try:
                    result = getattr(VALIDATORS[form], f"validate_{slot}")(
                        value, dispatcher, tracker, DOMAIN
                    )
                except Exception as error:  # pragma: no cover - the assertion explains
                    pytest.fail(f"validate_{slot}({value!r}) raised {error!r}")
                assert slot in result
                progress = (
                    slot == "exposure_fear_rating" and "exposure_pending_ratings" in result
                )  # next activity
                if result[slot] is None and not progress:
                    assert len(dispatcher.messages) == 1, (slot, value)  # a re-ask always says why


def test_async_required_slots_are_coroutines_rasa_can_await() -> None:
    coroutine = ValidateExposureForm().required_slots(
        ["a"], CollectingDispatcher(), make_tracker(), DOMAIN
    )
    assert asyncio.run(coroutine) == ["a"]


def test_a_fear_rating_before_any_activity_is_not_recorded() -> None:
    assert validate("exposure_fear_rating", "40") == ({"exposure_fear_rating": None}, [])


# --- answers that NLU mistook for a script command -----------------------------------------
def run_with_message(text: str, intent: str, confidence: float) -> tuple:
    slots = {"requested_slot": "exposure_practice_when", "exposure_ladder": LADDER}
    tracker = make_tracker(
        slots=slots,
        text=text,
        intent=intent,
        confidence=confidence,
        active_loop="exposure_form",
        events=form_run_events("exposure_form", {}),
    )
    events, dispatcher = run_action(VALIDATORS["exposure_form"], tracker)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, responses(dispatcher)


@pytest.mark.parametrize(
    "text, intent, confidence",
    [
        ("tomorrow after breakfast", "stop_script", 0.61),
        # An exposure practice, not "pick up where we left off" (seen with the 2026-11-25 model).
        ("pick up a sock from the floor five times", "continue_script", 0.74),
        ("bend to pick up the laundry basket", "continue_script", 0.64),
    ],
)
def test_an_answer_misread_as_a_command_is_taken_as_the_answer(
    text: str, intent: str, confidence: float
) -> None:
    changes, said = run_with_message(text, intent, confidence)
    assert changes["exposure_practice_when"] == text and said == []


@pytest.mark.parametrize(
    "text, intent, confidence",
    [
        ("stop", "stop_script", 0.61),  # the words say stop
        ("let's leave it for now", "stop_script", 0.7),
        ("tomorrow after breakfast", "stop_script", 0.95),  # NLU is sure
        ("why do you ask that", "ask_why_this_helps", 0.6),
        ("carry on", "continue_script", 0.5),
        ("can we pick the exercise back up", "continue_script", 0.6),
        ("let's pick up where we stopped", "continue_script", 0.6),
        (
            "tomorrow after breakfast",
            "red_flag_urgent",
            0.6,
        ),  # safety intents are never second-guessed
        ("tomorrow after breakfast", "crisis", 0.6),
        ("/stop_script", "stop_script", 0.6),  # a button
    ],
)
def test_real_commands_and_safety_messages_are_left_to_the_rules(
    text: str, intent: str, confidence: float
) -> None:
    changes, _ = run_with_message(text, intent, confidence)
    assert "exposure_practice_when" not in changes


def test_the_action_server_registers_every_scripts_action_and_validator() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions` does; fails on an unnamed action
    scripts_actions = {
        name
        for name in DOMAIN["actions"]
        if name.startswith("validate_")
        or "script" in name
        or name.startswith(
            ("action_ask_exposure", "action_summarise", "action_show", "action_record")
        )
    }
    assert scripts_actions <= set(executor.actions)


# --- questions inside a script (issue 14) ----------------------------------------------------
def test_a_question_the_assistant_did_not_follow_is_not_stored_as_an_answer() -> None:
    assert validate("breathing_tension_before", "is this thing on?") == (
        {"breathing_tension_before": None},
        ["utter_scripts_rating_question"],
    )
    assert validate("thought_situation", "who made you? is this the hospital") == (
        {"thought_situation": None},
        ["utter_scripts_answer_was_question"],
    )
    assert validate("pacing_baseline", "is 10 minutes enough for a start") == (
        {"pacing_baseline": None},
        ["utter_scripts_answer_was_question"],
    )
    assert validate("flare_helps", "what do other people put here?") == (
        {"flare_helps": None},
        ["utter_scripts_answer_was_question"],
    )


def test_a_worrying_thought_may_be_a_question() -> None:
    assert validate("thought_automatic", "what if I end up in a wheelchair?") == (
        {"thought_automatic": "what if I end up in a wheelchair?"},
        [],
    )


def test_yes_no_still_accepts_short_answers_that_start_like_questions() -> None:
    assert validate("exposure_ready", "does sound good, yes")[0] == {"exposure_ready": True}


@pytest.mark.parametrize(
    "text, intent, taken",
    [
        ("I bent down to pick up my bag", "explain", True),  # a statement: the answer
        ("why does bending hurt?", "explain", False),  # a question: answered by its rule
        ("how many people took part", "trial_participants", False),
        ("omg its snowing!!", "out_of_scope", False),  # certain: not an answer
        ("gardening", "stop_script", True),  # no sign of stopping
    ],
)
def test_answers_misread_as_questions_or_commands(text: str, intent: str, taken: bool) -> None:
    confidence = 0.95 if intent == "out_of_scope" else 0.7
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    assert (validation.answer_mistaken_for_command(message) == text) is taken


@pytest.mark.parametrize(
    "form, slot, text, response",
    [
        (
            "thought_record_form",
            "thought_situation",
            "what's this for?",
            "utter_why_thought_record",
        ),
        (
            "breathing_form",
            "breathing_tension_before",
            "how is breathing meant to help a disc?",
            "utter_why_breathing",
        ),
        (
            "exposure_form",
            "exposure_fear_rating",
            "what is the point of rating these?",
            "utter_why_exposure",
        ),
    ],
)
def test_why_this_helps_in_other_words_gets_the_scripts_own_answer(
    form: str, slot: str, text: str, response: str
) -> None:
    slots = {"requested_slot": slot, "exposure_activities": ["bending", "lifting"]}
    tracker = make_tracker(
        slots={**slots, slot: text},
        text=text,
        intent="nlu_fallback",
        active_loop=form,
        events=form_run_events(form, {slot: text}),
    )
    events, dispatcher = run_action(VALIDATORS[form], tracker)
    assert responses(dispatcher) == [response]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {slot: None}


@pytest.mark.parametrize(
    "text",
    ["what's the point of it all?", "why does it matter anymore?", "I bent down to pick up my bag"],
)
def test_hopeless_words_and_answers_are_never_taken_for_why_this_helps(text: str) -> None:
    assert not validation.asks_why_this_helps(text)


@pytest.mark.parametrize(
    "form, slot, text, taken",
    [
        (
            "breathing_form",
            "breathing_tension_before",
            "how many people were in that trial?",
            False,
        ),
        (
            "thought_record_form",
            "thought_situation",
            "is the trial any good for older people?",
            False,
        ),
        ("breathing_form", "breathing_tension_before", "6", True),  # an answer
        (
            "thought_record_form",
            "thought_automatic",
            "what if it never gets better?",
            True,
        ),  # the thought itself
    ],
)
def test_an_unclear_question_in_a_script_gets_did_you_mean_then_the_step_again(
    form: str, slot: str, text: str, taken: bool
) -> None:
    slots = {"requested_slot": slot, slot: text}
    tracker = make_tracker(
        slots=slots,
        text=text,
        intent="nlu_fallback",
        active_loop=form,
        events=form_run_events(form, {slot: text}),
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "trial_participants", "confidence": 0.5},
        {"name": "trial_generalisability", "confidence": 0.3},
    ]
    events, dispatcher = run_action(VALIDATORS[form], tracker)
    stored = {e["name"]: e["value"] for e in events if e["event"] == "slot"}.get(slot)
    if taken:
        assert "utter_scripts_clarify_question" not in responses(dispatcher) and stored is not None
    else:
        assert responses(dispatcher) == ["utter_scripts_clarify_question"] and stored is None
        payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
        assert payloads[0] == "/trial_participants" and payloads[-1] == "/what_can_you_do"
