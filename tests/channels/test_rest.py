"""The REST channel without servers: reading requests, and what it does while the action
server restarts (refusing, undoing a half-handled turn, replaying a repeat, the log line).
Through the real Rasa server: tests/e2e/test_rest_hardening.py."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, List

import pytest

from channels.rest import MAX_BODY_BYTES, InvalidRestRequest, parse_rest_request

REST = "channels.rest.ClinicRestInput"


# --- REST requests ---


def test_a_well_formed_rest_request_is_read_as_rasa_reads_it() -> None:
    parsed = parse_rest_request(b'{"sender": "s1", "message": "hi", "metadata": {"page": "x"}}')
    assert (parsed.sender, parsed.message, parsed.metadata) == ("s1", "hi", {"page": "x"})
    assert parse_rest_request(b'{"sender": "s1", "message": ""}').message == ""


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"{", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"sender": "s"}', '"message"'),
        (b'{"message": "hi"}', '"sender"'),
        (b'{"sender": "s", "message": 1}', '"message"'),
        (b'{"sender": "\\ud800", "message": "hi"}', '"sender"'),
        (b'{"sender":"s","message":"\xc3\x28"}', "UTF-8"),
    ],
)
def test_a_malformed_rest_request_is_named_in_the_error(body: bytes, fragment: str) -> None:
    with pytest.raises(InvalidRestRequest) as error:
        parse_rest_request(body)
    assert fragment in str(error.value) and error.value.status == 400


def test_an_oversized_rest_body_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidRestRequest) as error:
        parse_rest_request(b" " * (MAX_BODY_BYTES + 1))
    assert error.value.status == 413


def test_lone_surrogates_in_a_message_are_replaced_not_refused() -> None:
    parsed = parse_rest_request(b'{"sender": "s", "message": "a\\ud800b"}')
    assert parsed.message == "a?b"


# --- the REST channel while a part restarts (channels/rest.py) ---


def _events(*events: Any) -> List[Any]:
    return list(events)


def test_a_repeat_gets_the_replies_of_its_turn_and_a_new_message_gets_none() -> None:
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    from channels.rest import replies_after_message

    events = _events(
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("earlier", metadata={"message_id": "m0"}),
        BotUttered("Earlier answer."),
        ActionExecuted("action_listen"),
        # A new session for the next message: as Rasa logs a custom action_session_start, its
        # message comes before SessionStarted (which "applied events" start after).
        BotUttered("Please note: education only."),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hi", metadata={"message_id": "m1", "attempt": 1}),
        BotUttered("Hello!", data={"buttons": [{"title": "More", "payload": "/more"}]}),
        BotUttered("", data={"image": "http://x/chart.png"}),
        ActionExecuted("action_listen"),
    )
    assert replies_after_message(events, "s", "m1") == [
        {"recipient_id": "s", "text": "Please note: education only."},
        {"recipient_id": "s", "text": "Hello!", "buttons": [{"title": "More", "payload": "/more"}]},
        {"recipient_id": "s", "image": "http://x/chart.png"},
    ]
    assert replies_after_message(events, "s", "m2") is None  # not handled yet: handle it
    later = events + [UserUttered("and?", metadata={"message_id": "m2"}), BotUttered("Yes.")]
    assert replies_after_message(later, "s", "m2") == [{"recipient_id": "s", "text": "Yes."}]
    assert replies_after_message(later, "s", "m1") is None  # only the latest message repeats
    assert replies_after_message([], "s", "m1") is None
    undone = later + [
        UserUttered("x", metadata={"message_id": "m3"}),
        UserUtteranceReverted(metadata={"undone_by": "channels.rest"}),
    ]
    assert replies_after_message(undone, "s", "m3") is None  # undone: it must be handled again
    # A fallback reverts its own turn (action_default_fallback): handled, and answered.
    fallback = later + [
        UserUttered("?", metadata={"message_id": "m4"}),
        ActionExecuted("action_default_fallback"),
        BotUttered("Sorry, I did not get that."),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
    ]
    assert replies_after_message(fallback, "s", "m4") == [
        {"recipient_id": "s", "text": "Sorry, I did not get that."}
    ]


@pytest.mark.parametrize(
    "metadata, expected",
    [
        (None, (None, 1)),
        ({"message_id": "m", "attempt": 3}, ("m", 3)),
        ({"message_id": "", "attempt": "2"}, (None, 1)),
        ({"message_id": 5, "attempt": True}, (None, 1)),
        ({"message_id": "m", "attempt": 0}, ("m", 1)),
    ],
)
def test_retry_marks_are_read_defensively(metadata: Any, expected: Any) -> None:
    from channels.rest import retry_marks

    assert retry_marks(metadata) == expected


def test_the_action_server_is_down_only_when_nothing_listens_on_its_port() -> None:
    import socket

    from rasa.utils.endpoints import EndpointConfig

    from channels.rest import ClinicRestInput, _action_server_address

    class Agent:
        action_endpoint = EndpointConfig("http://127.0.0.1:5055/webhook/")

    assert _action_server_address(Agent()) == ("127.0.0.1", 5055)
    Agent.action_endpoint = None
    assert _action_server_address(Agent()) is None

    channel = ClinicRestInput()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        address = listening.getsockname()
        assert asyncio.run(channel._action_server_up(address)) is True
    assert asyncio.run(channel._action_server_up(address)) is False  # closed: refused


def test_a_turns_outcome_and_log_line_hold_no_text(caplog: pytest.LogCaptureFixture) -> None:
    import time

    from rasa.shared.core.events import ActionExecuted, UserUttered

    from stores import turn_log

    class Tracker:
        sender_id = "person-1"
        events: List[Any] = []

    def outcome(*events: Any) -> str:
        Tracker.events = [
            UserUttered("earlier"),
            ActionExecuted("action_escalate_red_flag"),
            *events,
        ]
        return turn_log.outcome_of(Tracker)

    assert (
        outcome(UserUttered("my back", {"name": "ask_pain"}), ActionExecuted("utter_x"))
        == "answered"
    )
    assert outcome(UserUttered("?", {"name": "nlu_fallback"})) == "fallback"
    assert outcome(UserUttered("x"), ActionExecuted("action_default_ask_affirmation")) == "fallback"
    assert outcome(UserUttered("numb"), ActionExecuted("action_escalate_red_flag")) == "escalated"
    assert outcome(UserUttered("x"), ActionExecuted("action_crisis_support")) == "escalated"

    turn_log.record_outcome(Tracker)
    assert turn_log.take_outcome("person-1") == "escalated"
    assert turn_log.take_outcome("person-1") == "answered"  # taken once
    with caplog.at_level("INFO", logger="turns"):
        turn_log.log_turn("person-1", time.monotonic() - 0.25, "fallback", 2)
    (line,) = caplog.messages
    assert re.fullmatch(r"turn conversation=[0-9a-f]{12} outcome=fallback ms=2\d\d replies=2", line)
    assert "person-1" not in line


# --- the REST channel's handling while the action server restarts (no servers: a fake agent) ---


class _FakeAgent:
    """What the REST channel uses of Rasa's agent: its stores and the action endpoint."""

    def __init__(self) -> None:
        from rasa.core.lock_store import InMemoryLockStore
        from rasa.core.tracker_store import InMemoryTrackerStore
        from rasa.shared.core.domain import Domain
        from rasa.utils.endpoints import EndpointConfig

        self.domain = Domain.empty()
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.lock_store = InMemoryLockStore()
        self.action_endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def store_message(self, message: Any, replies: List[str]) -> None:
        """As Rasa handles a message: the user's event, the bot's, back to listening."""
        from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        # Rasa adds its own keys to the metadata it stores.
        metadata = {**(message.metadata or {}), "model_id": "m", "assistant_id": "a"}
        tracker.update(UserUttered(message.text, metadata=metadata))
        for reply in replies:
            tracker.update(BotUttered(reply))
            await message.output_channel.send_text_message(message.sender_id, reply)
        tracker.update(ActionExecuted("action_listen"))
        await self.tracker_store.save(tracker)

    def user_texts(self, sender: str) -> List[str]:
        from rasa.shared.core.events import UserUttered

        tracker = asyncio.run(self.tracker_store.retrieve(sender))
        return [e.text for e in tracker.applied_events() if isinstance(e, UserUttered)]


def _handle(agent: _FakeAgent, health: List[bool], message: str, on_new_message: Any, **metadata):
    """One REST request through ClinicRestInput._handle; the action server's health answers
    `health` in turn (before the turn, after it). Returns (status, JSON body)."""
    from channels.rest import ClinicRestInput, RestRequest

    channel = ClinicRestInput()
    answers = iter(health)

    async def action_server_up(_: str) -> bool:
        return next(answers)

    channel._action_server_up = action_server_up  # type: ignore[method-assign]
    request = RestRequest(sender="p1", message=message, metadata=metadata or None)
    answer = asyncio.run(channel._handle(request, on_new_message, agent))
    return answer.status, json.loads(answer.body)


def test_a_message_arriving_while_the_action_server_is_down_is_refused_unstored() -> None:
    agent = _FakeAgent()
    handled: List[str] = []

    async def on_new_message(message: Any) -> None:
        handled.append(message.text)

    status, body = _handle(agent, [False], "hello", on_new_message)
    assert status == 503 and "restarting" in body["error"] and body["retry_after"] == 3
    assert handled == []


def test_a_turn_the_action_server_vanished_during_is_undone_and_then_handled_once() -> None:
    agent = _FakeAgent()

    async def answered(message: Any) -> None:
        await agent.store_message(message, [f"answer to {message.text}"])

    assert _handle(agent, [True, True], "first", answered, message_id="a", attempt=1)[0] == 200
    status, _ = _handle(agent, [True, False], "second", answered, message_id="b", attempt=1)
    assert status == 503
    assert agent.user_texts("p1") == ["first"]  # the half-handled turn is undone
    status, body = _handle(agent, [True, True], "second", answered, message_id="b", attempt=2)
    assert status == 200 and body == [{"recipient_id": "p1", "text": "answer to second"}]
    assert agent.user_texts("p1") == ["first", "second"]
    # Its reply lost on the way, the page sends it once more: answered from what was stored.
    status, body = _handle(agent, [], "second", answered, message_id="b", attempt=3)
    assert status == 200 and body == [{"recipient_id": "p1", "text": "answer to second"}]
    assert agent.user_texts("p1") == ["first", "second"]


def test_a_message_rasa_never_stored_leaves_the_turn_before_it_alone() -> None:
    agent = _FakeAgent()

    async def answered(message: Any) -> None:
        await agent.store_message(message, ["ok"])

    async def failing(message: Any) -> None:
        raise RuntimeError("failed before storing anything")

    _handle(agent, [True, True], "first", answered)
    assert _handle(agent, [True, False], "second", failing)[0] == 503
    assert agent.user_texts("p1") == ["first"]
