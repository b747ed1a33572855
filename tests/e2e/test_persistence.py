"""Faults one server must survive: a hard kill, the action server going away, and bad input.

These tests stop and kill servers, so they run their own assistant (the default deployment:
Rasa's SQL tracker store on a SQLite file) rather than the session-wide one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List

import pytest

from tests.e2e.raw_http import post_body, post_message
from tests.support.harness import Assistant

pytestmark = pytest.mark.e2e

TRAINEE_QUESTION = "What was pain in the control group at 22 weeks?"
TRAINEE_ANSWER = "3.86 (SD 2.35)"  # control group, 22 weeks, as a trainee hears it
FOLLOW_UP = "and the experimental group?"
FOLLOW_UP_ANSWER = "1.66 (SD 2.00)"  # the same outcome and time point, other group


@pytest.fixture(scope="module")
def durable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    running = Assistant(workdir=tmp_path_factory.mktemp("durable")).start()
    yield running
    running.stop()


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def study_slots(slots: Dict[str, Any]) -> tuple:
    return slots["audience"], slots["outcome"], slots["group"], slots["timepoint"]


# --- restart -----------------------------------------------------------------------------------
def test_hard_kill_mid_conversation_loses_nothing(durable: Assistant, sender: str) -> None:
    # The guided-script forms were not in the trained model when this was written: the
    # trial conversation's slots (audience, outcome, group, time point) are what must survive.
    durable.send(sender, "I'm a physio student")
    assert TRAINEE_ANSWER in durable.say(sender, TRAINEE_QUESTION)
    before = durable.tracker(sender)
    assert study_slots(before["slots"]) == ("trainee", "pain", "control", "week22")

    durable.rasa_server.kill()  # SIGKILL: no chance to flush or close anything
    durable.rasa_server.wait(timeout=30)
    durable.start_rasa_server()

    after = durable.tracker(sender)
    assert after["events"] == before["events"]
    assert study_slots(after["slots"]) == ("trainee", "pain", "control", "week22")
    # It carries on where it was: the follow-up needs the remembered outcome and time point,
    # and no new session notice appears.
    reply = durable.say(sender, FOLLOW_UP)
    assert FOLLOW_UP_ANSWER in reply and "not a diagnosis" not in reply
    assert user_texts(durable.tracker(sender)) == [
        "I'm a physio student",
        TRAINEE_QUESTION,
        FOLLOW_UP,
    ]


# --- action server down ------------------------------------------------------------------------
@dataclass
class OutageReplies:
    sender: str
    status: int
    body: bytes
    new_conversation_status: int


@pytest.fixture(scope="module")
def replies_while_actions_down(durable: Assistant) -> Iterator[OutageReplies]:
    """A trial question (answered by a custom action) asked while the action server is down."""
    sender = "actions-down"
    durable.send(sender, "I'm a physio student")  # session started while the action server is up
    durable.action_server.kill()
    durable.action_server.wait(timeout=30)
    try:
        status, body = post_message(durable, sender, TRAINEE_QUESTION)
        new_status, _ = post_message(durable, "actions-down-newcomer", "hello")
    finally:
        durable.start_action_server()
    print(f"action server down: HTTP {status} {body[:300]!r}; new conversation: HTTP {new_status}")
    yield OutageReplies(sender, status, body, new_status)


def test_action_server_down_gives_a_temporary_error_not_a_half_answered_turn(
    replies_while_actions_down: OutageReplies,
) -> None:
    # Rasa 3.6 would log "Encountered an exception while running action", drop that action's
    # events and answer 200 with whatever was said before it: a turn lost for good. The REST
    # channel (channels/rest.py) first checks that the action server's port takes connections;
    # while nothing listens there it refuses the message with a 503 and Retry-After before
    # anything is stored, and the client (the chat page) sends it again once the action server
    # is back (supervisord restarts it).
    assert replies_while_actions_down.status == 503
    error = json.loads(replies_while_actions_down.body)
    assert "restarting" in error["error"] and error["retry_after"] == 3
    assert replies_while_actions_down.new_conversation_status == 503


def test_conversation_continues_once_the_action_server_is_back(
    durable: Assistant, replies_while_actions_down: OutageReplies
) -> None:
    sender = replies_while_actions_down.sender
    assert TRAINEE_ANSWER in durable.say(sender, TRAINEE_QUESTION)  # sent again, as the page does
    assert FOLLOW_UP_ANSWER in durable.say(sender, FOLLOW_UP)
    assert durable.slots(sender)["audience"] == "trainee"
    # The refused message was never stored: the question is in the conversation once.
    assert user_texts(durable.tracker(sender)) == [
        "I'm a physio student",
        TRAINEE_QUESTION,
        FOLLOW_UP,
    ]


# --- bad input ---------------------------------------------------------------------------------
MANY_LANGUAGES = (
    "مرحبا، ظهري يؤلمني | 我的背很痛 | मेरी पीठ में दर्द है | У меня болит спина | "
    "Με πονάει η πλάτη μου | הגב שלי כואב | 허리가 아파요 | ปวดหลัง | Mgongo wangu unauma"
)
GOOD_SHAPE_MESSAGES = {
    "empty": "",
    "whitespace": " \t\n \u00a0\u3000 ",
    "100kb": "my back hurts when I sit " * 4_000,  # 100,000 characters
    "control-characters": "\x00\x01\x07\x1b[31mred\x1b[0m \x7f\u202eright-to-left\u200b",
    "long-single-token": "a" * 30_000,
    "long-url-token": "https://example.org/" + "x" * 20_000,
    "many-languages": MANY_LANGUAGES,
    "emoji-only": "😀🙂👍🏽👩‍⚕️🇬🇧❤️‍🩹",
    "lone-surrogate": "back \ud800 pain",  # valid JSON (\ud800), not encodable as UTF-8
    "markup": "<script>alert(1)</script>{{ x }} ${HOME} %s %n",
}
BAD_SHAPE_BODIES = {
    "invalid-utf8": b'{"sender": "bad-bytes", "message": "\xff\xfe\xc3\x28 back"}',
    "lone-surrogate-sender": b'{"sender": "bad-\\ud800", "message": "hello"}',
    "not-json": b"hello there",
    "empty-body": b"",
    "json-list": b'["sender", "message"]',
    "json-string": b'"hello"',
    "json-null": b"null",
    "no-sender": b'{"message": "hello"}',
    "number-sender": b'{"sender": 12, "message": "hello"}',
    "list-message": b'{"sender": "list-message", "message": ["a", "b"]}',
    "object-message": b'{"sender": "object-message", "message": {"text": "hi"}}',
    "truncated-json": b'{"sender": "cut", "message": "hel',
}


@pytest.fixture(scope="module")
def canary(durable: Assistant) -> str:
    """A conversation that must keep getting normal answers, whatever others send."""
    durable.send("bad-input-canary", "hi")
    return "bad-input-canary"


def assert_still_answering(durable: Assistant, canary: str) -> None:
    assert "computer program" in durable.say(canary, "are you a bot?")


@pytest.mark.parametrize("text", list(GOOD_SHAPE_MESSAGES.values()), ids=list(GOOD_SHAPE_MESSAGES))
def test_odd_messages_get_an_answer(
    durable: Assistant, canary: str, sender: str, text: str
) -> None:
    status, body = post_message(durable, sender, text)
    assert status == 200, body[:300]
    assert json.loads(body), "every message gets an answer"
    assert_still_answering(durable, canary)


@pytest.mark.parametrize("body", list(BAD_SHAPE_BODIES.values()), ids=list(BAD_SHAPE_BODIES))
def test_malformed_requests_are_refused_without_a_server_error(
    durable: Assistant, canary: str, body: bytes
) -> None:
    status, answer = post_body(durable, body)
    assert 400 <= status < 500, (status, answer[:300])
    assert_still_answering(durable, canary)
