"""The two set-ups `python -m bench --scaled` compares, each started with the tests' own code:

- single: one action server and one Rasa server on its SQLite tracker store, as `make run` has
  them (tests/support/harness.py);
- scaled: nginx (tests/support/nginx.py) in front of two Rasa servers sharing one PostgreSQL
  tracker store and one Redis lock store, with one action server, as `make run-scaled` has them
  (tests/support/scaled.py, tests/support/services.py). nginx's per-address rate limit is raised,
  since all the load comes from 127.0.0.1;
- nginx-1: the same with one Rasa server (`RASA_SERVERS=1 make run-scaled`), which tells what
  the shared stores and nginx cost from what the second server brings.

Each yields a Target: where the load goes, each Rasa server's own address (for the warm-up), the
processes whose memory is sampled, and the other processes whose CPU time is counted.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

from tests.support.harness import Assistant
from tests.support.nginx import Nginx
from tests.support.scaled import rasa_servers
from tests.support.services import postgres_bin_dir, redis_server_binary


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    url: str  # where the load generator sends every turn
    rasa_urls: List[str]  # each Rasa server directly, to warm each one up
    pids: Dict[str, int]  # the Rasa and action servers: memory sampled, CPU time counted
    others: Dict[str, int] = field(default_factory=dict)  # PostgreSQL, Redis, nginx: CPU time


class Folders:
    """Fresh folders under one root, named as asked (what two_rasa_servers needs of pytest's
    tmp_path_factory); kept after the run for their logs."""

    def __init__(self, root: Path):
        self.root = root

    def mktemp(self, basename: str) -> Path:
        path = self.root / basename
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path


def missing_programs() -> List[str]:
    """What the scaled set-up needs from Debian's packages and does not find."""
    found = {
        "PostgreSQL (initdb)": postgres_bin_dir(),
        "redis-server": redis_server_binary(),
        "nginx": shutil.which("nginx"),
    }
    return [name for name, where in found.items() if not where]


def assistant_target(assistant: Assistant) -> Target:
    """A running single assistant as a target."""
    assert assistant.rasa_server is not None and assistant.action_server is not None
    return Target(
        "single",
        "one Rasa server (SQLite tracker store, as make run)",
        assistant.rasa_url,
        [assistant.rasa_url],
        {"rasa": assistant.rasa_server.pid, "actions": assistant.action_server.pid},
    )


@contextmanager
def single_server(work: Path, model: Path) -> Iterator[Target]:
    assistant = Assistant(workdir=Folders(work).mktemp("servers-single"), model=model)
    try:
        assistant.start()
        yield assistant_target(assistant)
    finally:
        assistant.stop()


@contextmanager
def nginx_in_front(rasa_urls: List[str]) -> Iterator[Nginx]:
    """nginx over these Rasa servers (http://127.0.0.1:port each), stopped afterwards."""
    proxy = Nginx([url.removeprefix("http://") for url in rasa_urls])
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.stop()


@contextmanager
def scaled_servers(work: Path, model: Path, count: int = 2) -> Iterator[Target]:
    """nginx over `count` Rasa servers on PostgreSQL and Redis, with one action server."""
    missing = missing_programs()
    if missing:
        raise RuntimeError(
            f"the scaled set-up needs {', '.join(missing)}: scripts/install_system_packages.sh"
        )
    name = "scaled" if count == 2 else f"nginx-{count}"
    with rasa_servers(Folders(work), f"servers-{name}", model, count) as deployment:
        rasa_urls = [server.rasa_url for server in deployment.servers]
        with nginx_in_front(rasa_urls) as proxy:
            pids = {
                f"rasa-{number}": server.rasa_server.pid
                for number, server in enumerate(deployment.servers, 1)
                if server.rasa_server
            }
            actions = deployment.servers[0].action_server
            assert actions is not None and deployment.redis.process and proxy.process
            postmaster = deployment.postgres.data_dir / "postmaster.pid"
            servers = {1: "one Rasa server", 2: "two Rasa servers"}.get(
                count, f"{count} Rasa servers"
            )
            yield Target(
                name,
                f"{servers} behind nginx (PostgreSQL, Redis, as make run-scaled)",
                proxy.url,
                rasa_urls,
                {**pids, "actions": actions.pid},
                {
                    "postgresql": int(postmaster.read_text().split()[0]),
                    "redis": deployment.redis.process.pid,
                    "nginx": proxy.process.pid,
                },
            )
