"""scripts/scaled_endpoints.py: the scaled endpoints file, as Rasa reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.utils.endpoints import read_endpoint_config

from scripts.scaled_endpoints import ScaledSettingsError, check_services, write_scaled_endpoints


def test_defaults_need_no_variables_and_name_no_password(tmp_path: Path) -> None:
    path = write_scaled_endpoints(tmp_path / "endpoints.yml", {})
    store = read_endpoint_config(str(path), "tracker_store")
    lock = read_endpoint_config(str(path), "lock_store")
    assert store.type == "stores.reconnecting_sql.ReconnectingSQLTrackerStore"
    assert (store.url, store.kwargs) == (
        "localhost",
        {"dialect": "postgresql", "port": 5432, "username": "rasa", "db": "rasa"},
    )
    assert (lock.type, lock.url, lock.kwargs) == ("redis", "localhost", {"port": 6379, "db": 1})
    assert read_endpoint_config(str(path), "action_endpoint").url == "http://localhost:5055/webhook"


def test_passwords_stay_in_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "DB_HOST": "db.internal",
        "DB_PORT": "6543",
        "DB_PASSWORD": "s3cret",
        "REDIS_PASSWORD": "r3dis",
    }
    path = write_scaled_endpoints(tmp_path / "endpoints.yml", env)
    written = path.read_text()
    assert "s3cret" not in written and "r3dis" not in written
    monkeypatch.setenv("DB_PASSWORD", "s3cret")
    monkeypatch.setenv("REDIS_PASSWORD", "r3dis")
    store = read_endpoint_config(str(path), "tracker_store")
    assert (store.url, store.kwargs["port"], store.kwargs["password"]) == (
        "db.internal",
        6543,
        "s3cret",
    )
    assert read_endpoint_config(str(path), "lock_store").kwargs["password"] == "r3dis"


@pytest.mark.parametrize(
    "name, value", [("DB_PORT", "54x2"), ("REDIS_PORT", "-1"), ("REDIS_DB", "one")]
)
def test_a_setting_that_cannot_work_is_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ScaledSettingsError, match=name):
        write_scaled_endpoints(tmp_path / "endpoints.yml", {name: value})
    assert not (tmp_path / "endpoints.yml").exists()


def test_check_names_the_service_that_does_not_answer() -> None:
    from tests.support.harness import free_port

    with pytest.raises(ScaledSettingsError, match="PostgreSQL"):
        check_services({"DB_HOST": "127.0.0.1", "DB_PORT": str(free_port())}, timeout_seconds=2)
