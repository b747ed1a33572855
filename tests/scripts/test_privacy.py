"""scripts/privacy.py on a SQLite tracker store written by Rasa's own SQLTrackerStore.

The same commands on PostgreSQL are tested with the scaled servers (tests/e2e/test_scale_out.py).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from scripts import privacy

DAY = 86_400.0
NOW = time.time()
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  audience:
    type: categorical
    values: [patient, trainee]
    mappings: [{type: custom}]
"""
)


def session(start: float, messages: List[str], audience: Optional[str] = None) -> List[Event]:
    """One conversation session as Rasa stores it, its events a second apart from `start`."""
    events: List[Event] = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.5),
        ActionExecuted("action_listen", timestamp=start + 0.6),
    ]
    for number, text in enumerate(messages, start=1):
        events += [
            UserUttered(text, timestamp=start + number),
            BotUttered(f"reply to {text}", timestamp=start + number + 0.1),
            ActionExecuted("action_listen", timestamp=start + number + 0.2),
        ]
    if audience:
        events.append(SlotSet("audience", audience, timestamp=start + len(messages) + 0.5))
    return events


def save(store: SQLTrackerStore, sender: str, events: List[Event]) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, DOMAIN.slots)))


def user_texts(store: SQLTrackerStore, sender: str, all_sessions: bool = False) -> List[str]:
    retrieve = store.retrieve_full_tracker if all_sessions else store.retrieve
    tracker = asyncio.run(retrieve(sender))
    return [] if tracker is None else [e.text for e in tracker.events if isinstance(e, UserUttered)]


@pytest.fixture
def store(tmp_path: Path) -> SQLTrackerStore:
    """Three conversations: recent, quiet for 40 days, and in use with a 40-day-old session."""
    rasa_store = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    save(
        rasa_store,
        "recent",
        session(NOW - 3600, ["hello", "what was pain at 22 weeks?"], "trainee"),
    )
    save(rasa_store, "quiet", session(NOW - 40 * DAY, ["hi there", "my back hurts"]))
    save(
        rasa_store,
        "returning",
        session(NOW - 40 * DAY, ["old question"], "patient") + session(NOW - 60, ["new question"]),
    )
    return rasa_store


@pytest.fixture
def endpoints(tmp_path: Path, store: SQLTrackerStore) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n"
    )
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple:
    status = privacy.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list_shows_every_conversation_with_its_size(
    endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(capsys, "--endpoints", str(endpoints), "list")
    assert status == 0
    assert "'quiet': 9 events, 2 messages from the person" in out
    assert "3 conversation(s) stored." in out


def test_delete_conversation_is_a_dry_run_without_yes(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(capsys, "--endpoints", str(endpoints), "delete-conversation", "recent")
    assert status == 0
    assert "Would delete whole conversation 'recent'" in out and "Dry run: nothing deleted" in out
    assert user_texts(store, "recent") == ["hello", "what was pain at 22 weeks?"]


def test_delete_conversation_with_yes_removes_only_that_person(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(
        capsys, "--endpoints", str(endpoints), "delete-conversation", "recent", "--yes"
    )
    assert status == 0
    assert "Deleted 10 events in 1 conversation(s)." in out
    assert asyncio.run(store.retrieve_full_tracker("recent")) is None
    assert user_texts(store, "quiet") == ["hi there", "my back hurts"]
    assert user_texts(store, "returning", all_sessions=True) == ["old question", "new question"]


def test_unknown_sender_deletes_nothing(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(
        capsys, "--endpoints", str(endpoints), "delete-conversation", "nobody-like-this", "--yes"
    )
    assert status == 0
    assert "No conversation with sender id 'nobody-like-this' is stored." in out
    assert sorted(asyncio.run(store.keys())) == ["quiet", "recent", "returning"]


def test_delete_older_than_removes_quiet_conversations_and_old_sessions(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(capsys, "--endpoints", str(endpoints), "delete-older-than", "30", "--yes")
    assert status == 0
    assert "Deleting whole conversation 'quiet'" in out
    assert "Deleting 7 of 13 events of 'returning' (earlier sessions" in out
    assert "Deleted 16 events in 2 conversation(s)." in out
    assert asyncio.run(store.retrieve_full_tracker("quiet")) is None
    assert user_texts(store, "recent") == ["hello", "what was pain at 22 weeks?"]
    assert user_texts(store, "returning", all_sessions=True) == ["new question"]


def test_conversation_continues_normally_after_its_old_sessions_are_deleted(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    before = asyncio.run(store.retrieve("returning"))
    assert run(capsys, "--endpoints", str(endpoints), "delete-older-than", "30", "--yes")[0] == 0
    after = asyncio.run(store.retrieve("returning"))
    assert [e.as_dict() for e in after.events] == [e.as_dict() for e in before.events]
    # Rasa stores only the events it has not stored yet (it counts them): the next message
    # must be stored exactly once.
    after.update(UserUttered("one more", timestamp=NOW))
    asyncio.run(store.save(after))
    assert user_texts(store, "returning") == ["new question", "one more"]


def test_delete_older_than_is_a_dry_run_without_yes(
    store: SQLTrackerStore, endpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    status, out, _ = run(capsys, "--endpoints", str(endpoints), "delete-older-than", "30")
    assert status == 0
    assert "Would delete whole conversation 'quiet'" in out
    assert "Dry run: nothing deleted. Run again with --yes to delete these 16 events." in out
    assert sorted(asyncio.run(store.keys())) == ["quiet", "recent", "returning"]


def test_nothing_old_enough(endpoints: Path, capsys: pytest.CaptureFixture) -> None:
    status, out, _ = run(capsys, "--endpoints", str(endpoints), "delete-older-than", "365", "--yes")
    assert status == 0 and "Nothing is older than 365 days." in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("lock_store:\n  type: in_memory\n", "in memory only"),
        ("tracker_store:\n  type: redis\n  url: localhost\n", "of type 'redis'"),
        (
            "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: ${PRIVACY_TEST_UNSET_VARIABLE}\n",
            "cannot read",
        ),
        (
            "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: /nonexistent/dir/tracker.db\n",
            "no tracker database at",
        ),
    ],
    ids=["no-tracker-store", "redis", "unset-variable", "missing-database"],
)
def test_unusable_endpoints_give_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture, content: str, message: str
) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(content)
    status, _, err = run(capsys, "--endpoints", str(path), "list")
    assert status == 2
    assert message in err


def test_the_scaled_tracker_store_class_is_understood(
    store: SQLTrackerStore, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "scaled.yml"
    path.write_text(
        "tracker_store:\n  type: stores.reconnecting_sql.ReconnectingSQLTrackerStore\n"
        f"  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n"
    )
    status, out, _ = run(capsys, "--endpoints", str(path), "list")
    assert status == 0 and "3 conversation(s) stored." in out


def test_an_unknown_tracker_store_class_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text("tracker_store:\n  type: stores.no_such_module.Store\n")
    status, _, err = run(capsys, "--endpoints", str(path), "list")
    assert status == 2 and "cannot load the tracker store class" in err


def test_bad_arguments_are_refused(endpoints: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(capsys, "--endpoints", str(endpoints), "delete-older-than", "-1")[0] == 2
    assert run(capsys, "--endpoints", str(endpoints), "delete-conversation", "  ")[0] == 2


def test_default_endpoints_point_at_the_project_sqlite_file() -> None:
    url = privacy.tracker_store_url(privacy.DEFAULT_ENDPOINTS)
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == privacy.PROJECT_ROOT / "var" / "tracker.db"


def test_command_line(store: SQLTrackerStore, endpoints: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "scripts/privacy.py",
            "--endpoints",
            str(endpoints),
            "delete-conversation",
            "quiet",
            "--yes",
        ],
        cwd=privacy.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "Deleted 9 events in 1 conversation(s)." in result.stdout
    assert asyncio.run(store.retrieve_full_tracker("quiet")) is None
