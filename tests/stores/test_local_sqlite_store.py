"""stores/local_sqlite.py: the single-server tracker store keeps Rasa's behaviour, in WAL mode."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from stores.local_sqlite import LocalSQLiteTrackerStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def store_from_endpoint(db: Path) -> TrackerStore:
    """Built the way `rasa run` builds it from endpoints.yml."""
    config = EndpointConfig(
        type="stores.local_sqlite.LocalSQLiteTrackerStore", dialect="sqlite", db=str(db)
    )
    return TrackerStore.create(config, Domain.empty())


def test_endpoints_file_uses_the_tuned_store() -> None:
    from rasa.core.utils import read_endpoints_from_path

    endpoints = read_endpoints_from_path(str(PROJECT_ROOT / "endpoints.yml"))
    assert endpoints.tracker_store.type == "stores.local_sqlite.LocalSQLiteTrackerStore"


def test_turns_are_saved_and_read_back_in_write_ahead_log_mode(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = store_from_endpoint(db)
    # TrackerStore.create wraps custom stores; the real one is inside.
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, LocalSQLiteTrackerStore)
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hello 👋"),
        BotUttered("Hi!"),
        ActionExecuted("action_listen"),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("someone", events)))

    read_back = asyncio.run(store.retrieve("someone"))
    assert [e.text for e in read_back.events if isinstance(e, UserUttered)] == ["hello 👋"]
    with sqlite3.connect(db) as plain:  # the mode is stored in the database file itself
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with inner.engine.connect() as connection:  # and each of the store's connections flushes less
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_plain_sql_store_is_left_in_sqlite_default_mode(tmp_path: Path) -> None:
    # The control for the test above: without the tuned class, SQLite keeps its rollback journal.
    db = tmp_path / "plain.db"
    store = TrackerStore.create(
        EndpointConfig(type="SQL", dialect="sqlite", db=str(db)), Domain.empty()
    )
    asyncio.run(
        store.save(DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen")]))
    )
    with sqlite3.connect(db) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
