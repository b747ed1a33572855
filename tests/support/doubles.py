"""Test doubles for the action server: a rasa_sdk Tracker built from slot values and the latest
message, a CollectingDispatcher, and the real domain, loaded through Rasa's own Domain.load
(domain.yml and data/responses/) as the action server receives it. The one tracker builder of
the tests (issue 17)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOMAIN: Dict[str, Any] = Domain.load(
    [str(PROJECT_ROOT / "domain.yml"), str(PROJECT_ROOT / "data" / "responses")]
).as_dict()
# The scripts as domain.yml declares them; the actions' own list is checked against it.
SCRIPT_FORMS = list(DOMAIN["forms"])


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: Optional[str] = None,
    active_loop: Optional[str] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    confidence: float = 1.0,
    entities: Optional[Dict[str, str]] = None,
    **message: Any,
) -> Tracker:
    """A tracker with every domain slot (None unless given) and the latest message.

    `entities` are the message's entities by name; other keyword arguments go into the latest
    message as they are (`intent_ranking`, `safety`, ...).
    """
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test-person",
        slots=all_slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": [
                {"entity": name, "value": value} for name, value in (entities or {}).items()
            ],
            **message,
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> List[Optional[str]]:
    return [message.get("response") for message in dispatcher.messages]


def run_action(action: Any, tracker: Tracker) -> tuple:
    """Run a rasa_sdk action (sync or async run); returns (events, dispatcher)."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, DOMAIN)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher


def form_run_events(
    form: str, slot_events: Dict[str, Any], slots: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Events as Rasa hands them to validate_<form>: a user message, then the slot candidates."""
    return [{"event": "user", "text": "answer"}, {"event": "action", "name": form}] + [
        {"event": "slot", "name": name, "value": value} for name, value in slot_events.items()
    ]
