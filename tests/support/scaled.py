"""Rasa's scale-out design for the end-to-end tests: throw-away PostgreSQL and Redis, one action
server and two Rasa servers sharing them (tests/e2e/test_scale_out.py, test_nginx_scale_out.py)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa

from scripts import privacy
from scripts.scaled_endpoints import write_scaled_endpoints
from tests.support.harness import Assistant
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
        """The person's messages of a conversation as stored in PostgreSQL, in stored order."""
        return [json.loads(data)["text"] for _, data in self.stored_rows(sender, type_name="user")]

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


@contextmanager
def two_rasa_servers(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[ScaledDeployment]:
    """PostgreSQL, Redis, one action server and two Rasa servers on them, stopped afterwards."""
    require_services()
    postgres, redis = PostgresServer(), RedisServer()
    servers: List[ScaledAssistant] = []
    try:
        postgres.start()
        redis.start()
        env = {**postgres.environment(), **redis.environment()}
        first = ScaledAssistant(
            workdir=tmp_path_factory.mktemp(f"{name}-a"), extra_env=env, services_env=env
        )
        second = ScaledAssistant(
            workdir=tmp_path_factory.mktemp(f"{name}-b"),
            extra_env=env,
            services_env=env,
            action_port=first.action_port,
        )
        servers = [first, second]
        for server in servers:
            server.write_endpoints()
        first.start_action_server()
        with ThreadPoolExecutor(max_workers=2) as pool:  # both load their model at once
            for started in [pool.submit(server.start_rasa_server) for server in servers]:
                started.result()
        yield ScaledDeployment(postgres, redis, servers)
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        postgres.stop()
