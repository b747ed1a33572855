"""Start the real assistant (action server + Rasa server with the trained model) for tests.

`rasa test` replays stories without running custom actions, so it cannot see what the
assistant says. These servers can: tests send messages over the REST channel and assert on
the reply texts and buttons, and read the tracker through Rasa's HTTP API (token-protected).
Each server runs as a subprocess on free ports with its own SQLite tracker store, so a test
run never touches a running `make run` nor its conversations.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
API_TOKEN = "test-token"
START_TIMEOUT_SECONDS = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def latest_model() -> Path:
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model in models/: run `make train` first (make test does)")
    return models[-1]


def server_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        SANIC_HOST="127.0.0.1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def http_json(method: str, url: str, body: Any = None, timeout: float = 60) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def _wait_until_up(url: str, process: subprocess.Popen, name: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the {name} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            time.sleep(0.5)
    raise RuntimeError(
        f"the {name} did not start in {START_TIMEOUT_SECONDS}s:\n{log.read_text()[-3000:]}"
    )


def _stop(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # lets Rasa close its tracker store cleanly
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Assistant:
    """The running assistant: one action server and one Rasa server."""

    workdir: Path
    model: Path = field(default_factory=latest_model)
    action_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    extra_env: Dict[str, str] = field(default_factory=dict)
    # None: written from credentials.yml by scripts/credentials.py with this server's environment,
    # as `make run` does (channels whose variables are unset are left out).
    credentials: Optional[Path] = None
    # False starts Rasa as `make run` does without RASA_API_TOKEN: no HTTP API at all.
    enable_api: bool = True
    extra_args: List[str] = field(default_factory=list)  # more `rasa run` options, e.g. --cors
    action_server: Optional[subprocess.Popen] = None
    rasa_server: Optional[subprocess.Popen] = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def endpoints_file(self) -> Path:
        return self.workdir / "endpoints.yml"

    def write_endpoints(self) -> None:
        self.endpoints_file.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n"
            f"tracker_store:\n  type: stores.local_sqlite.LocalSQLiteTrackerStore\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n"
        )

    def start_action_server(self) -> None:
        log = self.workdir / "actions.log"
        self.action_server = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port)],
            cwd=PROJECT_ROOT,
            env={**server_env(), **self.extra_env},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        _wait_until_up(
            f"http://127.0.0.1:{self.action_port}/health", self.action_server, "action server", log
        )

    def write_credentials(self) -> Path:
        output = self.workdir / "credentials.yml"
        subprocess.run(
            [
                sys.executable,
                str(PROJECT_ROOT / "scripts" / "credentials.py"),
                "--quiet",
                "--output",
                str(output),
            ],
            cwd=PROJECT_ROOT,
            env={**server_env(), **self.extra_env},
            check=True,
        )
        return output

    def start_rasa_server(self) -> None:
        log = self.workdir / "rasa.log"
        credentials = self.credentials or self.write_credentials()
        api_args = ["--enable-api", "--auth-token", API_TOKEN] if self.enable_api else []
        self.rasa_server = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.rasa_port),
                *api_args,
                "--endpoints",
                str(self.endpoints_file),
                "--credentials",
                str(credentials),
                *self.extra_args,
            ],
            cwd=PROJECT_ROOT,
            env={**server_env(), **self.extra_env},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        if self.enable_api:
            _wait_until_up(
                f"{self.rasa_url}/status?token={API_TOKEN}", self.rasa_server, "Rasa server", log
            )
        else:
            # Without the API, "/" answers even when the model failed to load: ask for a reply too.
            _wait_until_up(f"{self.rasa_url}/", self.rasa_server, "Rasa server", log)
            if not self.send("harness-readiness-probe", "hi"):
                raise RuntimeError(
                    f"the Rasa server does not answer (model not loaded?):\n{log.read_text()[-3000:]}"
                )

    def start(self) -> "Assistant":
        self.write_endpoints()
        self.start_action_server()
        self.start_rasa_server()
        return self

    def stop(self) -> None:
        _stop(self.rasa_server)
        _stop(self.action_server)

    def restart_rasa_server(self) -> None:
        _stop(self.rasa_server)
        self.start_rasa_server()

    # --- talking to it ---
    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send one message over the REST channel; returns the bot's messages."""
        return http_json(
            "POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )

    def say(self, sender: str, text: str) -> str:
        """Send one message; returns all reply texts joined by newlines (for simple asserts)."""
        return "\n".join(m.get("text", "") for m in self.send(sender, text))

    def tracker(self, sender: str) -> Dict[str, Any]:
        return http_json("GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={API_TOKEN}")

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.tracker(sender)["slots"]


def buttons(messages: List[Dict[str, Any]]) -> List[str]:
    """The titles of every button in a reply."""
    return [b["title"] for m in messages for b in m.get("buttons", [])]
