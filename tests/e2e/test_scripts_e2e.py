"""The guided scripts through the real servers: exact prompts, re-asks, pauses, and a restart of
the Rasa server in the middle of a script (the tracker store keeps the form and the answers)."""

from __future__ import annotations

import pytest

from tests.support.harness import Assistant, buttons

pytestmark = pytest.mark.e2e

RATING_0_TO_10 = [str(n) for n in range(11)]


def test_breathing_walked_through_with_buttons_free_text_a_re_ask_and_a_question(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, "can we do a breathing exercise?")
    texts = " ".join(m.get("text", "") for m in reply)
    assert "slow, relaxed breathing" in texts
    assert "how much tension or pain do you notice in your body right now" in reply[-1]["text"]
    assert buttons(reply) == RATING_0_TO_10

    reply = assistant.send(sender, "7")  # a button payload
    assert "Breathe in gently through your nose" in reply[-1]["text"]

    text = assistant.say(sender, "twelve")
    assert "That's outside the scale. Please use a number from 0 to 10." in text
    assert "how much tension or pain do you notice now" in text  # the same question again

    text = assistant.say(sender, "why does this help?")
    assert "Pain and stress feed each other" in text
    assert "how much tension or pain do you notice now" in text

    assert "what did you notice" in assistant.say(sender, "about three")
    text = assistant.say(sender, "my shoulders dropped")
    assert (
        'Your tension went from 7 to 3 out of 10, 4 points lower. You noted: "my shoulders dropped".'
        in text
    )
    slots = assistant.slots(sender)
    assert (slots["breathing_tension_before"], slots["breathing_tension_after"]) == (7.0, 3.0)
    assert slots["breathing_reflection"] == "my shoulders dropped"
    assert not (assistant.tracker(sender).get("active_loop") or {}).get(
        "name"
    )  # the form is finished


def test_flare_plan_is_paused_kept_continued_and_shown_later(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    assert "What helps you when your back flares up?" in assistant.say(
        sender, "I'd like to make a flare-up plan"
    )
    assert "ease off" in assistant.say(sender, "heat, a short walk and slow breathing")
    text = assistant.say(sender, "not now")
    assert "I've kept what you've entered in your flare-up plan" in text
    assert assistant.slots(sender)["paused_form"] == "flare_plan_form"
    assert assistant.slots(sender)["flare_helps"] == ["heat", "a short walk", "slow breathing"]

    text = assistant.say(sender, "continue")
    assert "Welcome back to your flare-up plan" in text
    assert "ease off" in text  # the question it stopped at, not the first one
    assert "Who will you contact" in assistant.say(sender, "lifting and long drives")
    assert "usual warning signs" in assistant.say(sender, "my physio, Sam")
    text = assistant.say(sender, "No, the usual list is enough")
    assert "- What helps: heat, a short walk, slow breathing" in text
    assert "- Who to contact: my physio, Sam" in text
    assert "new trouble controlling your bladder or bowels" in text

    assistant.say(sender, "thanks")
    text = assistant.say(sender, "show my flare-up plan")
    assert "- What to ease off: lifting, long drives" in text


def test_graded_exposure_builds_a_ladder_plans_a_practice_and_records_it(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    # Started from the exercise menu's button: typed, "let's try graded exposure" is currently
    # taken as a question about graded exposure (see the NLU notes in scripts/check_nlu_report.py).
    text = assistant.say(sender, "/start_graded_exposure")
    assert "Graded exposure is a way to get back to movements" in text
    assert "Would you like to build your fear ladder now?" in text
    assert "Has a physiotherapist or doctor assessed your back" in assistant.say(sender, "yes")
    assert "a safety check" in assistant.say(sender, "yes")
    assert "Which activities have you been avoiding" in assistant.say(sender, "no, none of those")
    text = assistant.say(sender, "running, bending to the floor and lifting shopping")
    assert "Activity 1 of 3: running." in text
    assert "Activity 2 of 3: bending to the floor." in assistant.say(sender, "90")
    assert "Activity 3 of 3: lifting shopping." in assistant.say(sender, "thirty")
    reply = assistant.send(sender, "60%")
    text = "\n".join(m.get("text", "") for m in reply)
    assert (
        "1. bending to the floor (30/100)\n2. lifting shopping (60/100)\n3. running (90/100)"
        in text
    )
    assert 'I\'d suggest starting with "bending to the floor"' in text
    assert buttons(reply) == [
        "Yes, start there",
        "1. bending to the floor",
        "2. lifting shopping",
        "3. running",
    ]
    assert "What exactly will you do?" in assistant.say(sender, "yes")
    assert "When will you do it?" in assistant.say(
        sender, "pick up a sock from the floor five times"
    )
    assert "How often" in assistant.say(sender, "tomorrow after breakfast")
    assert "What are you afraid might happen" in assistant.say(sender, "once a day for a week")
    assert "how much fear do you expect" in assistant.say(sender, "my back will lock")
    assert "how much pain do you expect" in assistant.say(sender, "50")
    text = assistant.say(sender, "3")
    assert "- Step: bending to the floor" in text and "- Fear you expect: 50/100" in text
    assert "- What you're afraid might happen: my back will lock" in text

    assistant.say(sender, "thanks")
    # The practice report by its button: DIET trained on this machine's CPU puts "I did my exposure
    # step" at 0.53, under the 0.55 fallback (2026-11-30); the phrase is held-out NLU's to score.
    assert "How much fear did you actually feel" in assistant.say(
        sender, "/report_exposure_practice"
    )
    assert "how much pain did you actually have" in assistant.say(sender, "20")
    assert 'you were afraid that: "my back will lock". Did that happen?' in assistant.say(
        sender, "2"
    )
    text = assistant.say(sender, "no")
    assert "your fear was 20/100; you expected 50. That's less than you expected." in text
    assert "What you were afraid of didn't happen." in text
    assert 'Keep practising "bending to the floor"' in text  # one good practice is not mastery
    assistant.say(sender, "/report_exposure_practice")
    assistant.say(sender, "15")
    assistant.say(sender, "1")
    text = assistant.say(sender, "no")
    assert 'you could move up to the next step: "lifting shopping"' in text
    text = assistant.say(sender, "show my fear ladder")
    assert "✓ 1. bending to the floor" in text and "➜ 2. lifting shopping" in text


def test_a_warning_sign_ends_the_exposure_script_with_urgent_advice(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    assistant.say(sender, "build my fear ladder")
    assistant.say(sender, "yes")
    assistant.say(sender, "yes")
    text = assistant.say(sender, "yes")
    assert "We'll stop the exercise here." in text
    assert (
        "go to an emergency department now, or call" in text
        and "please get medical advice today from" in text
    )
    assert (
        "{emergency_number}" not in text and "{urgent_care_text}" not in text
    )  # filled from the clinic file
    tracker = assistant.tracker(sender)
    assert not (tracker.get("active_loop") or {}).get("name")
    assert tracker["slots"]["last_escalation"]["category"] == "exposure_safety_check"


def test_pacing_start_not_below_the_baseline_is_re_asked(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    assert "Which activity would you like to pace?" in assistant.say(
        sender, "help me pace my activities"
    )
    assert "How much of it can you do now" in assistant.say(sender, "walking")
    assert "What amount would you like to start with?" in assistant.say(sender, "20 minutes")
    text = assistant.say(sender, "half an hour")
    assert "a bit below what you can comfortably do now (20 minutes)" in text
    assert "How would you like to build up" in assistant.say(sender, "15 minutes")
    text = assistant.say(sender, "add 2 minutes every 3 days")
    assert "So the first steps would be 15, 17, 19, 21 minutes" in text


def test_rasa_server_restart_mid_script_resumes_with_the_answers_kept(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    assistant.say(sender, "can we reframe a thought")
    assert "What went through your mind" in assistant.say(sender, "I bent down to pick up my bag")
    reply = assistant.say(sender, "I'll put my back out again")
    if "Are you having thoughts of ending your life" in reply:
        # The safety classifier's middle band may ask about a feared prediction (issue 13, fail
        # safe); a "no" hands the message back to the step as its answer, nothing lost.
        reply = assistant.say(sender, "no")
        assert "Let's carry on where we were." in reply
    assert "How did the thought make you feel?" in reply

    assistant.restart_rasa_server()

    slots = assistant.slots(sender)
    assert slots["thought_situation"] == "I bent down to pick up my bag"
    assert slots["thought_automatic"] == "I'll put my back out again"
    assert slots["requested_slot"] == "thought_feeling"
    assert "How strong is that feeling right now" in assistant.say(sender, "worried")
    assert assistant.slots(sender)["thought_feeling"] == "worried"


def test_a_paused_script_survives_a_restart_and_continues(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    assistant.say(sender, "help me pace my walking")
    assistant.say(sender, "walking")
    assert "I've kept what you've entered in your pacing plan" in assistant.say(sender, "stop")

    assistant.restart_rasa_server()

    text = assistant.say(sender, "let's carry on")
    assert "Welcome back to your pacing plan" in text
    assert "How much of it can you do now" in text
    assert assistant.slots(sender)["pacing_activity"] == "walking"


def test_continue_with_nothing_paused_offers_the_exercises(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, "continue")
    assert "There's nothing paused right now" in reply[-1]["text"]
    assert "Slow breathing" in buttons(reply)
