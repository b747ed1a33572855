"""Delete stored conversations: one person's (by sender id), or those older than N days.

Works on the SQL tracker store named in an endpoints file (default: endpoints.yml, the SQLite
file var/tracker.db; var/endpoints.scaled.yml for PostgreSQL). It deletes rows of Rasa's own
`events` table (rasa.core.tracker_store.SQLTrackerStore), the only place Rasa keeps a
conversation. Nothing is deleted without --yes: without it the command only shows what it
would delete.

    python scripts/privacy.py list
    python scripts/privacy.py delete-conversation SENDER_ID [--yes]
    python scripts/privacy.py delete-older-than DAYS [--yes]
    (each takes --endpoints FILE; ${VARIABLES} in it are read from the environment, as Rasa does)

"Older than N days" removes every conversation with no event in the last N days, and, in
conversations still in use, the earlier sessions (see session_config in domain.yml) that ended
more than N days ago. The current session of a conversation is never cut into: Rasa counts
its stored events to know which are new, so removing part of it would corrupt it.
Exit status: 0 done (or dry run), 2 the endpoints file or store cannot be used.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
SECONDS_PER_DAY = 86_400
CONNECT_TIMEOUT_SECONDS = 10
SESSION_STARTED = "session_started"
USER_MESSAGE = "user"


class PrivacyError(RuntimeError):
    """The store cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Conversation:
    """What is stored for one sender id."""

    sender_id: str
    events: int
    user_messages: int
    first_event: Optional[float]
    last_event: Optional[float]


@dataclass(frozen=True)
class Deletion:
    """Events of one conversation to delete: all of them, or those before `before`."""

    conversation: Conversation
    events: int
    before: Optional[float] = None  # None: the whole conversation

    @property
    def whole(self) -> bool:
        return self.before is None


# --- which database ---------------------------------------------------------------------------
def _events_table() -> sa.Table:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore.SQLEvent.__table__


def _is_sql_tracker_store(store_type: str) -> bool:
    """`SQL`, or a module path to a subclass of Rasa's SQLTrackerStore (same table)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.common import class_from_module_path

    if store_type.lower() == "sql":
        return True
    if "." not in store_type:
        return False
    try:
        store_class = class_from_module_path(store_type)
    except (ImportError, AttributeError) as error:
        raise PrivacyError(
            f"cannot load the tracker store class {store_type!r}: {error}"
        ) from error
    return isinstance(store_class, type) and issubclass(store_class, SQLTrackerStore)


def tracker_store_url(endpoints: Path) -> URL:
    """The SQLAlchemy URL of the SQL tracker store configured in an endpoints file."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    if not endpoints.is_file():
        raise PrivacyError(f"no endpoints file at {endpoints}")
    try:
        config = read_endpoint_config(str(endpoints), "tracker_store")
    except (RasaException, ValueError) as error:  # e.g. a ${VARIABLE} that is not set
        raise PrivacyError(f"cannot read {endpoints}: {error}") from error
    if config is None or config.type is None:
        raise PrivacyError(
            f"{endpoints} names no tracker store, so Rasa keeps conversations in memory only: "
            "nothing is stored and they are gone when the server stops"
        )
    if not _is_sql_tracker_store(config.type):
        raise PrivacyError(
            f"the tracker store in {endpoints} is of type {config.type!r}; "
            "this command handles Rasa's SQL tracker store (SQLite, PostgreSQL)"
        )
    settings: Dict[str, Any] = dict(config.kwargs)
    dialect = settings.get("dialect", "sqlite")
    db = str(settings.get("db", "rasa.db"))
    if dialect == "sqlite" and db and not Path(db).is_absolute():
        db = str(PROJECT_ROOT / db)  # Rasa runs from the project root (make run)
    url = SQLTrackerStore.get_db_url(
        dialect,
        config.url,
        settings.get("port"),
        db,
        settings.get("username"),
        settings.get("password"),
        None,
        settings.get("query"),
    )
    return sa.engine.make_url(url) if isinstance(url, str) else url


def printable(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def open_engine(url: URL) -> Engine:
    """An engine that fails within seconds when the database is down (no endless retry)."""
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).is_file():
            raise PrivacyError(
                f"no tracker database at {url.database}: no conversation is stored there"
            )
        return sa.create_engine(url)
    connect_args: Dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        schema = os.environ.get("POSTGRESQL_SCHEMA")  # as Rasa's SQL tracker store honours it
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
    return sa.create_engine(url, connect_args=connect_args)


# --- what is stored and what to delete --------------------------------------------------------
class ConversationStore:
    """Rasa's `events` table, read and pruned with SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.events = _events_table()
        try:
            self.present = sa.inspect(engine).has_table(self.events.name)
        except sa.exc.OperationalError as error:
            raise PrivacyError(f"cannot reach the tracker store: {error.orig}") from error

    def conversations(self, sender_ids: Optional[Sequence[str]] = None) -> List[Conversation]:
        if not self.present:
            return []
        events = self.events.c
        query = (
            sa.select(
                events.sender_id,
                sa.func.count(),
                sa.func.sum(sa.case((events.type_name == USER_MESSAGE, 1), else_=0)),
                sa.func.min(events.timestamp),
                sa.func.max(events.timestamp),
            )
            .group_by(events.sender_id)
            .order_by(sa.func.max(events.timestamp))
        )
        if sender_ids is not None:
            query = query.where(events.sender_id.in_(list(sender_ids)))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Conversation(row[0], row[1], int(row[2] or 0), row[3], row[4]) for row in rows]

    def _latest_session_starts(self) -> Dict[str, float]:
        events = self.events.c
        query = (
            sa.select(events.sender_id, sa.func.max(events.timestamp))
            .where(events.type_name == SESSION_STARTED)
            .group_by(events.sender_id)
        )
        with self.engine.connect() as connection:
            return {
                sender: started
                for sender, started in connection.execute(query)
                if started is not None
            }

    def _count_before(self, sender_id: str, before: float) -> int:
        events = self.events.c
        query = sa.select(sa.func.count()).where(
            events.sender_id == sender_id, events.timestamp < before
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def plan_conversation(self, sender_id: str) -> List[Deletion]:
        return [Deletion(c, c.events) for c in self.conversations([sender_id])]

    def plan_older_than(self, days: float, now: Optional[float] = None) -> List[Deletion]:
        cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
        session_starts = self._latest_session_starts() if self.present else {}
        plan: List[Deletion] = []
        for conversation in self.conversations():
            if conversation.last_event is None or conversation.last_event < cutoff:
                plan.append(Deletion(conversation, conversation.events))
                continue
            # Still in use: only earlier sessions, everything before the current one began.
            before = min(cutoff, session_starts.get(conversation.sender_id, float("-inf")))
            count = (
                self._count_before(conversation.sender_id, before) if before > float("-inf") else 0
            )
            if count:
                plan.append(Deletion(conversation, count, before))
        return plan

    def delete(self, plan: Iterable[Deletion]) -> int:
        """Carry out a plan in one transaction; returns the number of events deleted."""
        events = self.events.c
        deleted = 0
        with self.engine.begin() as connection:
            for item in plan:
                condition = events.sender_id == item.conversation.sender_id
                if not item.whole:
                    condition = sa.and_(condition, events.timestamp < item.before)
                deleted += connection.execute(sa.delete(self.events).where(condition)).rowcount
        return deleted


# --- the command ------------------------------------------------------------------------------
def _when(timestamp: Optional[float]) -> str:
    if timestamp is None:
        return "unknown time"
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def describe(conversation: Conversation) -> str:
    return (
        f"{conversation.sender_id!r}: {conversation.events} events, {conversation.user_messages} messages "
        f"from the person, {_when(conversation.first_event)} to {_when(conversation.last_event)}"
    )


def describe_deletion(item: Deletion) -> str:
    if item.whole:
        return f"whole conversation {describe(item.conversation)}"
    return (
        f"{item.events} of {item.conversation.events} events of {item.conversation.sender_id!r} "
        f"(earlier sessions, before {_when(item.before)}; the current session stays)"
    )


def _carry_out(
    store: ConversationStore, plan: List[Deletion], confirmed: bool, nothing: str
) -> None:
    if not plan:
        print(nothing)
        return
    verb = "Deleting" if confirmed else "Would delete"
    for item in plan:
        print(f"{verb} {describe_deletion(item)}")
    total = sum(item.events for item in plan)
    if not confirmed:
        print(f"Dry run: nothing deleted. Run again with --yes to delete these {total} events.")
        return
    deleted = store.delete(plan)
    print(f"Deleted {deleted} events in {len(plan)} conversation(s).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Show or delete stored conversations (Rasa's SQL tracker store).",
        epilog="Nothing is deleted without --yes.",
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=DEFAULT_ENDPOINTS,
        help="endpoints file naming the tracker store (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list stored conversations, oldest activity first")
    one = commands.add_parser(
        "delete-conversation", help="delete everything stored for one sender id"
    )
    one.add_argument("sender_id")
    one.add_argument("--yes", action="store_true", help="really delete (otherwise: dry run)")
    old = commands.add_parser(
        "delete-older-than", help="delete conversations with no activity for DAYS days"
    )
    old.add_argument("days", type=float)
    old.add_argument("--yes", action="store_true", help="really delete (otherwise: dry run)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "delete-older-than" and not args.days >= 0:
        print("privacy: DAYS must be zero or more", file=sys.stderr)
        return 2
    if args.command == "delete-conversation" and not args.sender_id.strip():
        print("privacy: the sender id is empty", file=sys.stderr)
        return 2
    try:
        url = tracker_store_url(args.endpoints.resolve())
        print(f"Tracker store: {printable(url)}")
        store = ConversationStore(open_engine(url))
        if args.command == "list":
            conversations = store.conversations()
            for conversation in conversations:
                print(describe(conversation))
            print(f"{len(conversations)} conversation(s) stored.")
        elif args.command == "delete-conversation":
            plan = store.plan_conversation(args.sender_id)
            _carry_out(
                store,
                plan,
                args.yes,
                f"No conversation with sender id {args.sender_id!r} is stored.",
            )
        else:
            plan = store.plan_older_than(args.days)
            _carry_out(store, plan, args.yes, f"Nothing is older than {args.days:g} days.")
    except PrivacyError as error:
        print(f"privacy: {error}", file=sys.stderr)
        return 2
    except sa.exc.SQLAlchemyError as error:
        print(
            f"privacy: the tracker store failed: {getattr(error, 'orig', None) or error}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    # Rasa 3.6's imports (and the libraries they pull in, which re-enable warnings) print
    # deprecation notices about their own code: noise in a command's report, so not shown.
    warnings.showwarning = lambda *args, **kwargs: None
    sys.exit(main())
