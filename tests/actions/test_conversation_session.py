"""Every new session opens with the notice and keeps what the person told us."""

from typing import Any, Callable, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.session import ActionSessionStart


def slot_values(events: list) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_new_session_sends_the_notice_and_carries_slots_over(
    tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    slots = {"audience": "trainee", "requested_slot": "x", "outcome": None}
    events = ActionSessionStart().run(dispatcher, tracker(slots), {})
    assert dispatcher.messages[0]["response"] == "utter_disclaimer"
    assert events[0]["event"] == "session_started"
    assert slot_values(events) == {"audience": "trainee"}  # nothing empty, no half-asked question
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")


def test_a_script_running_when_the_session_expired_is_remembered_as_paused(
    tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    running = tracker({"breathing_tension_before": 6.0}, active_loop="breathing_form")
    slots = slot_values(ActionSessionStart().run(dispatcher, running, {}))
    assert slots["paused_form"] == "breathing_form"
    assert slots["breathing_tension_before"] == 6.0
