"""One log line per turn: how long it took and how it ended, without what was said.

    turn conversation=5d41402abc4b outcome=answered ms=184 replies=2

- `conversation`: the first 12 hex digits of the SHA-256 of the conversation id. Lines of one
  conversation can be followed; the id itself (which the privacy tools take) is not in the log.
- `outcome`: answered, fallback (the assistant was not sure what was meant), escalated (a red
  flag or a crisis was answered with the safety contacts), unavailable (the action server was
  down: the message was refused, or its turn undone, and the client sends it again), repeated
  (a message sent again that had already been handled: its replies were sent again), busy (a
  copy of a message another request was still handling: the client sends it again).
- `ms`: from the message reaching the channel to its reply leaving it.
No message text, no reply text, no sender id: the default log level is safe to keep (docs/privacy.md).

The tracker store knows how a turn ended (its events are saved once per turn: stores/
reconnecting_sql.py records the outcome here); the channel knows the time and writes the line
(channels/rest.py, channels/slack.py). Both run in the Rasa server's process.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any, Text

logger = logging.getLogger("turns")

ESCALATION_ACTIONS = frozenset({"action_escalate_red_flag", "action_crisis_support"})
FALLBACK_ACTIONS = frozenset(
    {"action_default_fallback", "action_default_ask_affirmation", "action_two_stage_fallback"}
)
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
# Outcomes waiting for their channel; bounded in case a turn never reaches one (e.g. the HTTP API).
_MAX_PENDING = 1000
_pending: "OrderedDict[Text, Text]" = OrderedDict()


def pseudonym(sender: Text) -> Text:
    return hashlib.sha256(sender.encode("utf-8", "replace")).hexdigest()[:12]


def outcome_of(tracker: Any) -> Text:
    """answered, fallback or escalated, from the events after the tracker's latest user message."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    turn = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    actions = {e.action_name for e in turn if isinstance(e, ActionExecuted)}
    intents = {(e.intent or {}).get("name") for e in turn if isinstance(e, UserUttered)}
    if actions & ESCALATION_ACTIONS:
        return "escalated"
    if actions & FALLBACK_ACTIONS or intents & FALLBACK_INTENTS:
        return "fallback"
    return "answered"


def record_outcome(tracker: Any) -> None:
    """Called when a tracker is saved: remembers how its latest turn ended, for log_turn."""
    try:
        outcome = outcome_of(tracker)
    except Exception:  # the log line must never break a turn
        logger.debug("turn outcome not recorded", exc_info=True)
        return
    _pending[tracker.sender_id] = outcome
    _pending.move_to_end(tracker.sender_id)
    while len(_pending) > _MAX_PENDING:
        _pending.popitem(last=False)


def take_outcome(sender: Text) -> Text:
    return _pending.pop(sender, "answered")


def log_turn(
    sender: Text, started: float, outcome: Text, replies: int, undone: bool = False
) -> None:
    """Write the turn's line; `started` is time.monotonic() when the request arrived."""
    _pending.pop(sender, None)
    milliseconds = round((time.monotonic() - started) * 1000)
    logger.info(
        "turn conversation=%s outcome=%s ms=%d replies=%d%s",
        pseudonym(sender),
        outcome,
        milliseconds,
        replies,
        " undone=yes" if undone else "",
    )
