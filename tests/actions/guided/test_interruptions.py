"""What is not an answer to the step asked: answers mistaken for commands, questions mid-step.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain); a bad value leaves the slot empty and sends one message saying what was wrong.
"""

from __future__ import annotations

import pytest

from actions.guided import validation
from tests.support.doubles import (
    DOMAIN,
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


# --- remarks typed at a step (issue 14) -------------------------------------------------------
def run_at_step(text: str, fit: float, intent: str = "nlu_fallback", **slots: object) -> tuple:
    """The thought record's situation step, given a message whose fit to it is `fit`."""
    slot = "thought_situation"
    tracker = make_tracker(
        slots={"requested_slot": slot, slot: text, **slots},
        text=text,
        intent=intent,
        active_loop="thought_record_form",
        events=form_run_events("thought_record_form", {slot: text}),
        step_fit={slot: fit, "pacing_baseline": 0.3},
    )
    events, dispatcher = run_action(VALIDATORS["thought_record_form"], tracker)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, responses(dispatcher)


def test_a_remark_is_held_back_with_the_offer_to_note_it() -> None:
    changes, said = run_at_step("hang on the kettle's boiled brb", fit=-0.2)
    assert said == ["utter_scripts_not_noted"]
    assert changes == {
        "thought_situation": None,
        "unnoted_answer": {"step": "thought_situation", "text": "hang on the kettle's boiled brb"},
    }


def test_an_answer_that_fits_its_step_is_taken() -> None:
    changes, said = run_at_step("I bent down to pick up my bag", fit=0.1)
    assert said == [] and changes["thought_situation"] == "I bent down to pick up my bag"


HELD = {"unnoted_answer": {"step": "thought_situation", "text": "walking the dog in the rain"}}


@pytest.mark.parametrize("text, intent", [("yes", "affirm"), ("yep that was it", "affirm")])
def test_a_yes_after_a_held_back_message_takes_it_as_the_answer(text: str, intent: str) -> None:
    changes, said = run_at_step(text, fit=-0.3, intent=intent, **HELD)
    assert said == []
    assert changes == {"thought_situation": "walking the dog in the rain", "unnoted_answer": None}


def test_the_same_words_again_are_taken_as_the_answer() -> None:
    changes, said = run_at_step("walking the dog in the rain", fit=-0.2, **HELD)
    assert said == []
    assert changes == {"thought_situation": "walking the dog in the rain", "unnoted_answer": None}


def test_without_a_fit_or_for_a_button_the_answer_is_taken_as_before() -> None:
    changes, said = run_at_step("walking the dog in the rain", fit=0.0)  # at the threshold: taken
    assert said == [] and changes["thought_situation"] == "walking the dog in the rain"
    assert (
        validation.remark_not_answer(
            make_tracker(
                slots={"requested_slot": "thought_situation", "thought_situation": "/affirm"},
                text="/affirm",
                events=form_run_events("thought_record_form", {"thought_situation": "/affirm"}),
                step_fit={"thought_situation": -0.5},
            ),
            "thought_situation",
        )
        is None
    )


def test_a_remark_at_a_list_step_is_held_back_too() -> None:
    text = "watching Bake Off while I do this"
    tracker = make_tracker(
        slots={"requested_slot": "flare_helps", "flare_helps": [text]},
        text=text,
        intent="nlu_fallback",
        active_loop="flare_plan_form",
        events=form_run_events("flare_plan_form", {"flare_helps": [text]}),
        step_fit={"flare_helps": -0.3},
    )
    events, dispatcher = run_action(VALIDATORS["flare_plan_form"], tracker)
    assert responses(dispatcher) == ["utter_scripts_not_noted"]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["flare_helps"] is None


@pytest.mark.parametrize("fit, taken", [(0.2, True), (0.02, False)])
def test_a_statement_read_as_out_of_scope_is_the_answer_when_it_fits_the_step_clearly(
    fit: float, taken: bool
) -> None:
    message = {
        "text": "lifting my 2 year old into her car seat",
        "intent": {"name": "out_of_scope", "confidence": 0.97},
        "step_fit": {"thought_situation": fit},
    }
    answer = validation.answer_mistaken_for_command(message, "thought_situation")
    assert (answer == message["text"]) is taken
    assert validation.answer_mistaken_for_command(message, "pacing_activity") is None
