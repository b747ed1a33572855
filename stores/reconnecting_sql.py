"""Rasa's SQL tracker store, made to survive a database restart without mixing up conversations.

Rasa 3.6's SQLTrackerStore keeps a pool of open database connections. After the database
restarts, those connections are dead, and the first message on each Rasa server fails to read
its conversation. Rasa (FailSafeTrackerStore) then carries on as if the conversation were new:
the person gets the opening notice instead of an answer in context, and when the write that
follows succeeds it can append part of that made-up conversation to the stored one (Rasa
writes the events beyond the number already stored).

The only change here: SQLAlchemy tests each pooled connection before use (`pool_pre_ping`)
and replaces a dead one, so the first message after a restart reads the real conversation.
Everything else (the `events` table, how events are stored and read) is Rasa's own. Saving a
tracker also notes how its latest turn ended, for the turn's log line (stores/turn_log.py).
Configure it in an endpoints file as `type: stores.reconnecting_sql.ReconnectingSQLTrackerStore`
with the same settings as `type: SQL`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

from stores import turn_log


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection pool checks connections before handing them out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # connects, waits for the database, creates the table
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        turn_log.record_outcome(tracker)
