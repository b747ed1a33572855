"""The guided scripts' actions: start, pause, resume, the dynamic questions, summaries, records."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.guided import flow, summaries
from actions.guided.flow import (
    START_INTENTS,
    ActionAskExposureFearRating,
    ActionAskExposureFirstStep,
    ActionPauseScript,
    ActionResumeScript,
    ActionStartScript,
)
from actions.guided.summaries import (
    ActionRecordExposurePractice,
    ActionShowFearLadder,
    ActionShowFlarePlan,
    ActionSummariseBreathing,
    ActionSummariseExposurePlan,
    ActionSummarisePacing,
    ActionSummariseThoughtRecord,
    pacing_preview,
)
from actions.guided.titles import SCRIPT_TITLES
from backpain.amount_parsing import Amount
from backpain.fear_ladder import Ladder, start_at
from tests.support.doubles import DOMAIN, SCRIPT_FORMS, make_tracker, responses, run_action


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def loop_events(events: List[Dict[str, Any]]) -> List[Any]:
    return [e["name"] for e in events if e["event"] == "active_loop"]


def test_every_script_action_is_in_the_domain() -> None:
    names = {
        cls().name()
        for module in (flow, summaries)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and cls.__module__ == module.__name__
        and hasattr(cls, "name")
        and cls.__name__.startswith("Action")
    }
    assert names and names <= set(DOMAIN["actions"])
    assert (
        set(SCRIPT_TITLES)
        == set(SCRIPT_FORMS)
        == set(START_INTENTS.values())
        == set(DOMAIN["forms"])
    )
    assert set(START_INTENTS) <= set(DOMAIN["intents"])


@pytest.mark.parametrize("intent, form", START_INTENTS.items())
def test_starting_a_script_clears_its_old_answers_and_introduces_it(intent: str, form: str) -> None:
    old = {slot: "old" for slot in DOMAIN["forms"][form]["required_slots"]}
    events, dispatcher = run_action(ActionStartScript(), make_tracker(slots=old, intent=intent))
    assert slot_events(events) == {slot: None for slot in old} | (
        {"exposure_pending_ratings": None} if form == "exposure_form" else {}
    )
    assert responses(dispatcher) == [f"utter_scripts_intro_{form}"]


def test_starting_the_paused_script_picks_it_up_with_its_answers() -> None:
    tracker = make_tracker(
        slots={"paused_form": "breathing_form", "breathing_tension_before": 6.0},
        intent="start_breathing",
    )
    events, dispatcher = run_action(ActionStartScript(), tracker)
    assert slot_events(events) == {"paused_form": None}
    assert responses(dispatcher) == ["utter_scripts_resuming"]


def test_starting_another_script_mid_way_pauses_the_first_one() -> None:
    tracker = make_tracker(
        intent="start_breathing", active_loop="flare_plan_form", slots={"flare_helps": ["heat"]}
    )
    events, dispatcher = run_action(ActionStartScript(), tracker)
    assert loop_events(events) == [None]
    assert slot_events(events)["paused_form"] == "flare_plan_form"
    assert "flare_helps" not in slot_events(events)
    assert responses(dispatcher) == [
        "utter_scripts_switching",
        "utter_scripts_intro_breathing_form",
    ]


def test_starting_a_new_ladder_warns_that_it_replaces_the_old_one() -> None:
    ladder = Ladder.from_ratings([("bending", 30), ("lifting", 60)]).to_slot()
    _, dispatcher = run_action(
        ActionStartScript(),
        make_tracker(slots={"exposure_ladder": ladder}, intent="start_graded_exposure"),
    )
    assert responses(dispatcher) == [
        "utter_scripts_intro_exposure_form",
        "utter_scripts_exposure_replaces_ladder",
    ]


def test_pause_deactivates_the_form_keeps_answers_and_remembers_it() -> None:
    tracker = make_tracker(
        active_loop="thought_record_form",
        slots={"thought_situation": "at work", "requested_slot": "thought_automatic"},
    )
    events, dispatcher = run_action(ActionPauseScript(), tracker)
    assert loop_events(events) == [None]
    assert slot_events(events) == {"requested_slot": None, "paused_form": "thought_record_form"}
    assert responses(dispatcher) == ["utter_scripts_paused"]
    assert dispatcher.messages[0]["script_title"] == "thought record"


def test_pause_with_nothing_running() -> None:
    assert responses(run_action(ActionPauseScript(), make_tracker())[1]) == [
        "utter_scripts_nothing_to_stop"
    ]
    events, dispatcher = run_action(
        ActionPauseScript(), make_tracker(slots={"paused_form": "pacing_form"})
    )
    assert events == [] and responses(dispatcher) == ["utter_scripts_still_paused"]


@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_continue_resumes_whatever_form_was_paused(form: str) -> None:
    events, dispatcher = run_action(ActionResumeScript(), make_tracker(slots={"paused_form": form}))
    assert slot_events(events) == {"script_to_resume": form, "paused_form": None}
    assert responses(dispatcher) == ["utter_scripts_resuming"]


@pytest.mark.parametrize("paused", [None, "", "some_other_form"])
def test_continue_with_nothing_paused_says_so(paused: Any) -> None:
    events, dispatcher = run_action(
        ActionResumeScript(), make_tracker(slots={"paused_form": paused})
    )
    assert slot_events(events) == {"script_to_resume": None, "paused_form": None}
    assert responses(dispatcher) == ["utter_scripts_nothing_to_resume"]


def test_fear_rating_question_names_the_next_unrated_activity() -> None:
    tracker = make_tracker(
        slots={
            "exposure_activities": ["bending", "lifting", "running"],
            "exposure_pending_ratings": [{"activity": "bending", "fear": 30}],
        }
    )
    _, dispatcher = run_action(ActionAskExposureFearRating(), tracker)
    message = dispatcher.messages[0]
    assert (message["response"], message["activity"], message["position"], message["count"]) == (
        "utter_scripts_ask_fear_rating",
        "lifting",
        2,
        3,
    )


def test_first_step_question_shows_the_ordered_ladder_proposes_a_step_and_offers_buttons() -> None:
    ladder = Ladder.from_ratings([("running", 90), ("walking", 10), ("bending", 30)]).to_slot()
    _, dispatcher = run_action(
        ActionAskExposureFirstStep(), make_tracker(slots={"exposure_ladder": ladder})
    )
    shown, gap, proposal = dispatcher.messages
    assert shown["ladder"].splitlines() == [
        "1. walking (10/100)",
        "2. bending (30/100)",
        "3. running (90/100)",
    ]
    # 30 to 90 is too big a jump: an in-between step is suggested (Vlaeyen and Linton)
    assert (gap["response"], gap["lower"], gap["higher"]) == (
        "utter_scripts_ladder_gap",
        "bending",
        "running",
    )
    assert (
        proposal["response"] == "utter_scripts_propose_first_step_low_to_moderate"
        and proposal["activity"] == "bending"
    )
    assert [b["payload"] for b in proposal["buttons"]] == ["yes", "1", "2", "3"]


def test_breathing_summary_reflects_the_change() -> None:
    slots = {
        "breathing_tension_before": 7.0,
        "breathing_tension_after": 4.0,
        "breathing_reflection": "shoulders dropped",
    }
    _, dispatcher = run_action(ActionSummariseBreathing(), make_tracker(slots=slots))
    message = dispatcher.messages[0]
    assert (message["response"], message["before"], message["after"], message["change"]) == (
        "utter_scripts_breathing_down",
        "7",
        "4",
        "3",
    )
    for before, after, response in [
        (4.0, 4.0, "utter_scripts_breathing_same"),
        (3.0, 5.5, "utter_scripts_breathing_up"),
    ]:
        _, dispatcher = run_action(
            ActionSummariseBreathing(),
            make_tracker(
                slots={
                    **slots,
                    "breathing_tension_before": before,
                    "breathing_tension_after": after,
                }
            ),
        )
        assert responses(dispatcher) == [response]


def test_summaries_without_answers_say_so_rather_than_crash() -> None:
    for action in (
        ActionSummariseBreathing(),
        ActionSummariseThoughtRecord(),
        ActionSummarisePacing(),
        ActionSummariseExposurePlan(),
    ):
        assert responses(run_action(action, make_tracker())[1]) == ["utter_scripts_nothing_saved"]


def test_thought_record_summary_lists_every_answer_and_the_change_in_belief() -> None:
    slots = {
        "thought_situation": "bending",
        "thought_automatic": "my disc will slip",
        "thought_feeling_before": 80.0,
        "thought_feeling": "scared",
        "thought_evidence_for": "it hurt",
        "thought_evidence_against": "I bent yesterday",
        "thought_balanced": "hurt is not harm",
        "thought_feeling_after": 40.0,
    }
    _, dispatcher = run_action(ActionSummariseThoughtRecord(), make_tracker(slots=slots))
    record, change = dispatcher.messages
    assert (
        record["thought"] == "my disc will slip"
        and record["before"] == "80"
        and record["after"] == "40"
    )
    assert (change["response"], change["change"]) == ("utter_scripts_thought_feeling_down", "40")


def test_pacing_summary_and_preview_follow_the_persons_plan() -> None:
    assert (
        pacing_preview(
            Amount(15, "minutes"), {"step": {"value": 2, "unit": "minutes"}, "every_days": 3}
        )
        == "15, 17, 19, 21 minutes"
    )
    assert (
        pacing_preview(Amount(10, None), {"percent": 10, "every_days": 7}) == "10, 11, 12.1, 13.3"
    )
    slots = {
        "pacing_activity": "walking",
        "pacing_baseline": {"value": 20, "unit": "minutes"},
        "pacing_start": {"value": 15, "unit": "minutes"},
        "pacing_increase": {
            "every_days": 3,
            "step": {"value": 2, "unit": "minutes"},
            "percent": None,
            "text": "add 2 minutes every 3 days",
        },
    }
    message = run_action(ActionSummarisePacing(), make_tracker(slots=slots))[1].messages[0]
    assert (message["baseline"], message["start"], message["increase"]) == (
        "20 minutes",
        "15 minutes",
        "add 2 minutes every 3 days",
    )


FLARE = {
    "flare_helps": ["heat", "a short walk"],
    "flare_reduce": ["lifting"],
    "flare_contact": "my physio",
    "flare_warning_signs": ["pins and needles"],
}


def test_flare_plan_is_shown_with_the_warning_signs_and_ends_with_building_back_up() -> None:
    _, dispatcher = run_action(ActionShowFlarePlan(), make_tracker(slots=FLARE))
    assert responses(dispatcher) == [
        "utter_scripts_flare_plan",
        "utter_scripts_flare_usual_signs",
        "utter_scripts_flare_own_signs",
        "utter_scripts_flare_build_back",
    ]
    assert dispatcher.messages[0]["helps"] == "heat, a short walk"
    _, dispatcher = run_action(
        ActionShowFlarePlan(), make_tracker(slots={**FLARE, "flare_warning_signs": []})
    )
    assert responses(dispatcher) == [
        "utter_scripts_flare_plan",
        "utter_scripts_flare_usual_signs",
        "utter_scripts_flare_build_back",
    ]


def test_no_flare_plan_yet_offers_to_make_one() -> None:
    assert responses(run_action(ActionShowFlarePlan(), make_tracker())[1]) == [
        "utter_scripts_no_flare_plan"
    ]


@pytest.mark.parametrize(
    "slots, response",
    [
        ({"exposure_ready": False}, "utter_scripts_exposure_not_ready"),
        ({"exposure_ready": True, "exposure_red_flags": True}, "utter_scripts_exposure_seek_care"),
    ],
)
def test_exposure_script_ends_kindly_when_not_ready_or_a_warning_sign_applies(
    slots: Dict[str, Any], response: str
) -> None:
    assert responses(run_action(ActionSummariseExposurePlan(), make_tracker(slots=slots))[1]) == [
        response
    ]


def test_a_warning_sign_in_the_exposure_check_gives_the_clinic_contacts_and_is_recorded() -> None:
    tracker = make_tracker(slots={"exposure_ready": True, "exposure_red_flags": True})
    events, dispatcher = run_action(ActionSummariseExposurePlan(), tracker)
    advice = dispatcher.messages[0]
    assert advice["response"] == "utter_scripts_exposure_seek_care"
    # The response's {emergency_number} and {urgent_care_text} are filled from config/clinic.yml.
    assert advice["emergency_number"] and advice["urgent_care_text"]
    record = slot_events(events)["last_escalation"]
    assert (record["kind"], record["category"], record["source"]) == (
        "red_flag_emergency",
        "exposure_safety_check",
        "script",
    )
    # Nothing of what the person typed is kept in the record.
    assert set(record) == {"kind", "category", "source", "at"}


def ladder_with_plan() -> list:
    ladder = start_at(Ladder.from_ratings([("walking", 10), ("bending", 40), ("lifting", 60)]), 1)
    ladder.steps[1].expected_fear, ladder.steps[1].expected_pain = 60.0, 3.0
    return ladder.to_slot()


def test_a_first_good_practice_stays_and_a_second_moves_up_and_is_saved() -> None:
    slots = {
        "exposure_ladder": ladder_with_plan(),
        "exposure_actual_fear": 25.0,
        "exposure_actual_pain": 2.0,
        "exposure_outcome_happened": False,
    }
    events, dispatcher = run_action(ActionRecordExposurePractice(), make_tracker(slots=slots))
    assert responses(dispatcher) == [
        "utter_scripts_practice_fear_lower",
        "utter_scripts_practice_pain",
        "utter_scripts_practice_prediction_wrong",
        "utter_scripts_practice_stay",
    ]
    once = slot_events(events)["exposure_ladder"]
    events, dispatcher = run_action(
        ActionRecordExposurePractice(),
        make_tracker(slots={**slots, "exposure_ladder": once, "exposure_actual_fear": 15.0}),
    )
    assert responses(dispatcher)[-1] == "utter_scripts_practice_move_up"
    assert dispatcher.messages[-1]["next_activity"] == "lifting"
    saved = Ladder.from_slot(slot_events(events)["exposure_ladder"])
    assert saved.current_index() == 2 and saved.steps[1].practices == 2


def test_pain_far_above_expected_pauses_the_step_with_the_physiotherapist() -> None:
    tracker = make_tracker(
        slots={
            "exposure_ladder": ladder_with_plan(),
            "exposure_actual_fear": 65.0,
            "exposure_actual_pain": 7.0,
            "exposure_outcome_happened": True,
        }
    )
    _, dispatcher = run_action(ActionRecordExposurePractice(), tracker)
    assert responses(dispatcher) == [
        "utter_scripts_practice_fear_same",
        "utter_scripts_practice_pain",
        "utter_scripts_practice_prediction_happened",
        "utter_scripts_practice_pause",
    ]


def test_practice_without_a_ladder_or_with_it_climbed() -> None:
    assert responses(run_action(ActionRecordExposurePractice(), make_tracker())[1]) == [
        "utter_scripts_no_ladder"
    ]
    climbed = Ladder.from_ratings([("a", 10), ("b", 20)])
    for step in climbed.steps:
        step.done = True
    _, dispatcher = run_action(
        ActionRecordExposurePractice(), make_tracker(slots={"exposure_ladder": climbed.to_slot()})
    )
    assert responses(dispatcher) == ["utter_scripts_ladder_climbed"]


def test_show_fear_ladder_with_progress() -> None:
    _, dispatcher = run_action(
        ActionShowFearLadder(), make_tracker(slots={"exposure_ladder": ladder_with_plan()})
    )
    assert dispatcher.messages[0]["ladder"].splitlines()[1].startswith("➜ 2. bending")
    assert responses(run_action(ActionShowFearLadder(), make_tracker())[1]) == [
        "utter_scripts_no_ladder"
    ]
