"""The assistant as `make run` starts it: scripts/supervise.sh, supervisord and its three parts.

For the tests that kill a part and watch it come back (tests/e2e/test_supervised.py). Same ports
and files as tests/support/harness.py's Assistant (free ports, its own SQLite tracker store,
the latest model), but started by the project's own start script, so what is tested is what a
clinic runs. Rasa's HTTP API is on (RASA_API_TOKEN) so the tests can read the tracker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

from backpain.clinic_config import clinic_config
from tests.support.harness import (
    API_TOKEN,
    PROJECT_ROOT,
    START_TIMEOUT_SECONDS,
    Assistant,
    free_port,
    http_json,
    latest_model,
    server_env,
)

PARTS = ("actions", "rasa", "web")


def _answers(url: str, accept: Callable[[bytes], bool] = lambda _: True) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200 and accept(answer.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _model_loaded(body: bytes) -> bool:
    return json.loads(body).get("model_loaded") is True


@dataclass
class SupervisedAssistant:
    workdir: Path
    action_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    process: Optional[subprocess.Popen] = None

    @property
    def run_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "log"

    @property
    def config(self) -> Path:
        return self.run_dir / "supervisord.conf"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    def environment(self) -> Dict[str, str]:
        """The variables scripts/supervise.sh and scripts/status.py read."""
        return {
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "WEB_PORT": str(self.web_port),
            "RUN_DIR": str(self.run_dir),
            "ENDPOINTS": str(self.workdir / "endpoints.yml"),
            "RASA_MODEL": str(latest_model()),
            "RASA_API_TOKEN": API_TOKEN,
            "CLINIC_CONFIG": str(self.workdir / "clinic.yml"),
        }

    def health_urls(self) -> Dict[str, str]:
        return {
            "actions": f"http://127.0.0.1:{self.action_port}/health",
            "rasa": f"{self.rasa_url}/webhooks/rest/",
            "web": f"{self.page_url}config.json",
        }

    def is_up(self, part: str) -> bool:
        accept = _model_loaded if part == "rasa" else (lambda _: True)
        return _answers(self.health_urls()[part], accept)

    def start(self) -> "SupervisedAssistant":
        # The same endpoints file as the harness's servers: this action port, a SQLite store here.
        Assistant(workdir=self.workdir, action_port=self.action_port).write_endpoints()
        # The page (and the charts it shows) on this port, as web_origin says.
        settings = {
            **clinic_config().dict(),
            "web_origin": f"http://127.0.0.1:{self.web_port}",
            "public_base_url": f"http://127.0.0.1:{self.web_port}",
        }
        (self.workdir / "clinic.yml").write_text(yaml.safe_dump(settings))
        self.process = subprocess.Popen(
            [str(PROJECT_ROOT / "scripts" / "supervise.sh")],
            cwd=PROJECT_ROOT,
            env={**server_env(), **self.environment()},
            stdout=(self.workdir / "supervise.out").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: a failed test can still stop everything
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not all(self.is_up(part) for part in PARTS):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the supervised assistant did not start:\n{self.output()}")
            time.sleep(1)
        return self

    def output(self) -> str:
        path = self.workdir / "supervise.out"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def supervisorctl(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["supervisorctl", "-c", str(self.config), *arguments],
            capture_output=True,
            text=True,
            timeout=60,
        )

    def pid(self, part: str) -> int:
        answer = self.supervisorctl("pid", part).stdout.strip()
        if not answer.isdigit() or answer == "0":
            raise RuntimeError(f"supervisord reports no process for {part}: {answer!r}")
        return int(answer)

    def kill(self, part: str) -> float:
        """SIGKILL the part's real process; returns time.monotonic() of the kill."""
        pid = self.pid(part)
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        deadline = killed_at + 10
        while self.is_up(part) and time.monotonic() < deadline:  # until it is really gone
            time.sleep(0.05)
        return killed_at

    def wait_until_back(
        self, part: str, killed_at: float, old_pid: int, timeout: float = 180
    ) -> float:
        """Seconds from the kill until the part answers again, from a new process."""
        while time.monotonic() < killed_at + timeout:
            if self.is_up(part):
                try:
                    if self.pid(part) != old_pid:
                        return time.monotonic() - killed_at
                except RuntimeError:
                    pass
            time.sleep(0.25)
        raise AssertionError(f"{part} was not back {timeout:.0f}s after SIGKILL:\n{self.output()}")

    def status(self, *arguments: str, extra_env: Optional[Dict[str, str]] = None):
        """`make status` with this assistant's settings: (exit code, output)."""
        result = subprocess.run(
            ["make", "--no-print-directory", "status", *arguments],
            cwd=PROJECT_ROOT,
            env={**server_env(), **self.environment(), **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.returncode, result.stdout + result.stderr

    def tracker(self, sender: str, events: str = "APPLIED") -> Dict[str, Any]:
        """The conversation; APPLIED events leave out turns that were undone, ALL keeps them."""
        return http_json(
            "GET",
            f"{self.rasa_url}/conversations/{sender}/tracker?token={API_TOKEN}"
            f"&include_events={events}",
        )

    def user_texts(self, sender: str, events: str = "APPLIED") -> List[str]:
        """The person's messages, in order, as the conversation holds them."""
        return [e["text"] for e in self.tracker(sender, events)["events"] if e["event"] == "user"]

    def stop(self, timeout: float = 90) -> Optional[int]:
        """Ctrl-C, as a person at the terminal would; returns supervisord's exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise
