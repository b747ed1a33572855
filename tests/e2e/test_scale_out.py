"""Two Rasa servers on one PostgreSQL (tracker store) and one Redis (lock store).

The deployment `make run-scaled` starts (docs/scaling.md): the endpoints file comes from
scripts/scaled_endpoints.py, the database and Redis are throw-away servers (tests/support/services.py).
One action server and two Rasa servers are started once for the module (each takes ~20 s).
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List

import pytest
import sqlalchemy as sa

from scripts import privacy
from tests.e2e.raw_http import post_message
from tests.support.scaled import ScaledDeployment, two_rasa_servers

pytestmark = pytest.mark.e2e

CONVERSATIONS = 50
TURNS = 20
LOAD_DEADLINE_SECONDS = 240  # the load test stops by itself, whatever happens


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledDeployment]:
    with two_rasa_servers(tmp_path_factory, "scaled") as deployment:
        yield deployment


def test_endpoints_name_postgresql_and_redis_and_keep_the_password_off_disk(
    scaled: ScaledDeployment,
) -> None:
    written = scaled.servers[0].endpoints_file.read_text()
    assert "dialect: postgresql" in written and "type: redis" in written
    assert "${DB_PASSWORD}" in written and scaled.postgres.password not in written


def test_turns_alternating_between_servers_see_the_turn_before(
    scaled: ScaledDeployment, sender: str
) -> None:
    first, second = scaled.servers
    first.send(sender, "I'm a physio student")
    # The second server knows the person is a trainee: exact figures with the spread.
    assert "3.86 (SD 2.35)" in second.say(sender, "What was pain in the control group at 22 weeks?")
    # The first server knows the outcome and time point the second one set.
    assert "1.66 (SD 2.00)" in first.say(sender, "and the experimental group?")
    assert "1.74 (SD 1.74)" in second.say(sender, "what about at 10 weeks?")
    slots = first.slots(sender)
    assert (slots["audience"], slots["outcome"], slots["group"], slots["timepoint"]) == (
        "trainee",
        "pain",
        "experimental",
        "week10",
    )
    assert first.tracker(sender)["events"] == second.tracker(sender)["events"]


def test_many_simultaneous_conversations_keep_every_message_once_in_order(
    scaled: ScaledDeployment,
) -> None:
    deadline = time.monotonic() + LOAD_DEADLINE_SECONDS
    failures: List[str] = []
    failures_lock = threading.Lock()
    senders = [f"load-{number:02d}" for number in range(CONVERSATIONS)]

    def message(sender: str, turn: int) -> str:
        return f"hello, message {turn} from {sender}"

    def converse(index: int) -> None:
        sender = senders[index]
        for turn in range(TURNS):
            if time.monotonic() > deadline:
                with failures_lock:
                    failures.append(f"{sender}: deadline reached before turn {turn}")
                return
            server = scaled.servers[(index + turn) % 2]  # every conversation alternates servers
            try:
                status, body = post_message(server, sender, message(sender, turn))
            except OSError as error:
                status, body = 0, str(error).encode()
            if status != 200 or not json.loads(body or b"[]"):
                with failures_lock:
                    failures.append(f"{sender} turn {turn}: HTTP {status} {body[:200]!r}")
                return

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:  # one thread per conversation
        list(pool.map(converse, range(CONVERSATIONS)))
    elapsed = time.monotonic() - started
    assert not failures, (
        f"{len(failures)} conversations failed after {elapsed:.0f}s: {failures[:5]}"
    )
    for sender in senders:
        assert scaled.user_messages(sender) == [message(sender, turn) for turn in range(TURNS)], (
            sender
        )


def test_privacy_commands_on_postgresql(scaled: ScaledDeployment, sender: str) -> None:
    server = scaled.servers[0]
    server.send(sender, "hello")
    server.send(sender, "I'm a patient")
    endpoints = str(server.endpoints_file)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in scaled.postgres.environment().items():
            patch.setenv(name, value)  # the endpoints file names ${DB_PASSWORD}
        assert privacy.main(["--endpoints", endpoints, "delete-conversation", sender]) == 0
        assert scaled.user_messages(sender) == ["hello", "I'm a patient"]  # dry run
        assert privacy.main(["--endpoints", endpoints, "delete-conversation", sender, "--yes"]) == 0
        assert scaled.stored_rows(sender) == []
        # Rasa starts afresh for that person: nothing of the old conversation is left.
        assert server.slots(sender)["audience"] is None

        # Older than N days: make one conversation look 40 days old.
        old, recent = f"{sender}-old", f"{sender}-recent"
        server.send(old, "hello")
        server.send(recent, "hello")
        engine = sa.create_engine(scaled.postgres.url())
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "UPDATE events SET timestamp = timestamp - 40 * 86400 WHERE sender_id = :sender"
                ),
                sender=old,
            )
        engine.dispose()
        assert privacy.main(["--endpoints", endpoints, "delete-older-than", "30", "--yes"]) == 0
        assert scaled.stored_rows(old) == []
        assert scaled.user_messages(recent) == ["hello"]


def test_database_outage_is_reported_cleanly_and_recovered_from(
    scaled: ScaledDeployment, sender: str
) -> None:
    first, second = scaled.servers
    first.send(sender, "I'm a physio student")
    assert "3.86 (SD 2.35)" in second.say(sender, "What was pain in the control group at 22 weeks?")
    stored_before = scaled.stored_rows()

    scaled.postgres.stop_server()
    try:
        status, body = post_message(first, sender, "and the experimental group?")
        print(f"PostgreSQL down: HTTP {status} {body[:300]!r}")  # shown with pytest -rP
        # Rasa wraps its tracker store in FailSafeTrackerStore: reading fails, so it answers as
        # in a new conversation and keeps that turn in memory only (see docs/scaling.md).
        assert status == 200 and json.loads(body), (status, body)
        assert first.rasa_server.poll() is None and second.rasa_server.poll() is None, (
            "a server crashed"
        )
    finally:
        scaled.postgres.start_server()

    # Both servers reconnect (the second one's pooled connections died with the database);
    # the conversation carries on where it was before the outage.
    assert "1.66 (SD 2.00)" in second.say(sender, "and the experimental group?")
    assert "1.74 (SD 1.74)" in first.say(sender, "what about at 10 weeks?")
    stored_after = dict(scaled.stored_rows())
    assert all(stored_after.get(row_id) == data for row_id, data in stored_before), (
        "stored events changed"
    )
    # The turn answered during the outage was never stored; nothing else is missing or doubled.
    assert scaled.user_messages(sender) == [
        "I'm a physio student",
        "What was pain in the control group at 22 weeks?",
        "and the experimental group?",
        "what about at 10 weeks?",
    ]


def test_redis_outage_fails_only_while_it_lasts(scaled: ScaledDeployment, sender: str) -> None:
    first, second = scaled.servers
    first.send(sender, "I'm a physio student")
    scaled.redis.stop_server()
    try:
        # Without the lock store no server may touch a conversation: Rasa raises LockError and
        # the REST channel (channels/rest.py) answers with its apology instead of an HTTP 500.
        status, body = post_message(
            second, sender, "What was pain in the control group at 22 weeks?"
        )
        print(f"Redis down: HTTP {status} {body[:300]!r}")  # shown with pytest -rP
        assert status == 200 and "look that up right now" in body.decode(), (status, body)
        assert first.rasa_server.poll() is None and second.rasa_server.poll() is None, (
            "a server crashed"
        )
    finally:
        scaled.redis.start_server()
    assert "3.86 (SD 2.35)" in second.say(sender, "What was pain in the control group at 22 weeks?")
    assert "1.66 (SD 2.00)" in first.say(sender, "and the experimental group?")
