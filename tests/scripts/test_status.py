"""scripts/status.py (`make status`): one line per part, exit 1 when any is down.

Against nothing running (every part down), a SQLite store present, missing or not a database,
and PostgreSQL and Redis (throw-away servers, tests/support/services.py) up and then stopped.
The whole stack, healthy and with a part stopped, is checked in tests/e2e/test_supervised.py.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

from tests.support.harness import free_port
from tests.support.services import PostgresServer, RedisServer, require_services

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATUS_SCRIPT = PROJECT_ROOT / "scripts" / "status.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


status = _load("status_script", STATUS_SCRIPT)
scaled_endpoints = _load(
    "scaled_endpoints_script", PROJECT_ROOT / "scripts" / "scaled_endpoints.py"
)


def run_status(env: Dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(STATUS_SCRIPT), *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def lines_of(output: str) -> Dict[str, str]:
    """part -> "up" or "DOWN", from the report's lines."""
    found = {}
    for line in output.splitlines():
        for state in ("  up  ", "  DOWN  "):
            if state in line:
                found[line.split(state)[0].strip()] = state.strip()
    return found


def sqlite_store(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
    connection.commit()
    connection.close()
    return path


def endpoints_for(tmp_path: Path, database: Path) -> Path:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {database}\n")
    return endpoints


def nothing_runs_env(tmp_path: Path, endpoints: Path) -> Dict[str, str]:
    return {
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "ENDPOINTS": str(endpoints),
        "RUN_DIR": str(tmp_path / "run"),  # no supervisord there
    }


def test_with_nothing_running_every_server_is_down_and_the_exit_code_is_1(tmp_path: Path) -> None:
    endpoints = endpoints_for(tmp_path, sqlite_store(tmp_path / "tracker.db"))
    result = run_status(nothing_runs_env(tmp_path, endpoints))
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines_of(result.stdout) == {
        "action server": "DOWN",
        "Rasa server": "DOWN",
        "page server": "DOWN",
        "tracker store (SQLite)": "up",
    }
    assert "3 part(s) down: action server, Rasa server, page server" in result.stdout


@pytest.mark.parametrize("problem", ["missing", "not a database", "no events table"])
def test_a_sqlite_store_that_cannot_be_read_is_down(tmp_path: Path, problem: str) -> None:
    database = tmp_path / "tracker.db"
    if problem == "not a database":
        database.write_bytes(b"this is not SQLite" * 100)
    elif problem == "no events table":
        sqlite3.connect(database).close()
    check = status.check_tracker_store(
        {"tracker_store": {"dialect": "sqlite", "db": str(database)}}
    )
    assert not check.up and check.part == "tracker store (SQLite)"
    assert status.check_sqlite(str(sqlite_store(tmp_path / "good.db"))).up


def test_scaled_postgresql_and_redis_up_then_down(tmp_path: Path) -> None:
    require_services()
    postgres, redis = PostgresServer().start(), RedisServer().start()
    try:
        env = {**postgres.environment(), **redis.environment()}
        endpoints = scaled_endpoints.write_scaled_endpoints(tmp_path / "scaled.yml", env)
        scaled_env = {
            **nothing_runs_env(tmp_path, endpoints),
            **env,
            "RASA_SERVERS": "2",
        }

        def report() -> Dict[str, str]:
            result = run_status(scaled_env, "--scaled")
            assert result.returncode == 1  # no action server nor Rasa servers here
            return lines_of(result.stdout)

        healthy = report()
        rasa_port = int(scaled_env["RASA_PORT"])
        assert healthy == {
            "action server": "DOWN",
            f"Rasa server {rasa_port}": "DOWN",
            f"Rasa server {rasa_port + 1}": "DOWN",
            "tracker store (PostgreSQL)": "up",
            "lock store (Redis)": "up",
        }
        redis.stop_server()
        assert report()["lock store (Redis)"] == "DOWN"
        postgres.stop_server()
        assert report()["tracker store (PostgreSQL)"] == "DOWN"
        # A wrong password is down too (the password comes from the environment, as for Rasa).
        postgres.start_server()
        assert report()["tracker store (PostgreSQL)"] == "up"
        scaled_env["DB_PASSWORD"] = "wrong"
        assert report()["tracker store (PostgreSQL)"] == "DOWN"
    finally:
        postgres.stop()
        redis.stop()
