"""Safety actions (actions/safety/escalation.py) with rasa_sdk test doubles.

The advice is rendered from the real domain.yml responses with the values the actions pass, so
these tests see the words a person would read, with the clinic's own contacts in them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety.escalation import (
    ActionConfirmRedFlag,
    ActionCrisisSupport,
    ActionEscalateRedFlag,
    ActionRedFlagCheckClear,
    clinic_contacts,
)
from backpain.clinic_config import CLINIC_CONFIG_ENV, clinic_config
from backpain.safety_layers import FEELINGS_MIN_CONFIDENCE
from backpain.step_fit import STEP_FIT_KEY, STEP_FIT_THRESHOLD
from tests.support.doubles import DOMAIN, make_tracker

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PERSONAL_TEXT = "I can't feel my bum when I wipe, my name is Alex Example"

TEST_CLINIC = {
    "contacts_country": "Testland",
    "emergency_number": "999",
    "crisis_line_text": "Call the Test Listening Line on 0800 555 0199, day or night.",
    "urgent_care_text": "the Test Street surgery on 01234 567890",
    "web_origin": "http://localhost:8080",
    "public_base_url": "http://localhost:8080",
}


@pytest.fixture(autouse=True)
def test_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, str]]:
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(TEST_CLINIC), encoding="utf-8")
    monkeypatch.setenv(CLINIC_CONFIG_ENV, str(path))
    clinic_config.cache_clear()
    yield TEST_CLINIC
    clinic_config.cache_clear()


def safety_tracker(
    intent: str,
    safety: Optional[Dict[str, str]] = None,
    active_form: Optional[str] = None,
    slots: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """The shared tracker double, with a personal message and a step in progress."""
    extra: Dict[str, Any] = {"safety": safety} if safety else {}
    return make_tracker(
        {"requested_slot": "some_slot", **(slots or {})},
        PERSONAL_TEXT,
        intent,
        active_form,
        intent_ranking=[{"name": intent, "confidence": 1.0}],
        **extra,
    )


def render(message: Dict[str, Any]) -> str:
    """The response text as Rasa would send it; a placeholder left unfilled fails the test."""
    template = DOMAIN["responses"][message["response"]][0]["text"]

    def fill(found: re.Match) -> str:
        key = found.group(1)
        assert key in message, f"{message['response']} needs '{key}', which the action did not pass"
        return str(message[key])

    return re.sub(r"\{(\w+)\}", fill, template)


def button_payloads(message: Dict[str, Any]) -> List[str]:
    """The buttons the response shows (they live in domain.yml with the wording)."""
    buttons = DOMAIN["responses"][message["response"]][0].get("buttons", [])
    return [button["payload"] for button in buttons]


def run(action, tracker: Tracker) -> tuple[List[str], List[Dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, DOMAIN)
    return [render(message) for message in dispatcher.messages], events, dispatcher


def run_raw(action, tracker: Tracker) -> tuple[None, List[Dict[str, Any]], CollectingDispatcher]:
    """As run(), without rendering (education answers live in data/responses, not domain.yml)."""
    dispatcher = CollectingDispatcher()
    return None, action.run(dispatcher, tracker, DOMAIN), dispatcher


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


# -- advice wording ----------------------------------------------------------------------------


def test_emergency_advice_sends_to_the_emergency_department_with_the_clinic_number() -> None:
    tracker = safety_tracker(
        "red_flag_emergency", {"kind": "red_flag_emergency", "category": "saddle_numbness"}
    )
    texts, _, _ = run(ActionEscalateRedFlag(), tracker)
    advice = " ".join(texts)
    assert "999" in advice
    assert "emergency department now" in advice
    assert "can be signs" in advice and "you have" not in advice.lower()  # never a diagnosis


def test_urgent_advice_is_a_doctor_today_and_pausing_exercises() -> None:
    tracker = safety_tracker(
        "red_flag_urgent", {"kind": "red_flag_urgent", "category": "fever_or_unwell"}
    )
    texts, _, _ = run(ActionEscalateRedFlag(), tracker)
    advice = " ".join(texts)
    assert TEST_CLINIC["urgent_care_text"] in advice
    assert "today" in advice and "pause the exercises" in advice
    assert "999" in advice
    assert "emergency department now" not in advice


def test_crisis_support_gives_crisis_line_and_number_and_offers_to_stay() -> None:
    texts, _, dispatcher = run(
        ActionCrisisSupport(),
        safety_tracker("crisis", {"kind": "crisis", "category": "suicidal_thoughts"}),
    )
    assert "999" in texts[0] and TEST_CLINIC["crisis_line_text"] in texts[0]
    assert "stay" in texts[1]
    assert button_payloads(dispatcher.messages[1]) == ["/affirm", "/deny"]


@pytest.mark.parametrize(
    "screen, gentle",
    [
        ({"kind": "crisis", "category": "classifier_crisis", "layer": "classifier"}, True),
        ({"kind": "crisis", "category": "overdose_taken", "layer": "pattern"}, False),
        (None, False),  # DIET alone: the full reply
    ],
)
def test_crisis_heard_only_by_the_classifier_opens_with_the_feeling_but_keeps_every_contact(
    screen: Optional[Dict[str, str]], gentle: bool
) -> None:
    texts, _, _ = run(ActionCrisisSupport(), safety_tracker("crisis", screen))
    first = texts[0]
    assert first.startswith("I'm sorry things feel this heavy") is gentle
    # Either way: the crisis line, the emergency number and the overdose advice.
    assert "999" in first and TEST_CLINIC["crisis_line_text"] in first
    assert "overdose" in first and "even if you feel fine" in first
    assert "stay" in texts[1]


def test_a_broken_clinic_file_still_gives_advice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("emergency_number: [", encoding="utf-8")
    monkeypatch.setenv(CLINIC_CONFIG_ENV, str(broken))
    clinic_config.cache_clear()
    texts, _, _ = run(ActionEscalateRedFlag(), safety_tracker("red_flag_emergency"))
    assert "emergency department now" in texts[0]
    assert "emergency number" in texts[0]


# -- forms are paused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, intent",
    [
        (ActionEscalateRedFlag(), "red_flag_emergency"),
        (ActionEscalateRedFlag(), "red_flag_urgent"),
        (ActionCrisisSupport(), "crisis"),
        (ActionConfirmRedFlag(), "red_flag_unclear"),
    ],
)
def test_an_active_form_is_paused_and_remembered(action, intent: str) -> None:
    _, events, _ = run(action, safety_tracker(intent, active_form="breathing_form"))
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    slots = slot_events(events)
    assert slots["paused_form"] == "breathing_form"
    assert slots["requested_slot"] is None


def test_without_a_form_nothing_is_paused_and_an_earlier_pause_is_kept() -> None:
    tracker = safety_tracker("red_flag_emergency", slots={"paused_form": "pacing_form"})
    _, events, _ = run(ActionEscalateRedFlag(), tracker)
    assert all(event["event"] != "active_loop" for event in events)
    assert "paused_form" not in slot_events(events)


# -- the escalation record ---------------------------------------------------------------------


def test_the_escalation_is_recorded_without_the_persons_words() -> None:
    tracker = safety_tracker(
        "red_flag_emergency", {"kind": "red_flag_emergency", "category": "saddle_numbness"}
    )
    _, events, _ = run(ActionEscalateRedFlag(), tracker)
    record = slot_events(events)["last_escalation"]
    assert set(record) == {"kind", "category", "source", "at"}
    assert (record["kind"], record["category"], record["source"]) == (
        "red_flag_emergency",
        "saddle_numbness",
        "screen",
    )
    assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$", record["at"])
    serialised = json.dumps(events)
    for fragment in ("bum", "wipe", "Alex", "Example"):
        assert fragment not in serialised


def test_a_classifier_only_escalation_is_recorded_as_such() -> None:
    _, events, _ = run(ActionCrisisSupport(), safety_tracker("crisis"))
    record = slot_events(events)["last_escalation"]
    assert (record["kind"], record["category"], record["source"]) == (
        "crisis",
        "classifier",
        "classifier",
    )


# -- the confirming question -------------------------------------------------------------------


def test_an_unclear_message_gets_a_yes_no_question_about_the_right_signs() -> None:
    safety = {
        "kind": "red_flag_unclear",
        "category": "leg_sensation_unclear",
        "confirm": "red_flag_emergency",
    }
    texts, events, dispatcher = run(
        ActionConfirmRedFlag(), safety_tracker("red_flag_unclear", safety)
    )
    assert "bladder" in texts[0] and "both legs" in texts[0]
    assert button_payloads(dispatcher.messages[0]) == ["/affirm", "/deny"]
    record = slot_events(events)["last_escalation"]
    assert (record["kind"], record["confirm"]) == ("red_flag_unclear", "red_flag_emergency")


def answer_first_tracker(
    asked: str,
    active_form: Optional[str] = None,
    answer_first: str = "question",
    topic: str = "explain/all_in_my_head",
    text: str = "so is it all in my head then??",
    topic_confidence: float = 0.8,
) -> Tracker:
    """A message the screen was only unsure of, with DIET's intent kept below the override."""
    safety = {
        "kind": "red_flag_unclear",
        "category": "classifier_crisis_unsure",
        "confirm": "crisis",
        "layer": "classifier",
        **({"answer_first": answer_first} if answer_first else {}),
    }
    return make_tracker(
        {"requested_slot": "some_slot" if active_form else None},
        text,
        "red_flag_unclear",
        active_form,
        intent_ranking=[
            {"name": "red_flag_unclear", "confidence": 1.0},
            {"name": asked, "confidence": 0.97},
        ],
        response_selector={
            "default": {"response": {"intent_response_key": topic, "confidence": topic_confidence}}
        },
        safety=safety,
    )


@pytest.mark.parametrize(
    "asked, answer",
    [("explain", "utter_explain/all_in_my_head"), ("ask_diagnosis", "utter_refuse_diagnosis")],
)
def test_a_question_the_screen_was_unsure_of_is_answered_then_asked_about(
    asked: str, answer: str
) -> None:
    _, _, dispatcher = run_raw(ActionConfirmRedFlag(), answer_first_tracker(asked))
    assert [m["response"] for m in dispatcher.messages] == [answer, "utter_confirm_crisis"]


@pytest.mark.parametrize(
    "tracker",
    [
        answer_first_tracker("explain", answer_first=""),  # patterns or net: only the question
        answer_first_tracker("explain", active_form="breathing_form"),  # a script's step
        answer_first_tracker("nlu_fallback"),  # DIET did not know the question either
        answer_first_tracker("greet"),
    ],
)
def test_otherwise_the_confirming_question_comes_alone(tracker: Tracker) -> None:
    _, _, dispatcher = run_raw(ActionConfirmRedFlag(), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_crisis"]


FEELING = "my partner thinks I'm exaggerating. I feel so alone with this"


def test_a_statement_of_feelings_gets_a_feelings_answer_then_the_crisis_question() -> None:
    tracker = answer_first_tracker(
        "explain",
        answer_first="feelings",
        topic="explain/frustration_and_not_believed",
        text=FEELING,
    )
    _, _, dispatcher = run_raw(ActionConfirmRedFlag(), tracker)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explain/frustration_and_not_believed",
        "utter_confirm_crisis",
    ]


def test_a_feared_activity_gets_its_answer_then_the_crisis_question() -> None:
    tracker = answer_first_tracker(
        "explain",
        answer_first="feelings",
        topic="explain/work_and_pain",
        text="been off work 6 months and I'm terrified of going back",
    )
    _, _, dispatcher = run_raw(ActionConfirmRedFlag(), tracker)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_explain/work_and_pain",
        "utter_confirm_crisis",
    ]


@pytest.mark.parametrize(
    "asked, topic, topic_confidence",
    [
        ("explain", "explain/sleep_and_pain", 0.9),  # a topic that does not speak to feelings
        ("explain", "explain/recovery_outlook", 0.9),  # hope is not an acknowledgement
        ("explain", "explain/trial_question", 0.9),
        # a feelings topic the selector is unsure of: a miss is worse than nothing here
        ("explain", "explain/good_days_and_progress", FEELINGS_MIN_CONFIDENCE - 0.01),
        ("ask_diagnosis", "explain/frustration_and_not_believed", 0.9),  # no refusal here
    ],
)
def test_a_statement_gets_nothing_before_the_question_but_a_feelings_answer(
    asked: str, topic: str, topic_confidence: float
) -> None:
    tracker = answer_first_tracker(
        asked,
        answer_first="feelings",
        topic=topic,
        text=FEELING,
        topic_confidence=topic_confidence,
    )
    _, _, dispatcher = run_raw(ActionConfirmRedFlag(), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_crisis"]


@pytest.mark.parametrize(
    "confirm, expected",
    [
        ("red_flag_emergency", "emergency department now"),
        ("red_flag_urgent", "should be checked by a doctor today"),
        ("crisis", TEST_CLINIC["crisis_line_text"]),
    ],
)
def test_a_yes_to_the_question_escalates_as_asked(confirm: str, expected: str) -> None:
    pending = {
        "kind": "red_flag_unclear",
        "category": "distress_unclear",
        "confirm": confirm,
        "source": "screen",
        "at": "x",
    }
    texts, events, _ = run(
        ActionEscalateRedFlag(), safety_tracker("affirm", slots={"last_escalation": pending})
    )
    assert expected in " ".join(texts)
    record = slot_events(events)["last_escalation"]
    assert (record["kind"], record["source"]) == (confirm, "confirmed")


def test_an_escalation_with_nothing_known_errs_on_the_side_of_emergency() -> None:
    texts, events, _ = run(ActionEscalateRedFlag(), safety_tracker("affirm"))
    assert "emergency department now" in texts[0]
    assert slot_events(events)["last_escalation"]["source"] == "fallback"


# -- the domain agrees with the actions ----------------------------------------------------------


def test_domain_declares_everything_the_safety_layer_uses() -> None:
    for intent in (
        "red_flag_emergency",
        "red_flag_urgent",
        "crisis",
        "red_flag_unclear",
        "ask_diagnosis",
        "ask_medication",
        "ask_stop_treatment",
    ):
        assert intent in DOMAIN["intents"]
    for action in ("action_escalate_red_flag", "action_crisis_support", "action_confirm_red_flag"):
        assert action in DOMAIN["actions"]
    assert DOMAIN["slots"]["last_escalation"]["influence_conversation"] is False
    assert "paused_form" in DOMAIN["slots"]
    placeholders = set(clinic_contacts())
    for name, variants in DOMAIN["responses"].items():
        used = set(re.findall(r"\{(\w+)\}", variants[0].get("text", "")))
        if name.startswith(("utter_red_flag", "utter_crisis", "utter_confirm", "utter_refuse")):
            assert used <= placeholders, f"{name} uses {used - placeholders}"


def test_refusals_refer_to_a_clinician() -> None:
    for name in (
        "utter_refuse_diagnosis",
        "utter_refuse_medication",
        "utter_refuse_stop_treatment",
    ):
        text = DOMAIN["responses"][name][0]["text"]
        assert re.search(r"doctor|clinician|pharmacist|physiotherapist", text)


# -- a "no" to the confirming question ----------------------------------------------------------


def no_after_question_tracker(
    step: str, typed: str, step_fit: Optional[Dict[str, float]] = None
) -> Tracker:
    """A script paused at `step` by the question `typed` drew, and the person's "no"."""
    typed_event = {"event": "user", "text": typed}
    if step_fit is not None:
        typed_event["parse_data"] = {"text": typed, STEP_FIT_KEY: step_fit}
    return make_tracker(
        {
            "paused_form": "thought_record_form",
            "last_escalation": {"kind": "red_flag_unclear", "paused_slot": step},
        },
        "no",
        "deny",
        events=[typed_event, {"event": "user", "text": "no"}],
    )


def test_a_no_hands_the_message_back_to_a_step_that_takes_words() -> None:
    _, events, _ = run_raw(
        ActionRedFlagCheckClear(),
        no_after_question_tracker("thought_situation", "I bent over and my back went"),
    )
    slots = slot_events(events)
    assert slots["thought_situation"] == "I bent over and my back went"
    assert slots["script_to_resume"] == "thought_record_form"


@pytest.mark.parametrize(
    "fit, handed_back",
    [(STEP_FIT_THRESHOLD - 0.01, False), (STEP_FIT_THRESHOLD, True), (0.2, True)],
)
def test_a_no_hands_back_only_a_message_that_read_as_the_steps_answer(
    fit: float, handed_back: bool
) -> None:
    """The step fit measured when the message was typed decides, as the validators' does: a
    worry typed at the fear ladder's activities step is not stored as a feared activity."""
    worry = "just thinking about making this list makes my heart race"
    tracker = no_after_question_tracker(
        "exposure_activities", worry, step_fit={"exposure_activities": fit}
    )
    _, events, dispatcher = run_raw(ActionRedFlagCheckClear(), tracker)
    assert ("exposure_activities" in slot_events(events)) is handed_back
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_red_flag_check_clear",
        "utter_safety_carry_on",
    ]


def test_a_no_does_not_hand_a_question_back_unless_the_step_takes_thoughts() -> None:
    question = "is it normal for the pain to move about?"
    _, events, _ = run_raw(
        ActionRedFlagCheckClear(), no_after_question_tracker("thought_situation", question)
    )
    assert "thought_situation" not in slot_events(events)
    _, events, _ = run_raw(
        ActionRedFlagCheckClear(),
        no_after_question_tracker("thought_automatic", "what if it snaps?"),
    )
    assert slot_events(events)["thought_automatic"] == "what if it snaps?"


@pytest.mark.parametrize("step", ["breathing_tension_before", "exposure_assessed"])
def test_a_no_asks_a_number_or_yes_no_step_again_rather_than_judge_the_message(step: str) -> None:
    _, events, dispatcher = run_raw(
        ActionRedFlagCheckClear(), no_after_question_tracker(step, "I bent over and my back went")
    )
    assert step not in slot_events(events)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_red_flag_check_clear",
        "utter_safety_carry_on",
    ]


# -- red flags listed where the flare-up plan asks for warning signs ---------------------------


def test_a_red_flag_typed_at_the_flare_plans_warning_signs_step_is_asked_about() -> None:
    screen = {"kind": "red_flag_urgent", "category": "infection_risk"}
    slots = {"requested_slot": "flare_warning_signs"}
    tracker = safety_tracker("red_flag_urgent", screen, "flare_plan_form", slots)
    texts, events, _ = run(ActionEscalateRedFlag(), tracker)
    assert texts == [] and [(e["event"], e.get("name")) for e in events] == [
        ("followup", "action_confirm_red_flag")
    ]
    # The confirming action then asks about the red flag itself, with the step remembered.
    texts, events, _ = run(ActionConfirmRedFlag(), tracker)
    assert texts == [render({"response": "utter_confirm_red_flag_urgent"})]
    record = slot_events(events)["last_escalation"]
    assert (record["confirm"], record["paused_slot"]) == ("red_flag_urgent", "flare_warning_signs")


@pytest.mark.parametrize(
    "intent, form, step, slots",
    [
        ("red_flag_emergency", "flare_plan_form", "flare_helps", {}),  # another step of the plan
        ("red_flag_emergency", "pacing_form", "flare_warning_signs", {}),  # another script
        # A "yes" to the question about a listed sign escalates at once.
        (
            "affirm",
            "flare_plan_form",
            "flare_warning_signs",
            {"last_escalation": {"kind": "red_flag_unclear", "confirm": "red_flag_emergency"}},
        ),
    ],
)
def test_elsewhere_and_after_a_yes_a_red_flag_gets_its_advice(
    intent: str, form: str, step: str, slots: Dict[str, Any]
) -> None:
    tracker = safety_tracker(intent, None, form, {"requested_slot": step, **slots})
    texts, _, _ = run(ActionEscalateRedFlag(), tracker)
    assert texts and "emergency department now" in texts[0]


# -- a crisis verdict of the classifier alone on a message that reads as a step's answer -------

CLASSIFIER_CRISIS = {"kind": "crisis", "category": "classifier_crisis", "layer": "classifier"}


def step_answer_tracker(
    text: str,
    step: str = "exposure_practice_when",
    fit: Optional[float] = 0.16,
    screen: Optional[Dict[str, str]] = None,
    form: Optional[str] = "exposure_form",
) -> Tracker:
    return make_tracker(
        {"requested_slot": step},
        text,
        "crisis",
        form,
        safety=screen or CLASSIFIER_CRISIS,
        **({STEP_FIT_KEY: {step: fit}} if fit is not None else {}),
    )


def test_the_classifier_alone_sure_of_crisis_in_a_step_answer_asks_first() -> None:
    """ "um Sunday when my husband is around", typed where the fear ladder asks when to
    practise, drew crisis support from the classifier alone (0.96): it gets the direct question,
    with the step remembered so that a "no" hands the answer back."""
    tracker = step_answer_tracker("um Sunday when my husband is around")
    texts, events, _ = run(ActionCrisisSupport(), tracker)
    assert texts == [] and [(e["event"], e.get("name")) for e in events] == [
        ("followup", "action_confirm_red_flag")
    ]
    texts, events, _ = run(ActionConfirmRedFlag(), tracker)
    assert texts == [render({"response": "utter_confirm_crisis"})]
    record = slot_events(events)["last_escalation"]
    assert (record["confirm"], record["paused_slot"]) == ("crisis", "exposure_practice_when")


@pytest.mark.parametrize(
    "text, fit, screen, form, step",
    [
        # A pattern named the act: crisis support at once, script or not.
        (
            "ive been saving up my tramadol",
            0.2,
            {"kind": "crisis", "category": "preparatory_act", "layer": "pattern"},
            "exposure_form",
            "exposure_practice_when",
        ),
        ("um Sunday when my husband is around", 0.16, None, None, None),  # no script running
        # Reads as a remark, not the step's answer.
        (
            "um Sunday when my husband is around",
            STEP_FIT_THRESHOLD - 0.01,
            None,
            "exposure_form",
            "exposure_practice_when",
        ),
        (
            "um Sunday when my husband is around",
            None,
            None,
            "exposure_form",
            "exposure_practice_when",
        ),  # not scored
        # A question is no answer to a step that does not take thoughts.
        ("is it too late for me?", 0.2, None, "exposure_form", "exposure_practice_when"),
    ],
)
def test_otherwise_a_crisis_verdict_gets_crisis_support_at_once(
    text: str,
    fit: Optional[float],
    screen: Optional[Dict[str, str]],
    form: Optional[str],
    step: Optional[str],
) -> None:
    tracker = step_answer_tracker(text, step or "some_slot", fit, screen, form)
    texts, events, _ = run(ActionCrisisSupport(), tracker)
    assert texts and "999" in texts[0] and TEST_CLINIC["crisis_line_text"] in texts[0]
    assert not [e for e in events if e["event"] == "followup"]
