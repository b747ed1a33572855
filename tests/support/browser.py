"""Helpers for driving the clinic chat page in Debian's chromium (headless, through Playwright).

Used by tests/web/ against a stub Rasa server, and meant for a test against the
real assistant too:

    from tests.support.browser import ChatPage, launch_browser, require_chromium, serve_web_page

    require_chromium()
    with sync_playwright() as playwright, serve_web_page("http://localhost:5005") as url:
        browser = launch_browser(playwright)
        chat = ChatPage(browser.new_page(), url).open()
        chat.send("What did the study find?")
        assert chat.bot_messages()

A browser cannot be downloaded here, so Playwright is pointed at the system's chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVE_WEB_SCRIPT = PROJECT_ROOT / "scripts" / "serve_web.py"
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000
_ADDRESS_LINE = re.compile(r"Clinic chat page: http://[^:/]+:(\d+)/")


def require_chromium() -> None:
    """Skip when chromium is missing on a developer's machine; fail when it is missing in CI."""
    if CHROMIUM_PATH.exists():
        return
    message = f"{CHROMIUM_PATH} is not installed (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it", pytrace=False)
    pytest.skip(f"browser tests need Debian's chromium: {message}")


def launch_browser(playwright):  # -> playwright.sync_api.Browser
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True
    )


@contextmanager
def serve_web_page(
    rasa_url: str,
    charts_dir: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None,
    port: int = 0,
) -> Iterator[str]:
    """Run scripts/serve_web.py (on a free port unless given); yields the page's address."""
    command = [sys.executable, str(SERVE_WEB_SCRIPT), "--port", str(port), "--rasa-url", rasa_url]
    if charts_dir is not None:
        command += ["--charts-dir", str(charts_dir)]
    # The request log goes to a file: an unread pipe would fill up and stall the server.
    with tempfile.TemporaryFile(mode="w+") as request_log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=request_log,
            text=True,
            env={**os.environ, **(extra_env or {})},
        )
        try:
            first_line = process.stdout.readline() if process.stdout else ""
            match = _ADDRESS_LINE.search(first_line)
            if not match:
                process.kill()
                process.wait(timeout=10)
                request_log.seek(0)
                raise RuntimeError(
                    f"serve_web.py did not start: {first_line!r} {request_log.read()!r}"
                )
            yield f"http://127.0.0.1:{match.group(1)}/"
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout:
                process.stdout.close()


class ChatPage:
    """The chat page as a patient sees it: type, press Enter, click choices, read the replies."""

    def __init__(self, page, base_url: str, reply_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.page = page
        self.base_url = base_url
        self.reply_timeout_ms = reply_timeout_ms
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)

    @property
    def input(self):
        return self.page.get_by_label("Your message")

    def open(self) -> "ChatPage":
        self.page.goto(self.base_url)
        self.wait_until_ready()
        return self

    def reload(self) -> "ChatPage":
        self.page.reload()
        self.wait_until_ready()
        return self

    def wait_until_ready(self) -> None:
        self.page.wait_for_selector("html[data-chat-ready='true']", state="attached")
        self.wait_until_idle()

    def wait_until_idle(self) -> None:
        """Wait until no reply is awaited (the typing indicator is gone)."""
        # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
        self.page.locator("#typing").wait_for(state="hidden", timeout=self.reply_timeout_ms)

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_until_idle()

    def click_button(self, title: str) -> None:
        self.page.get_by_role("button", name=title, exact=True).click()
        self.wait_until_idle()

    def start_over(self) -> None:
        """Start over, and say yes when the page asks first."""
        self.page.get_by_role("button", name="Start over", exact=True).click()
        self.page.get_by_role("button", name="Yes, start over").click()
        self.wait_until_idle()

    def bot_messages(self) -> List[str]:
        return self.page.locator(".from-bot .message-text").all_inner_texts()

    def user_messages(self) -> List[str]:
        return self.page.locator(".from-user .message-text").all_inner_texts()

    def button_titles(self, enabled_only: bool = True) -> List[str]:
        selector = ".choice-button:not([disabled])" if enabled_only else ".choice-button"
        return self.page.locator(selector).all_inner_texts()

    def image_sources(self) -> List[str]:
        return [
            image.get_attribute("src") or "" for image in self.page.locator(".from-bot img").all()
        ]

    def error_text(self) -> str:
        banner = self.page.locator("#error")
        return banner.inner_text() if banner.is_visible() else ""
