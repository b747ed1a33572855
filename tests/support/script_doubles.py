"""Test doubles for the guided scripts' actions: a rasa_sdk Tracker built from slot values, a
CollectingDispatcher, and the real domain loaded from domain.yml."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOMAIN: Dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
SCRIPT_FORMS = [
    "breathing_form",
    "thought_record_form",
    "pacing_form",
    "flare_plan_form",
    "exposure_form",
    "exposure_practice_form",
]


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: Optional[str] = None,
    active_loop: Optional[str] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    confidence: float = 1.0,
) -> Tracker:
    """A tracker with every domain slot (None unless given) and the latest message."""
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test-person",
        slots=all_slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": [],
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
