"""Every new session opens with the notice and keeps what the person told us."""

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.session import ActionSessionStart
from tests.support.doubles import make_tracker


def run(slots: dict, active_loop: dict):
    tracker = make_tracker(slots, active_loop=active_loop.get("name"))
    dispatcher = CollectingDispatcher()
    events = ActionSessionStart().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_new_session_sends_the_notice_and_carries_slots_over() -> None:
    messages, events = run({"audience": "trainee", "requested_slot": "x", "outcome": None}, {})
    assert messages[0]["response"] == "utter_disclaimer"
    assert events[0]["event"] == "session_started"
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"audience": "trainee"}  # nothing empty, and no half-asked question
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")


def test_a_script_running_when_the_session_expired_is_remembered_as_paused() -> None:
    _, events = run({"breathing_tension_before": 6.0}, {"name": "breathing_form"})
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["paused_form"] == "breathing_form"
    assert slots["breathing_tension_before"] == 6.0
