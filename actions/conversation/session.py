"""Conversation start: every new session opens with the short education-not-diagnosis notice.

Rasa runs `action_session_start` before the first message of every session (and again after
an hour away, see session_config in domain.yml), whatever that first message is, so the
notice is never skipped by someone who opens with a question instead of a greeting.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        # Keep what the person told us (audience, their saved plans) across sessions.
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name != "requested_slot"
        )
        # A script that was running when the person left is not reopened by itself; remember it
        # as paused so that "continue" picks it up where it was.
        if tracker.active_loop_name:
            events.append(SlotSet("paused_form", tracker.active_loop_name))
        dispatcher.utter_message(response="utter_disclaimer")
        events.append(ActionExecuted("action_listen"))
        return events
