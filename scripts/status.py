#!/usr/bin/env python3
"""`make status`: is every part of the assistant up? One line per part; exit 1 when any is down.

    .venv/bin/python scripts/status.py [--scaled] [--endpoints FILE]

Parts checked (ports from RASA_PORT, ACTION_PORT, WEB_PORT as for `make run`):
- action server: GET /health answers 200.
- Rasa server: the REST channel's GET /webhooks/rest/ answers with `model_loaded: true`. This
  works without Rasa's HTTP API (off unless RASA_API_TOKEN is set) and sends no message, so no
  conversation is started or changed by asking.
- page server: GET /config.json answers 200.
- tracker store: from the endpoints file. SQLite: the file exists and its `events` table can be
  read (read-only). PostgreSQL (scaled): a connection and `SELECT 1`.
- lock store (scaled): Redis answers PING.
With --scaled: RASA_SERVERS Rasa servers on RASA_PORT, RASA_PORT+1, ..., var/endpoints.scaled.yml,
and no page server (scripts/run_scaled.sh starts none). Under supervisord, the supervisor's own
view (RUNNING, STARTING, BACKOFF, FATAL) is added to each line when its socket is found in RUN_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 3
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass
class Check:
    part: str
    up: bool
    detail: str


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
        body = answer.read()
    return json.loads(body) if body.strip().startswith((b"{", b"[")) else None


def check_url(
    part: str, url: str, accept: Callable[[Any], Optional[str]] = lambda _: None
) -> Check:
    """Up when `url` answers 200 and `accept` (given the JSON answer) finds nothing wrong."""
    try:
        problem = accept(get_json(url))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return Check(part, False, f"{url}: {reason}")
    return Check(part, problem is None, f"{url}" + (f": {problem}" if problem else ""))


def model_loaded(answer: Any) -> Optional[str]:
    if not isinstance(answer, dict) or answer.get("model_loaded") is not True:
        return "no model loaded"
    return None


def expand(value: Any) -> Any:
    """`${VARIABLE}` in an endpoints file, from the environment as Rasa does (unset: empty)."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: os.environ.get(match.group(1), ""), value)
    return value


def read_endpoints(path: Path) -> Dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        key: {k: expand(v) for k, v in (value or {}).items()} if isinstance(value, dict) else value
        for key, value in loaded.items()
    }


def check_sqlite(database: str) -> Check:
    path = Path(database) if Path(database).is_absolute() else PROJECT_ROOT / database
    part = "tracker store (SQLite)"
    if not path.is_file():
        return Check(part, False, f"{path}: no such file (the Rasa server creates it)")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=TIMEOUT_SECONDS)
        try:
            connection.execute("SELECT count(*) FROM events WHERE 0").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return Check(part, False, f"{path}: {error}")
    return Check(part, True, str(path))


def check_sql(settings: Dict[str, Any]) -> Check:
    import sqlalchemy as sa

    dialect = settings.get("dialect", "sqlite")
    part = f"tracker store ({'PostgreSQL' if 'postgres' in dialect else dialect})"
    url = sa.engine.URL.create(
        drivername=dialect,
        username=settings.get("username") or None,
        password=settings.get("password") or None,
        host=settings.get("url") or None,
        port=int(settings["port"]) if settings.get("port") else None,
        database=settings.get("db") or None,
    )
    shown = f"{url.host}:{url.port}/{url.database}"
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": TIMEOUT_SECONDS})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any driver's error: the store is not reachable
        return Check(part, False, f"{shown}: {str(error).splitlines()[0]}")
    return Check(part, True, shown)


def check_tracker_store(endpoints: Dict[str, Any]) -> Check:
    settings = endpoints.get("tracker_store") or {}
    if not settings:
        return Check("tracker store", True, "in memory (nothing to reach)")
    if settings.get("dialect", "sqlite") == "sqlite":
        return check_sqlite(settings.get("db") or "rasa.db")
    return check_sql(settings)


def check_lock_store(endpoints: Dict[str, Any]) -> Optional[Check]:
    settings = endpoints.get("lock_store") or {}
    if settings.get("type") != "redis":
        return None
    import redis

    host, port = settings.get("url") or "localhost", int(settings.get("port") or 6379)
    try:
        client = redis.Redis(
            host=host,
            port=port,
            db=int(settings.get("db") or 0),
            password=settings.get("password") or None,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
        )
        client.ping()
    except Exception as error:  # redis' errors: the lock store is not reachable
        return Check("lock store (Redis)", False, f"{host}:{port}: {error}")
    return Check("lock store (Redis)", True, f"{host}:{port}")


def supervisor_states(run_dir: Path) -> Dict[str, str]:
    """supervisord's state of each program (empty when it is not running there)."""
    config = run_dir / "supervisord.conf"
    if not (run_dir / "supervisor.sock").exists() or not config.is_file():
        return {}
    try:
        result = subprocess.run(
            ["supervisorctl", "-c", str(config), "status"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    states = {}
    for line in result.stdout.splitlines():
        fields = line.split(None, 2)
        if len(fields) >= 2:
            states[fields[0]] = " ".join(fields[1:])
    return states


def run_checks(args: argparse.Namespace) -> List[Check]:
    env = os.environ
    rasa_port = int(env.get("RASA_PORT", "5005"))
    action_port = env.get("ACTION_PORT", "5055")
    servers = int(env.get("RASA_SERVERS", "2")) if args.scaled else 1
    checks = [check_url("action server", f"http://127.0.0.1:{action_port}/health")]
    for index in range(servers):
        name = "Rasa server" if servers == 1 else f"Rasa server {rasa_port + index}"
        url = f"http://127.0.0.1:{rasa_port + index}/webhooks/rest/"
        checks.append(check_url(name, url, model_loaded))
    if not args.scaled:
        checks.append(
            check_url("page server", f"http://127.0.0.1:{env.get('WEB_PORT', '8080')}/config.json")
        )
    try:
        endpoints = read_endpoints(args.endpoints)
    except (OSError, yaml.YAMLError) as error:
        return checks + [Check("tracker store", False, f"{args.endpoints}: {error}")]
    checks.append(check_tracker_store(endpoints))
    lock = check_lock_store(endpoints)
    if lock is not None:
        checks.append(lock)
    states = supervisor_states(args.run_dir)
    programs = {"action server": "actions", "Rasa server": "rasa", "page server": "web"}
    for check in checks:
        state = states.get(programs.get(check.part, ""))
        if state:
            check.detail += f"  [supervisord: {state}]"
    return checks


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Report whether every part of the assistant is up."
    )
    parser.add_argument("--scaled", action="store_true", help="check `make run-scaled`'s parts")
    parser.add_argument("--endpoints", type=Path, help="endpoints file (default: as make run)")
    parser.add_argument("--run-dir", type=Path, default=Path(os.environ.get("RUN_DIR", "var")))
    args = parser.parse_args(argv)
    if args.endpoints is None:
        default = "var/endpoints.scaled.yml" if args.scaled else "endpoints.yml"
        args.endpoints = Path(os.environ.get("ENDPOINTS", default))
    if not args.endpoints.is_absolute():
        args.endpoints = PROJECT_ROOT / args.endpoints
    if not args.run_dir.is_absolute():
        args.run_dir = PROJECT_ROOT / args.run_dir
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    checks = run_checks(parse_args(argv))
    width = max(len(check.part) for check in checks)
    for check in checks:
        print(f"{check.part:<{width}}  {'up  ' if check.up else 'DOWN'}  {check.detail}")
    down = [check.part for check in checks if not check.up]
    print(f"{len(down)} part(s) down: {', '.join(down)}" if down else "all parts up")
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
