"""The clinic chat page (web/) and its server (scripts/serve_web.py).

Server tests speak raw HTTP to scripts/serve_web.py. Page tests drive Debian's chromium through
Playwright against a stub Rasa REST server that returns canned replies, so they need no trained
model. They skip when chromium is missing on a developer's machine, and fail when it is missing
in CI (the environment variable CI is set).
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

import pytest
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


# ---- a stub Rasa REST channel ------------------------------------------------------------------


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


@pytest.fixture(scope="module")
def stub_rasa() -> Iterator[StubRasa]:
    with running_stub() as stub:
        yield stub


# ---- the page server ---------------------------------------------------------------------------


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


@pytest.fixture(scope="module")
def site_files(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    root = tmp_path_factory.mktemp("web_site")
    charts = root / "charts"
    charts.mkdir()
    write_chart(charts / CHART_FILE)
    (charts / ".hidden.png").write_bytes(b"hidden")
    (charts / "nested").mkdir()
    (charts / "nested" / "inner.txt").write_text("inner", encoding="utf-8")
    secret = root / "secret.txt"
    secret.write_text("outside the charts folder", encoding="utf-8")
    (charts / "escape.txt").symlink_to(secret)
    clinic = write_clinic_config(root / "clinic.yml", TEST_EMERGENCY_NUMBER)
    return {"charts": charts, "clinic": clinic}


@pytest.fixture(scope="module")
def web_url(stub_rasa: StubRasa, site_files: Dict[str, Path]) -> Iterator[str]:
    with serve_web_page(
        stub_rasa.base_url,
        charts_dir=site_files["charts"],
        extra_env={"CLINIC_CONFIG": str(site_files["clinic"])},
    ) as url:
        stub_rasa.allowed_origin = url.rstrip("/")
        stub_rasa.chart_url = f"{url}charts/{CHART_FILE}"
        yield url


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


# ---- server tests (no browser needed) ----------------------------------------------------------


@pytest.mark.parametrize(
    "path, content_type, expected_text",
    [
        ("/", "text/html; charset=utf-8", b"Back pain chat"),
        ("/index.html", "text/html; charset=utf-8", b"<!DOCTYPE html>"),
        ("/chat.css", "text/css; charset=utf-8", b".bubble"),
        ("/chat.js", "text/javascript; charset=utf-8", b"localStorage"),
        (f"/charts/{CHART_FILE}", "image/png", b"\x89PNG"),
    ],
)
def test_server_serves_files_with_their_content_type(
    web_url: str, path: str, content_type: str, expected_text: bytes
) -> None:
    status, headers, body = raw_get(web_url, path)
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["x-content-type-options"] == "nosniff"
    assert expected_text in body


def test_config_json_gives_the_page_the_rest_url_and_clinic_settings(
    web_url: str, stub_rasa: StubRasa
) -> None:
    status, headers, body = raw_get(web_url, "/config.json")
    assert status == 200
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(body) == {
        "rest_url": "webhook",  # this server, which passes messages on to Rasa
        "emergency_number": TEST_EMERGENCY_NUMBER,
        "max_message_chars": 2000,
    }
    policy = headers["content-security-policy"]
    assert "connect-src 'self';" in policy  # the page talks to nothing but its own server
    assert stub_rasa.base_url not in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "path",
    [
        "/../scripts/serve_web.py",
        "/%2e%2e/config/clinic.yml",
        "/..%2fconfig%2fclinic.yml",
        "/charts/../../config/clinic.yml",
        "/charts/%2e%2e/secret.txt",
        "/charts/..%2fsecret.txt",
        "/charts/escape.txt",  # a symlink out of the charts folder
        "/charts/.hidden.png",
        "/charts/",
        "/charts",
        "/charts/nested",
        "/charts/nested/",
        "/%00index.html",
        "/index.html%00.png",
        "/%ff%fe",
        "/..\\config\\clinic.yml",
        "/missing.html",
        "//etc/passwd",
        "/etc/passwd",
    ],
)
def test_server_refuses_paths_outside_its_folders_and_folder_listings(
    web_url: str, path: str
) -> None:
    status, _, body = raw_get(web_url, path)
    assert status == 404, f"{path} -> {status}"
    assert body == b"Not found\n"


def test_server_serves_files_in_chart_subfolders(web_url: str) -> None:
    status, headers, body = raw_get(web_url, "/charts/nested/inner.txt")
    assert (status, headers["content-type"], body) == (200, "text/plain; charset=utf-8", b"inner")


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


def test_server_passes_messages_on_to_rasa_and_its_answer_back(
    web_url: str, stub_rasa: StubRasa
) -> None:
    stub_rasa.reset()
    payload = {"sender": "s1", "message": "Can I still go for walks?", "metadata": {"attempt": 1}}
    status, headers, answer = post_webhook(web_url, payload)
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    assert answer[0]["text"].startswith("Yes. Walking")
    assert stub_rasa.received == [payload]  # passed on as it was sent

    stub_rasa.fail_next_with = 503  # the REST channel while the action server restarts
    status, headers, answer = post_webhook(web_url, payload)
    assert status == 503 and headers["retry-after"] == "1" and answer == {"error": "stub failure"}
    stub_rasa.fail_next_with = 400
    assert post_webhook(web_url, payload)[0] == 400


def test_server_answers_503_with_retry_after_while_rasa_is_unreachable(
    site_files: Dict[str, Path],
) -> None:
    with serve_web_page(f"http://127.0.0.1:{free_port()}", charts_dir=site_files["charts"]) as url:
        status, headers, answer = post_webhook(url, {"sender": "s1", "message": "hello"})
    assert status == 503  # a clear temporary error, not a dropped connection
    assert headers["retry-after"] == "3"
    assert "restarting" in answer["error"] and answer["retry_after"] == 3


def test_server_answers_head_without_body_and_refuses_post(web_url: str) -> None:
    status, headers, body = raw_get(web_url, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, headers, _ = raw_get(web_url, "/", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "rasa_url, expected",
    [
        ("http://localhost:5005", "http://localhost:5005/webhooks/rest/webhook"),
        ("https://chat.example.org/", "https://chat.example.org/webhooks/rest/webhook"),
        (
            "http://localhost:5005/webhooks/rest/webhook",
            "http://localhost:5005/webhooks/rest/webhook",
        ),
    ],
)
def test_rasa_url_may_be_the_server_or_the_webhook(rasa_url: str, expected: str) -> None:
    assert serve_web.rest_webhook_url(rasa_url) == expected


def run_serve_web(*args: str, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SERVE_WEB_SCRIPT), "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **(env or {})},
    )


def test_bad_rasa_url_stops_start_up_with_a_clear_error() -> None:
    result = run_serve_web("--rasa-url", "javascript:alert(1)")
    assert result.returncode == 2
    assert "--rasa-url must be an http:// or https:// address" in result.stderr


def test_malformed_clinic_config_stops_start_up_with_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "clinic.yml"
    broken.write_text("emergency_number: [unclosed\n", encoding="utf-8")
    result = run_serve_web(env={"CLINIC_CONFIG": str(broken)})
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr and str(broken) in result.stderr


def test_missing_chromium_skips_locally_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser_helpers, "CHROMIUM_PATH", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        require_chromium()


# ---- page tests in chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_browser(playwright)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PageProblems:
    """Dialogs the page opened and errors it raised (none are expected)."""

    dialogs: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


@pytest.fixture
def page_context(browser: Any) -> Iterator[Tuple[Any, PageProblems]]:
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    page = context.new_page()
    problems = PageProblems()

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on(
        "console",
        lambda message: problems.errors.append(message.text) if message.type == "error" else None,
    )
    try:
        yield page, problems
    finally:
        context.close()


@pytest.fixture
def chat(page_context: Tuple[Any, PageProblems], web_url: str, stub_rasa: StubRasa) -> ChatPage:
    stub_rasa.reset()
    page, _ = page_context
    return ChatPage(page, web_url).open()


@pytest.fixture
def problems(page_context: Tuple[Any, PageProblems]) -> PageProblems:
    return page_context[1]


def stored_sender_id(chat: ChatPage) -> str:
    return chat.page.evaluate("JSON.parse(localStorage.getItem('clinicChat.v1')).senderId")


def test_page_has_title_disclaimer_and_the_clinics_emergency_number(chat: ChatPage) -> None:
    page = chat.page
    assert page.get_by_role("heading", level=1).inner_text() == "Back pain chat"
    disclaimer = page.locator("#disclaimer").inner_text()
    assert "does not diagnose or treat you" in disclaimer
    assert f"In an emergency call {TEST_EMERGENCY_NUMBER}" in disclaimer


def test_first_visit_greets_and_sending_shows_bubble_and_reply(
    chat: ChatPage, stub_rasa: StubRasa, problems: PageProblems
) -> None:
    assert stub_rasa.messages() == ["/greet"]
    assert chat.bot_messages()[0].startswith("Hello! I'm the clinic's back pain assistant.")
    assert chat.user_messages() == []  # the greeting is sent silently

    chat.send("How long should I exercise?")

    assert chat.user_messages() == ["How long should I exercise?"]
    assert chat.bot_messages()[-1] == "You asked: How long should I exercise?"
    sent = dict(stub_rasa.received[-1])
    assert sent.pop("metadata") == {"message_id": ANY_TEXT, "attempt": 1}
    assert sent == {"sender": stored_sender_id(chat), "message": "How long should I exercise?"}
    assert chat.input.input_value() == ""
    assert problems.errors == [] and problems.dialogs == []


def test_clicking_a_button_sends_its_payload_and_shows_its_title(
    chat: ChatPage, stub_rasa: StubRasa, problems: PageProblems
) -> None:
    assert chat.button_titles() == ["What did the study find?", "Is exercise safe for me?"]

    chat.click_button("What did the study find?")

    assert stub_rasa.messages()[-1] == "/ask_study_results"
    assert chat.user_messages() == ["What did the study find?"]
    assert chat.button_titles() == []  # the used choices are disabled
    chosen = chat.page.locator(".choice-button.chosen")
    assert chosen.inner_text() == "What did the study find?" and chosen.is_disabled()
    image = chat.page.locator(".from-bot img")
    assert image.get_attribute("src") == stub_rasa.chart_url
    assert image.get_attribute("alt") == "Chart from the assistant (described in the message above)"
    link = chat.page.locator(".from-bot a.image-link")  # tap to open it full size
    assert link.get_attribute("href") == stub_rasa.chart_url and link.locator("img").count() == 1
    assert (
        image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 600
    )  # the chart loaded
    assert chat.bot_messages()[-2].startswith("Chart description:")
    assert chat.page.locator(".from-bot strong").inner_text() == "less pain"
    assert problems.errors == []


def test_conversation_survives_a_reload(chat: ChatPage, stub_rasa: StubRasa) -> None:
    chat.click_button("Is exercise safe for me?")
    chat.send("Can I still go for walks?")
    sender = stored_sender_id(chat)
    bot_before, user_before = chat.bot_messages(), chat.user_messages()
    received_before = len(stub_rasa.received)

    chat.reload()

    assert (
        chat.user_messages()
        == user_before
        == ["Is exercise safe for me?", "Can I still go for walks?"]
    )
    assert chat.bot_messages() == bot_before
    assert len(stub_rasa.received) == received_before  # no second greeting after a reload
    assert stored_sender_id(chat) == sender
    assert chat.page.locator(".choice-button.chosen").inner_text() == "Is exercise safe for me?"
    chat.send("One more question")
    assert stub_rasa.senders()[-1] == sender


def test_html_looking_messages_are_shown_as_literal_text(
    chat: ChatPage, problems: PageProblems
) -> None:
    chat.send(USER_HTML_TEXT)
    chat.send("show markup")

    assert chat.user_messages()[0] == USER_HTML_TEXT
    assert chat.bot_messages()[-1] == HTML_LOOKING_TEXT
    assert chat.page.locator("#messages img, #messages b, #messages script").count() == 0
    chat.page.wait_for_timeout(300)  # an injected onerror handler would have fired by now
    assert problems.dialogs == []


def test_line_breaks_links_and_bold_render_as_safe_elements(chat: ChatPage) -> None:
    chat.send("format test")

    bubble = chat.page.locator(".from-bot .message-text").last
    assert bubble.locator("br").count() == 3
    links = bubble.locator("a")
    assert links.count() == 1  # javascript: stays text
    assert (
        links.get_attribute("href") == "https://example.org/back-pain"
    )  # the full stop stays outside
    assert links.get_attribute("rel") == "noopener noreferrer"
    assert links.get_attribute("target") == "_blank"
    assert bubble.locator("strong").inner_text() == "Keep moving"
    assert "Not a link: javascript:alert(1)" in bubble.inner_text()


def test_typing_indicator_shows_while_waiting(chat: ChatPage) -> None:
    chat.input.fill("slow")
    chat.input.press("Enter")
    typing = chat.page.locator("#typing")
    typing.wait_for(state="visible")
    assert typing.get_attribute("role") == "status"
    assert chat.page.get_by_role("button", name="Send").is_disabled()
    chat.wait_until_idle()
    assert typing.is_hidden()
    assert chat.bot_messages()[-1] == "Sorry for the wait."


def test_start_over_clears_history_and_starts_a_new_conversation(
    chat: ChatPage, stub_rasa: StubRasa
) -> None:
    chat.send("Something to forget")
    old_sender = stored_sender_id(chat)

    chat.start_over()

    new_sender = stored_sender_id(chat)
    assert new_sender != old_sender
    assert chat.user_messages() == []
    assert "You asked: Something to forget" not in chat.bot_messages()
    assert {**stub_rasa.received[-1], "metadata": None} == {
        "sender": new_sender,
        "message": "/greet",
        "metadata": None,
    }
    chat.reload()
    assert chat.user_messages() == [] and len(chat.bot_messages()) == 2


def test_start_over_asks_first_and_keeping_the_conversation_changes_nothing(
    chat: ChatPage, stub_rasa: StubRasa, problems: PageProblems
) -> None:
    chat.send("Something to keep")
    sender = stored_sender_id(chat)
    chat.page.get_by_role("button", name="Start over", exact=True).click()
    question = chat.page.get_by_role("group", name="Clear this conversation and start a new one?")
    assert question.is_visible()
    chat.page.get_by_role("button", name="Keep this conversation").click()
    assert question.is_hidden()
    assert chat.user_messages() == ["Something to keep"]
    assert (
        stored_sender_id(chat) == sender
        and stub_rasa.received[-1]["message"] == "Something to keep"
    )
    assert problems.dialogs == []  # asked in the page, not in a browser dialog


def test_ones_own_message_is_shown_exactly_as_typed(chat: ChatPage) -> None:
    typed = "**not bold** and https://example.org and_under_scores\nsecond line"
    chat.send(typed)
    bubble = chat.page.locator(".from-user .message-text").last
    assert bubble.inner_text() == typed
    assert bubble.locator("strong, a").count() == 0


def test_text_typed_while_a_reply_is_pending_is_kept(chat: ChatPage, stub_rasa: StubRasa) -> None:
    chat.input.fill("slow")
    chat.input.press("Enter")
    chat.page.locator("#typing").wait_for(state="visible")
    chat.input.type("and another thing")
    chat.input.press("Enter")  # Send waits for the reply; the words stay in the box
    chat.wait_until_idle()
    assert chat.input.input_value() == "and another thing"
    assert [m["message"] for m in stub_rasa.received][-1] == "slow"
    chat.input.press("Enter")
    chat.wait_until_idle()
    assert chat.user_messages()[-2:] == ["slow", "and another thing"]


def test_server_error_keeps_the_typed_message_and_retry_sends_it(
    chat: ChatPage, stub_rasa: StubRasa
) -> None:
    stub_rasa.fail_next_with = 500
    chat.send("Will this arrive?")

    assert "problem answering (error 500)" in chat.error_text()
    assert chat.input.input_value() == "Will this arrive?"
    assert chat.user_messages() == []  # nothing pretends to have been delivered

    chat.page.get_by_role("button", name="Try again").click()
    chat.wait_until_idle()

    assert chat.error_text() == ""
    assert chat.user_messages() == ["Will this arrive?"]
    assert chat.bot_messages()[-1] == "You asked: Will this arrive?"
    assert chat.input.input_value() == ""


def test_unreadable_reply_is_reported_and_the_message_kept(chat: ChatPage) -> None:
    chat.send("malformed reply")
    assert "could not read" in chat.error_text()
    assert chat.input.input_value() == "malformed reply"


def test_corrupt_saved_conversation_starts_afresh(chat: ChatPage, stub_rasa: StubRasa) -> None:
    chat.page.evaluate("localStorage.setItem('clinicChat.v1', '{not json')")
    stub_rasa.reset()
    chat.reload()
    assert stub_rasa.messages() == ["/greet"]
    assert chat.bot_messages()[0].startswith("Hello!")


def test_while_rasa_restarts_the_page_shows_a_notice_and_sends_the_message_once_it_is_back(
    chat: ChatPage, stub_rasa: StubRasa
) -> None:
    stub_rasa.fail_next_with, stub_rasa.fail_times = 503, 2
    notice = chat.page.locator("#restarting")
    chat.input.fill("Will this arrive?")
    chat.input.press("Enter")

    notice.wait_for(state="visible")
    assert notice.inner_text() == "The assistant is restarting, your message will be sent."
    assert chat.page.locator(".from-user.pending").inner_text().endswith("Will this arrive?")
    chat.wait_until_idle()

    assert notice.is_hidden() and chat.error_text() == ""
    assert chat.user_messages() == ["Will this arrive?"]
    assert chat.bot_messages()[-1] == "You asked: Will this arrive?"
    sent = [item for item in stub_rasa.received if item["message"] == "Will this arrive?"]
    # Sent three times as one message: the same id, counted attempts (Rasa answers a repeat of a
    # message it already handled from its stored replies: channels/rest.py).
    assert [item["metadata"]["attempt"] for item in sent] == [1, 2, 3]
    assert len({item["metadata"]["message_id"] for item in sent}) == 1
    chat.send("And this one?")
    assert stub_rasa.received[-1]["metadata"]["attempt"] == 1
    assert stub_rasa.received[-1]["metadata"]["message_id"] != sent[0]["metadata"]["message_id"]


def test_unreachable_rasa_shows_the_restarting_notice_until_it_is_back(
    browser: Any, site_files: Dict[str, Path]
) -> None:
    rasa_port = free_port()
    with serve_web_page(f"http://127.0.0.1:{rasa_port}", charts_dir=site_files["charts"]) as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            chat = ChatPage(page, url)
            page.goto(url)
            notice = page.locator("#restarting")
            notice.wait_for(state="visible")  # the greeting waits: nothing to answer it yet
            assert chat.error_text() == ""
            with running_stub(rasa_port) as stub:  # Rasa is back
                chat.wait_until_idle()
                assert notice.is_hidden()
                assert chat.bot_messages()[0].startswith("Hello!")
                assert stub.messages() == ["/greet"]
        finally:
            context.close()


def test_over_long_input_is_blocked_with_a_visible_message(
    chat: ChatPage, stub_rasa: StubRasa
) -> None:
    send_button = chat.page.get_by_role("button", name="Send")
    chat.input.fill("a" * 2000)
    assert send_button.is_enabled()
    assert chat.page.locator("#char-count").inner_text() == "2,000 / 2,000"

    chat.input.fill("a" * 2001)
    chat.input.press("Enter")

    assert send_button.is_disabled()
    assert (
        "Please shorten it to 2,000 characters or fewer"
        in chat.page.locator("#length-warning").inner_text()
    )
    assert chat.input.get_attribute("aria-invalid") == "true"
    assert stub_rasa.messages() == ["/greet"]  # nothing was sent
    assert chat.input.input_value() == "a" * 2001


def test_keyboard_and_screen_reader_basics(chat: ChatPage) -> None:
    page = chat.page
    log = page.locator("#log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.locator("#log > ol#messages").count() == 1  # the messages stay a list
    assert page.get_by_label("Your message").count() == 1
    page.get_by_label("Your message").fill("hi")
    page.get_by_label("Your message").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "send"
    page.get_by_role("button", name="Start over").focus()
    page.keyboard.press("Tab")
    # from the header, the next stop is the conversation pane (a keyboard can scroll it), then
    # the first choice button in it
    assert page.evaluate("document.activeElement.id") == "conversation"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "What did the study find?"


def test_phone_sized_screen_has_no_sideways_scrolling(
    browser: Any, web_url: str, stub_rasa: StubRasa
) -> None:
    stub_rasa.reset()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        chat = ChatPage(context.new_page(), web_url).open()
        chat.click_button("What did the study find?")
        chat.send("Can I still go for walks? " * 8)
        overflow = chat.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert chat.page.get_by_role("button", name="Send").is_visible()
        RESULTS_DIR.mkdir(exist_ok=True)
        chat.page.screenshot(path=str(RESULTS_DIR / "web_chat_stub_phone.png"))
    finally:
        context.close()


def test_screenshot_mid_conversation(chat: ChatPage) -> None:
    chat.click_button("What did the study find?")
    chat.send("Can I still go for walks?")
    chat.page.locator(".from-bot img").evaluate("img => img.decode()")
    RESULTS_DIR.mkdir(exist_ok=True)
    screenshot = RESULTS_DIR / "web_chat_stub.png"
    chat.page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


def _contrast(first: str, second: str) -> float:
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


def test_focus_ring_input_border_and_used_buttons_reach_3_to_1(chat: ChatPage) -> None:
    """WCAG 2.2 non-text contrast (1.4.11), measured on the rendered page (issue 16)."""
    white = "rgb(255, 255, 255)"
    chat.click_button("Is exercise safe for me?")  # the greeting's choices are now used
    chat.input.focus()
    style = chat.input.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineColor, s.borderTopColor]; }"
    )
    assert _contrast(style[0], white) >= 3 and _contrast(style[1], white) >= 3
    used = chat.page.locator(".choice-button:disabled:not(.chosen)").first
    border, opacity = used.evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderTopColor, s.opacity]; }"
    )
    faded = border.replace("rgb(", "rgba(").replace(")", f", {opacity})")
    assert _contrast(faded, white) >= 3
    chat.page.get_by_role("button", name="Start over", exact=True).focus()
    chat.page.keyboard.press("Shift+Tab")
    chat.page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    ring, header = chat.page.get_by_role("button", name="Start over", exact=True).evaluate(
        "e => [getComputedStyle(e).outlineColor, getComputedStyle(e.closest('header')).backgroundColor]"
    )
    assert _contrast(ring, header) >= 3


def test_the_header_stays_in_view_after_150_messages_and_a_wheel_scroll(chat: ChatPage) -> None:
    history = [
        {"from": "user" if number % 2 else "bot", "kind": "text", "text": f"Message {number}"}
        for number in range(150)
    ]
    saved = {"senderId": stored_sender_id(chat), "history": history}
    chat.page.evaluate("s => localStorage.setItem('clinicChat.v1', s)", json.dumps(saved))
    chat.reload()
    assert len(chat.user_messages()) + len(chat.bot_messages()) >= 150
    header = chat.page.locator(".app-header")
    box = header.bounding_box()
    chat.page.mouse.move(box["x"] + 10, box["y"] + 10)
    chat.page.mouse.wheel(0, 3000)
    chat.page.wait_for_timeout(200)
    viewport = chat.page.viewport_size
    document_height = chat.page.evaluate("document.scrollingElement.scrollHeight")
    assert document_height <= viewport["height"] + 1  # only the conversation pane scrolls
    assert header.bounding_box()["y"] >= 0
    assert chat.page.locator("#emergency-number").is_visible()


def test_a_long_reply_is_shown_from_its_start(chat: ChatPage) -> None:
    chat.page.set_viewport_size({"width": 390, "height": 844})
    chat.send("long reply")
    pane = chat.page.locator("#conversation").bounding_box()
    first_line = chat.page.locator(".from-bot .message-text").last.bounding_box()
    assert pane["y"] <= first_line["y"] <= pane["y"] + pane["height"] / 2


# -- automated accessibility audit (issue 16) ---------------------------------------------------
# axe-core 4.12, bundled by the pinned axe-playwright-python package (never from a CDN).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _serious_violations(page: Any) -> List[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_serious_accessibility_violations_empty_with_chart_and_long(
    chat: ChatPage, viewport: str
) -> None:
    chat.page.set_viewport_size(VIEWPORTS[viewport])
    RESULTS_DIR.mkdir(exist_ok=True)
    assert _serious_violations(chat.page) == [], "the page as it opens"
    chat.click_button("What did the study find?")  # buttons used, the chart and its description
    chat.page.locator(".from-bot img").first.evaluate("img => img.decode()")
    assert _serious_violations(chat.page) == [], "with buttons and the chart"
    chat.page.screenshot(path=str(RESULTS_DIR / f"web-{viewport}-chart.png"))
    history = [
        {"from": "user" if number % 2 else "bot", "kind": "text", "text": f"Message {number}"}
        for number in range(150)
    ]
    saved = {"senderId": stored_sender_id(chat), "history": history}
    chat.page.evaluate("s => localStorage.setItem('clinicChat.v1', s)", json.dumps(saved))
    chat.reload()
    assert _serious_violations(chat.page) == [], "after 150 messages"
    chat.page.screenshot(path=str(RESULTS_DIR / f"web-{viewport}-150-messages.png"))


def test_a_tap_shows_the_chart_full_size_on_a_phone(chat: ChatPage) -> None:
    """Issue 16: at phone width the chart was about 313 px wide and could not be enlarged."""
    chat.page.set_viewport_size(VIEWPORTS["phone"])
    chat.click_button("What did the study find?")
    image = chat.page.locator(".from-bot img").first
    natural = image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert image.bounding_box()["width"] < natural  # fitted to the phone at first
    chat.page.locator(".from-bot a.image-link").click()
    assert image.bounding_box()["width"] >= natural  # full size, scrolling inside its bubble
    assert chat.page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert chat.page.locator(".from-bot a.image-link").get_attribute("aria-expanded") == "true"
    chat.page.locator(".from-bot a.image-link").click()
    assert image.bounding_box()["width"] < natural
