"""The page server (scripts/serve_web.py), spoken to in raw HTTP: files, settings, passing
messages on to Rasa, and its answers while Rasa is down. No browser needed."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from tests.support import browser as browser_helpers
from tests.support.web_stub import (
    CHART_FILE,
    ChatPage,
    StubRasa,
    free_port,
    post_webhook,
    raw_get,
    require_chromium,
    run_serve_web,
    serve_web,
    serve_web_page,
)


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
