"""The tracker store of the single-server set-up: Rasa's SQL store on a local SQLite file, tuned.

Rasa commits every turn. In SQLite's default mode (rollback journal, `synchronous=FULL`) each
commit waits for several disk flushes; profiling the benchmark showed about a quarter of a turn's
time spent there. Write-ahead logging with `synchronous=NORMAL` flushes once per checkpoint
instead, and lets readers (the privacy tool, Rasa's HTTP API) read while a turn is written.

What this trades: a committed turn survives the server crashing or being killed, but the last
turns before a power cut or an operating-system crash may be lost (the file itself stays
consistent). For the clinic's shared set-up, use PostgreSQL (docs/scaling.md).

Configure it in an endpoints file as `type: stores.local_sqlite.LocalSQLiteTrackerStore` with the
same settings as `type: SQL`. On any other database it behaves as ReconnectingSQLTrackerStore.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from stores.reconnecting_sql import ReconnectingSQLTrackerStore

SQLITE_SETTINGS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _tune_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for statement in SQLITE_SETTINGS:
            cursor.execute(statement)
    finally:
        cursor.close()


class LocalSQLiteTrackerStore(ReconnectingSQLTrackerStore):
    """SQLTrackerStore whose SQLite connections use write-ahead logging and fewer disk flushes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # a new engine that has not connected yet
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _tune_sqlite_connection)
