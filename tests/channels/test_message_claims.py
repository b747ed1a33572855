"""Copies of one message (same `metadata.message_id`) are handled once (channels/message_claims.py).

Through the REST channel's `_handle` with fake agents (tests/channels/test_rest.py): the claims of
one server (Rasa's in-memory lock store) and those of several servers on one Redis (Rasa's
RedisLockStore, a throw-away redis-server from tests/support/services.py; skipped without it,
except in CI). Through nginx and two real Rasa servers: tests/e2e/test_nginx_scale_out.py.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from channels import message_claims
from channels.message_claims import (
    ClaimsUnavailable,
    InMemoryMessageClaims,
    MessageClaims,
    RedisMessageClaims,
    claim_key,
    claims_for,
)
from channels.rest import BUSY_ERROR, ClinicRestInput, RestRequest
from tests.channels.test_rest import _FakeAgent
from tests.support.services import RedisServer, redis_server_binary

SENDER = "p1"


# --- the two claim stores, side by side ---


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if redis_server_binary() is None:
        import os

        reason = "redis-server not installed: scripts/install_system_packages.sh installs it"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


def _redis_lock_store(server: RedisServer) -> Any:
    """A Rasa server's lock store on the test's Redis: each call is another server's."""
    from rasa.core.lock_store import RedisLockStore

    return RedisLockStore(host="127.0.0.1", port=server.port, db=1)


@pytest.fixture(params=["in-memory", "redis"])
def new_lock_store(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """Makes the lock store of "another server": the same one in memory (there is one server),
    a new RedisLockStore on the same Redis otherwise."""
    if request.param == "in-memory":
        from rasa.core.lock_store import InMemoryLockStore

        shared = InMemoryLockStore()
        return lambda: shared
    server = request.getfixturevalue("redis_server")
    return lambda: _redis_lock_store(server)


def test_claims_follow_the_lock_store_and_keep_apart_from_its_keys(redis_server: Any) -> None:
    from rasa.core.lock_store import InMemoryLockStore

    memory = InMemoryLockStore()
    assert isinstance(claims_for(memory), InMemoryMessageClaims)
    assert claims_for(memory) is claims_for(memory)  # one per lock store: shared by requests
    assert claims_for(None) is None and claims_for(object()) is None
    redis_store = _redis_lock_store(redis_server)
    claims = claims_for(redis_store)
    assert isinstance(claims, RedisMessageClaims) and claims.client is redis_store.red
    assert claims.prefix == "message_claim:"  # beside Rasa's "lock:<conversation id>"
    key = claim_key(SENDER, "m1")
    assert SENDER not in key and key != claim_key(SENDER, "m2") != claim_key("p2", "m1")


def test_a_claim_is_held_by_one_token_until_released_or_lapsed(
    new_lock_store: Callable[[], Any],
) -> None:
    first, second = claims_for(new_lock_store()), claims_for(new_lock_store())
    assert first is not None and second is not None
    key = claim_key(SENDER, uuid.uuid4().hex)
    assert first.try_claim(key, "a")
    assert not second.try_claim(key, "b") and not first.try_claim(key, "b")
    assert not second.renew(key, "b") and first.renew(key, "a")
    second.release(key, "b")  # someone else's: left alone
    assert not second.try_claim(key, "b")
    first.release(key, "a")
    assert second.try_claim(key, "b")
    second.release(key, "b")
    _plant_dead_claim(first, SENDER, key_override=key, seconds=0.3)
    assert not second.try_claim(key, "c")
    time.sleep(0.5)  # its holder stopped renewing it: it lapses
    assert second.try_claim(key, "c")
    second.release(key, "c")


def test_the_redis_store_being_down_is_reported_not_raised_as_a_redis_error() -> None:
    from rasa.core.lock_store import RedisLockStore

    from tests.support.harness import free_port

    claims = claims_for(RedisLockStore(host="127.0.0.1", port=free_port(), socket_timeout=1))
    assert claims is not None
    with pytest.raises(ClaimsUnavailable):
        claims.try_claim("k", "t")
    # The channel then handles the message unclaimed: Rasa's lock fails the same way.
    claim = asyncio.run(message_claims.wait_for_claim(claims, SENDER, "m1"))
    assert claim is message_claims.UNCLAIMED and not claim.contested


# --- copies of one message through the REST channel ---


class _Server:
    """One Rasa server for the REST channel: the shared tracker store, its own lock store (or
    the shared one of a single server), a channel, and how often it ran a turn."""

    def __init__(self, tracker_agent: _FakeAgent, lock_store: Any) -> None:
        self.agent = _FakeAgent()
        self.agent.tracker_store = tracker_agent.tracker_store
        self.agent.lock_store = lock_store
        self.channel = ClinicRestInput()
        self.health: List[bool] = []  # answers of the action server's probe, then "up"
        self.handled: List[str] = []
        self.turn_seconds = 0.5

        async def action_server_up(_: Any) -> bool:
            return self.health.pop(0) if self.health else True

        self.channel._action_server_up = action_server_up  # type: ignore[method-assign]

    async def on_new_message(self, message: Any) -> None:
        # As Rasa's agent: the turn runs under the conversation's lock.
        async with self.agent.lock_store.lock(message.sender_id):
            self.handled.append(message.text)
            await asyncio.sleep(self.turn_seconds)
            await self.agent.store_message(message, [f"answer to {message.text}"])

    async def send(self, text: str, message_id: str, attempt: int) -> Tuple[int, Any]:
        request = RestRequest(SENDER, text, {"message_id": message_id, "attempt": attempt})
        answer = await self.channel._handle(request, self.on_new_message, self.agent)
        return answer.status, json.loads(answer.body)


def _servers(new_lock_store: Callable[[], Any]) -> Tuple[_Server, _Server]:
    tracker_agent = _FakeAgent()
    return _Server(tracker_agent, new_lock_store()), _Server(tracker_agent, new_lock_store())


def _stored_texts(server: _Server, which: str = "applied") -> List[str]:
    from rasa.shared.core.events import UserUttered

    async def read() -> List[str]:
        tracker = await server.agent.tracker_store.retrieve_full_tracker(SENDER)
        if tracker is None:
            return []
        events = tracker.applied_events() if which == "applied" else tracker.events
        return [e.text for e in events if isinstance(e, UserUttered)]

    return asyncio.run(read())


def _plant_dead_claim(
    claims: MessageClaims,
    sender: str,
    message_id: str = "",
    seconds: float = 0.6,
    key_override: Optional[str] = None,
) -> None:
    """A claim whose holder died: nobody renews it, so it lapses after `seconds`."""
    usual = claims.ttl_seconds
    claims.ttl_seconds = seconds
    try:
        assert claims.try_claim(key_override or claim_key(sender, message_id), "dead-server")
    finally:
        claims.ttl_seconds = usual


def _no_claims_left(server: _Server, message_id: str) -> bool:
    claims = claims_for(server.agent.lock_store)
    assert claims is not None
    key = claim_key(SENDER, message_id)
    free = claims.try_claim(key, "probe")
    if free:
        claims.release(key, "probe")
    return free


def test_two_copies_at_once_are_handled_once_and_both_get_its_replies(
    new_lock_store: Callable[[], Any],
) -> None:
    """The original on one server and a resend on another (or both on one): whichever claims
    first runs the turn; the other waits, then answers with that turn's replies."""
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex

    async def both() -> List[Tuple[int, Any]]:
        return await asyncio.gather(
            one.send("hello", message_id, 1), other.send("hello", message_id, 2)
        )

    answers = asyncio.run(both())
    expected = [{"recipient_id": SENDER, "text": "answer to hello"}]
    assert answers == [(200, expected), (200, expected)]
    assert one.handled + other.handled == ["hello"]
    assert _stored_texts(one, "all") == ["hello"]
    assert _no_claims_left(one, message_id)


def test_two_first_attempts_of_one_id_are_handled_once(
    new_lock_store: Callable[[], Any],
) -> None:
    """Even two copies marked attempt 1: the one that waited looks before it handles."""
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex

    async def both() -> List[Tuple[int, Any]]:
        return await asyncio.gather(one.send("hi", message_id, 1), other.send("hi", message_id, 1))

    statuses = [status for status, _ in asyncio.run(both())]
    assert statuses == [200, 200] and one.handled + other.handled == ["hi"]


def test_a_dead_claimants_message_is_handled_once_by_the_next_copy(
    new_lock_store: Callable[[], Any],
) -> None:
    """The server holding the claim (and the conversation's lock) died before storing the turn:
    the resend waits until both lapse, then handles the message, once."""
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex
    claims = claims_for(one.agent.lock_store)
    assert claims is not None
    _plant_dead_claim(claims, SENDER, message_id, seconds=0.6)
    one.agent.lock_store.issue_ticket(SENDER, lock_lifetime=1.5)  # never released either
    started = time.monotonic()
    status, body = asyncio.run(other.send("hello", message_id, 2))
    assert status == 200 and body == [{"recipient_id": SENDER, "text": "answer to hello"}]
    assert time.monotonic() - started >= 1.0  # it did wait for the dead server's lock
    assert other.handled == ["hello"] and _stored_texts(other, "all") == ["hello"]
    # A later copy (the answer lost on its way) is answered from the stored turn.
    assert asyncio.run(one.send("hello", message_id, 3))[0] == 200
    assert one.handled == [] and _stored_texts(one, "all") == ["hello"]


def test_a_dead_claimant_that_stored_its_turn_is_not_handled_again(
    new_lock_store: Callable[[], Any],
) -> None:
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex
    asyncio.run(one.send("hello", message_id, 1))
    claims = claims_for(one.agent.lock_store)
    assert claims is not None
    _plant_dead_claim(claims, SENDER, message_id, seconds=0.5)  # died just after storing
    status, body = asyncio.run(other.send("hello", message_id, 2))
    assert status == 200 and body == [{"recipient_id": SENDER, "text": "answer to hello"}]
    assert one.handled == ["hello"] and other.handled == []


def test_an_undone_turn_is_handled_again_by_the_copy_waiting_for_it(
    new_lock_store: Callable[[], Any],
) -> None:
    """The action server went away during the turn: it is undone and its claim released, so the
    copy that waited handles it (and it is stored once, in the applied events)."""
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex
    one.health = [True, False]  # up before the turn, gone after it

    async def both() -> List[Tuple[int, Any]]:
        first = asyncio.ensure_future(one.send("hello", message_id, 1))
        await asyncio.sleep(0.1)  # the first claims it
        second = await other.send("hello", message_id, 2)
        return [await first, second]

    (status_one, body_one), (status_two, body_two) = asyncio.run(both())
    assert status_one == 503 and "restarting" in body_one["error"]
    assert status_two == 200 and body_two == [{"recipient_id": SENDER, "text": "answer to hello"}]
    assert one.handled == ["hello"] and other.handled == ["hello"]
    assert _stored_texts(one) == ["hello"]  # the undone copy is no longer applied
    assert _no_claims_left(one, message_id)


def test_an_undone_turn_is_handled_again_on_the_next_resend(
    new_lock_store: Callable[[], Any],
) -> None:
    one, other = _servers(new_lock_store)
    message_id = uuid.uuid4().hex
    one.health = [True, False]
    assert asyncio.run(one.send("hello", message_id, 1))[0] == 503
    assert asyncio.run(other.send("hello", message_id, 2))[0] == 200
    assert other.handled == ["hello"] and _stored_texts(one) == ["hello"]


def test_a_copy_that_waits_too_long_is_told_to_send_it_again(
    new_lock_store: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(message_claims, "WAIT_SECONDS", 0.3)
    one, other = _servers(new_lock_store)
    one.turn_seconds = 1.0
    message_id = uuid.uuid4().hex

    async def both() -> List[Tuple[int, Any]]:
        return await asyncio.gather(
            one.send("hello", message_id, 1), other.send("hello", message_id, 2)
        )

    (status_one, _), (status_two, body_two) = asyncio.run(both())
    assert status_one == 200 and status_two == 503 and body_two["error"] == BUSY_ERROR
    assert one.handled == ["hello"] and other.handled == []


def test_a_long_turn_keeps_its_claim(
    new_lock_store: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is renewed while its turn runs, however long: a copy does not take it over."""
    one, other = _servers(new_lock_store)
    for server in (one, other):
        claims = claims_for(server.agent.lock_store)
        assert claims is not None
        monkeypatch.setattr(claims, "ttl_seconds", 0.3)
    one.turn_seconds = 1.2  # four lifetimes of the claim
    message_id = uuid.uuid4().hex

    async def both() -> List[Tuple[int, Any]]:
        first = asyncio.ensure_future(one.send("hello", message_id, 1))
        await asyncio.sleep(0.1)
        return [await other.send("hello", message_id, 2), await first]

    answers = asyncio.run(both())
    assert [status for status, _ in answers] == [200, 200]
    assert one.handled == ["hello"] and other.handled == []


def test_without_a_message_id_nothing_is_claimed(new_lock_store: Callable[[], Any]) -> None:
    one, _ = _servers(new_lock_store)

    async def send() -> Dict[str, Any]:
        request = RestRequest(SENDER, "hello", None)
        answer = await one.channel._handle(request, one.on_new_message, one.agent)
        return {"status": answer.status}

    assert asyncio.run(send()) == {"status": 200} and one.handled == ["hello"]
