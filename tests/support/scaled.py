"""Rasa's scale-out design for the end-to-end tests: throw-away PostgreSQL and Redis, one action
server and two (or `count`) Rasa servers sharing them (tests/e2e/test_scale_out.py, test_nginx_scale_out.py;
also the benchmark's scaled mode, bench/setups.py, which passes folders of its own and its model)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Protocol, Tuple

import sqlalchemy as sa

from scripts import privacy
from scripts.scaled_endpoints import write_scaled_endpoints
from tests.support.harness import Assistant, latest_model
from tests.support.services import PostgresServer, RedisServer, require_services


@dataclass
class ScaledAssistant(Assistant):
    """A Rasa server whose endpoints file is the scaled one, pointing at the test's services."""

    services_env: Dict[str, str] = field(default_factory=dict)

    def write_endpoints(self) -> None:
        write_scaled_endpoints(
            self.endpoints_file,
            {
                **self.services_env,
                "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            },
        )


@dataclass
class ScaledDeployment:
    postgres: PostgresServer
    redis: RedisServer
    servers: List[ScaledAssistant]

    def user_messages(self, sender: str) -> List[str]:
        """The messages the person sent in a conversation, as stored in PostgreSQL, in stored order.

        When a message answers "did you mean ...?" clearly, Rasa's two-stage fallback reverts it
        and stores it again with the clarified intent (a `rewind`, then the same text): that copy
        is Rasa's bookkeeping, not a second message, and is left out."""
        texts: List[str] = []
        rewound_since_last = False
        for _, data in self.stored_rows(sender):
            event = json.loads(data)
            if event.get("event") == "rewind":
                rewound_since_last = True
            elif event.get("event") == "user":
                text = event.get("text")
                if not (rewound_since_last and texts and texts[-1] == text):
                    texts.append(text)
                rewound_since_last = False
        return texts

    def stored_rows(
        self, sender: Optional[str] = None, type_name: Optional[str] = None
    ) -> List[Tuple[int, str]]:
        events = privacy._events_table()
        query = sa.select(events.c.id, events.c.data).order_by(events.c.id)
        if sender is not None:
            query = query.where(events.c.sender_id == sender)
        if type_name is not None:
            query = query.where(events.c.type_name == type_name)
        engine = sa.create_engine(self.postgres.url())
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(query)]
        finally:
            engine.dispose()


class Folders(Protocol):
    """Where each server's files go: pytest's tmp_path_factory, or the benchmark's own folders."""

    def mktemp(self, basename: str) -> Path: ...


@contextmanager
def two_rasa_servers(
    folders: Folders, name: str, model: Optional[Path] = None
) -> Iterator[ScaledDeployment]:
    """PostgreSQL, Redis, one action server and two Rasa servers on them (with `model`, else the
    latest in models/), stopped afterwards."""
    with rasa_servers(folders, name, model, count=2) as deployment:
        yield deployment


@contextmanager
def rasa_servers(
    folders: Folders, name: str, model: Optional[Path] = None, count: int = 2
) -> Iterator[ScaledDeployment]:
    """PostgreSQL, Redis, one action server and `count` Rasa servers on them (folders
    <name>-a, <name>-b, ...), stopped afterwards."""
    require_services()
    model = model or latest_model()
    postgres, redis = PostgresServer(), RedisServer()
    servers: List[ScaledAssistant] = []
    try:
        postgres.start()
        redis.start()
        env = {**postgres.environment(), **redis.environment()}
        first = ScaledAssistant(
            workdir=folders.mktemp(f"{name}-a"), model=model, extra_env=env, services_env=env
        )
        servers = [first] + [
            ScaledAssistant(
                workdir=folders.mktemp(f"{name}-{chr(ord('a') + number)}"),
                model=model,
                extra_env=env,
                services_env=env,
                action_port=first.action_port,
            )
            for number in range(1, count)
        ]
        for server in servers:
            server.write_endpoints()
        first.start_action_server()
        with ThreadPoolExecutor(max_workers=count) as pool:  # all load their model at once
            for started in [pool.submit(server.start_rasa_server) for server in servers]:
                started.result()
        yield ScaledDeployment(postgres, redis, servers)
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        postgres.stop()
