"""Throw-away PostgreSQL and Redis servers for the scale-out tests, from Debian's packages.

Each server runs from a fresh temporary directory on a free loopback port, keeps nothing
after the test (Redis: no snapshots, no append-only file) and is stopped at the end.
PostgreSQL's `initdb` refuses to run as root, so under root the cluster belongs to the
`postgres` system user (or `nobody`) and its commands run through `runuser`.

When a binary is missing the tests are skipped with the reason, except in CI (env CI set),
where a missing service is a failure: CI installs both (scripts/install_system_packages.sh).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.support.harness import free_port

START_TIMEOUT_SECONDS = 60
INSTALL_HINT = "install Debian's postgresql and redis-server (scripts/install_system_packages.sh)"


def postgres_bin_dir() -> Optional[Path]:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def redis_server_binary() -> Optional[str]:
    return shutil.which("redis-server")


def require_services() -> None:
    """Skip (or, in CI, fail) when PostgreSQL's or Redis's binaries are not installed."""
    missing = [
        name
        for name, found in (
            ("PostgreSQL (initdb, pg_ctl)", postgres_bin_dir()),
            ("redis-server", redis_server_binary()),
        )
        if not found
    ]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def _wait_for_port(port: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
    raise RuntimeError(f"{what} did not listen on port {port} in {START_TIMEOUT_SECONDS}s:\n{tail}")


def _service_user() -> Optional[str]:
    """Under root: the unprivileged user that owns the cluster; otherwise None (ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError(
        "running as root and neither a 'postgres' nor a 'nobody' user exists for initdb"
    )


@dataclass
class PostgresServer:
    """A PostgreSQL cluster of its own: TCP on 127.0.0.1:port, unix socket in its temp dir.

    Local (socket) connections are trusted; TCP connections need the password (scram), so the
    tests also prove that the password reaches Rasa from the environment.
    """

    user: str = "rasa"
    database: str = "rasa"
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rasa-test-pg-")))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        owner = _service_user()
        prefix: List[str] = ["runuser", "-u", owner, "--"] if owner else []
        return subprocess.run(
            [*prefix, *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS,
        )

    def _check(self, result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode != 0:
            raise RuntimeError(
                f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def start(self) -> "PostgresServer":
        bin_dir = postgres_bin_dir()
        assert bin_dir is not None, INSTALL_HINT
        self.bin_dir = bin_dir
        owner = _service_user()
        self.root.chmod(0o755)
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if owner:
            entry = pwd.getpwnam(owner)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chown(password_file, entry.pw_uid, entry.pw_gid)
        self._check(
            self._run(
                str(bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "--pwfile",
                str(password_file),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ),
            "initdb",
        )
        password_file.unlink()
        self.start_server()
        self._check(
            self._run(
                str(bin_dir / "createdb"),
                "-h",
                str(self.root),
                "-p",
                str(self.port),
                "-U",
                self.user,
                self.database,
            ),
            "createdb",
        )
        return self

    def start_server(self) -> None:
        """Start (or restart after stop_server) the cluster; returns once it takes connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        self._check(
            self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "start",
            ),
            "pg_ctl start",
        )
        _wait_for_port(self.port, "PostgreSQL", self.log)

    def stop_server(self) -> None:
        """Stop now: open connections are closed (pg_ctl -m fast), the data stays for start_server."""
        if self.data_dir.joinpath("postmaster.pid").exists():
            self._check(
                self._run(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ),
                "pg_ctl stop",
            )

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        try:
            if hasattr(self, "bin_dir"):
                self.stop_server()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def environment(self) -> Dict[str, str]:
        """The variables scripts/scaled_endpoints.py and scripts/privacy.py read."""
        return {
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_USER": self.user,
            "DB_PASSWORD": self.password,
            "DB_NAME": self.database,
        }

    def url(self) -> str:
        """An SQLAlchemy URL for the tests' own queries."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"


@dataclass
class RedisServer:
    """A Redis server on 127.0.0.1:port that writes nothing to disk."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rasa-test-redis-")))
    process: Optional[subprocess.Popen] = None

    def start(self) -> "RedisServer":
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start (or restart after stop_server) on the same port."""
        binary = redis_server_binary()
        assert binary is not None, INSTALL_HINT
        log = self.root / "redis.log"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, "Redis", log)

    def stop_server(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        try:
            self.stop_server()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def environment(self) -> Dict[str, str]:
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port)}
