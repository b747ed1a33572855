"""The chat page's test doubles: a stub Rasa REST channel, the page server's files, raw HTTP.

Shared by the tests in tests/web/ (their fixtures are in tests/web/conftest.py).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import yaml

from tests.support import browser as browser_helpers

ChatPage = browser_helpers.ChatPage


launch_browser = browser_helpers.launch_browser


require_chromium = browser_helpers.require_chromium


serve_web_page = browser_helpers.serve_web_page


PROJECT_ROOT = Path(__file__).resolve().parents[2]


RESULTS_DIR = PROJECT_ROOT / "results"


SERVE_WEB_SCRIPT = PROJECT_ROOT / "scripts" / "serve_web.py"


WEBHOOK_PATH = "/webhooks/rest/webhook"


TEST_EMERGENCY_NUMBER = "999"


CHART_FILE = "pain-chart.png"


HTML_LOOKING_TEXT = "<img src=x onerror=alert(1)> and <b>bold?</b>"


class _AnyText(str):
    """Equal to any non-empty text (a message id the page makes up)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_TEXT = _AnyText("<any text>")


USER_HTML_TEXT = "<b>is this bold?</b><script>alert(2)</script>"


def load_serve_web_module():
    spec = importlib.util.spec_from_file_location("serve_web", SERVE_WEB_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


serve_web = load_serve_web_module()


@dataclass
class StubRasa:
    """Canned replies in Rasa's REST format; records every message it receives."""

    base_url: str = ""
    allowed_origin: str = ""
    chart_url: str = ""
    received: List[Dict[str, Any]] = field(default_factory=list)
    fail_next_with: Optional[int] = None
    fail_times: int = 1  # how many requests in a row get `fail_next_with`

    def reset(self) -> None:
        self.received.clear()
        self.fail_next_with = None
        self.fail_times = 1

    def messages(self) -> List[str]:
        return [item.get("message") for item in self.received]

    def senders(self) -> List[str]:
        return [item.get("sender") for item in self.received]

    def reply_to(self, sender: str, message: str) -> List[Dict[str, Any]]:
        def text(value: str, **extra: Any) -> Dict[str, Any]:
            return {"recipient_id": sender, "text": value, **extra}

        if message == "/greet":
            return [
                text(
                    "Hello! I'm the clinic's back pain assistant. I can explain how exercise helps "
                    "long-lasting low back pain, and what our exercise study found."
                ),
                text(
                    "What would you like to know?",
                    buttons=[
                        {"title": "What did the study find?", "payload": "/ask_study_results"},
                        {"title": "Is exercise safe for me?", "payload": "/ask_exercise_safety"},
                    ],
                ),
            ]
        if message == "/ask_study_results":
            # As Rasa's REST channel sends a message with text and an image: the text first.
            return [
                text(
                    "Chart description: average pain in the two study groups at each visit; "
                    "both lines go down over the weeks."
                ),
                {"recipient_id": sender, "image": self.chart_url},
                text("Both groups had **less pain** by the end of the study."),
            ]
        if message == "/ask_exercise_safety":
            return [
                text(
                    "For most people gentle, regular movement is safe.\n"
                    "More reading: https://www.nhs.uk/conditions/back-pain/"
                )
            ]
        if message == "Can I still go for walks?":
            return [
                text(
                    "Yes. Walking is one of the easiest ways to stay active.\n"
                    "Start with short walks and build up slowly."
                )
            ]
        if message == "is it all in my head?":
            # An answer with follow-up buttons, then the safety screen's yes/no question.
            return [
                text(
                    "No. Your pain is real.",
                    buttons=[{"title": "Is pain a protector?", "payload": "is pain a protector"}],
                ),
                text(
                    "Are you having thoughts of ending your life or of harming yourself?",
                    buttons=[
                        {"title": "Yes", "payload": "/affirm"},
                        {"title": "No", "payload": "/deny"},
                    ],
                ),
            ]
        if message == "show markup":
            return [text(HTML_LOOKING_TEXT)]
        if message == "format test":
            return [
                text(
                    "First line\nSecond line: https://example.org/back-pain.\n"
                    "Not a link: javascript:alert(1)\n**Keep moving** every day"
                )
            ]
        if message == "long reply":
            return [text("\n".join(f"Line {number} of a long answer." for number in range(1, 61)))]
        if message == "malformed reply":
            return {"not": "a list"}  # type: ignore[return-value]
        if message == "slow":
            time.sleep(1.5)
            return [text("Sorry for the wait.")]
        return [text(f"You asked: {message}")]


def make_stub_handler(stub: StubRasa) -> type:
    class StubRasaHandler(BaseHTTPRequestHandler):
        def _cors_headers(self) -> None:
            if self.headers.get("Origin") == stub.allowed_origin:
                self.send_header("Access-Control-Allow-Origin", stub.allowed_origin)
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")

        def _send_json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            if status == 503:  # as the REST channel answers while the action server restarts
                self.send_header("Retry-After", "1")
            self._cors_headers()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self) -> None:  # noqa: N802
            self.send_response(204)
            self._cors_headers()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            if self.path != WEBHOOK_PATH:
                self._send_json(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length))
            except ValueError:
                self._send_json(400, {"error": "malformed JSON"})
                return
            stub.received.append(payload)
            if stub.fail_next_with is not None:
                status = stub.fail_next_with
                stub.fail_times -= 1
                if stub.fail_times <= 0:
                    stub.fail_next_with, stub.fail_times = None, 1
                self._send_json(status, {"error": "stub failure"})
                return
            self._send_json(
                200, stub.reply_to(str(payload.get("sender")), str(payload.get("message")))
            )

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return StubRasaHandler


@contextmanager
def running_stub(port: int = 0) -> Iterator[StubRasa]:
    stub = StubRasa()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_stub_handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def write_clinic_config(path: Path, emergency_number: str) -> Path:
    """The project's clinic settings with another emergency number, to see the page read it."""
    settings = yaml.safe_load((PROJECT_ROOT / "config" / "clinic.yml").read_text(encoding="utf-8"))
    settings["emergency_number"] = emergency_number
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def write_chart(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3), dpi=100)
    visits = ["start", "visit 2", "visit 3", "visit 4"]
    axes.plot(visits, [6.5, 4.8, 3.9, 3.6], marker="o", label="group A")
    axes.plot(visits, [6.4, 5.6, 5.1, 4.9], marker="s", label="group B")
    axes.set_ylabel("pain (stub data)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_get(base_url: str, path: str, method: str = "GET") -> Tuple[int, Dict[str, str], bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def post_webhook(base_url: str, payload: Any) -> Tuple[int, Dict[str, str], Any]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        body = json.dumps(payload).encode("utf-8")
        connection.request("POST", "/webhook", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, json.loads(response.read())
    finally:
        connection.close()


def run_serve_web(*args: str, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SERVE_WEB_SCRIPT), "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **(env or {})},
    )


@dataclass
class PageProblems:
    """Dialogs the page opened and errors it raised (none are expected)."""

    dialogs: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


def stored_sender_id(chat: ChatPage) -> str:
    return chat.page.evaluate("JSON.parse(localStorage.getItem('clinicChat.v1')).senderId")


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha blended over white)."""

    def channels(colour: str) -> List[float]:
        values = [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")]
        alpha = values[3] if len(values) == 4 else 1.0
        return [(c * alpha + 255 * (1 - alpha)) / 255 for c in values[:3]]

    def luminance(colour: str) -> float:
        lin = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels(colour)
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- automated accessibility audit (issue 16) ---------------------------------------------------
# axe-core 4.12, bundled by the pinned axe-playwright-python package (never from a CDN).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def serious_violations(page: Any) -> List[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
