"""The clinic page in a real browser against the real assistant (the page's own behaviour is
tested against a stub in tests/web/). Leaves results/web_chat.png behind."""

from __future__ import annotations

import pytest

from tests.conftest import WebPage
from tests.support import browser
from tests.support.harness import PROJECT_ROOT, Assistant

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_conversation_in_the_browser(assistant: Assistant, web_page: WebPage) -> None:
    browser.require_chromium()
    from playwright.sync_api import sync_playwright

    with browser.serve_web_page(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        extra_env={"CLINIC_CONFIG": str(web_page.clinic_config)},
        port=web_page.port,
    ) as page_url, sync_playwright() as playwright:
        chromium = browser.launch_browser(playwright)
        try:
            page = chromium.new_page(viewport={"width": 900, "height": 1000})
            chat = browser.ChatPage(page, page_url.replace("127.0.0.1", "127.0.0.1")).open()
            chat.wait_until_idle()
            assert any(
                "education assistant" in m for m in chat.bot_messages()
            )  # greeted on arrival

            chat.click_button("I'm a physio in training")
            chat.wait_until_idle()
            assert any("fuller picture" in m for m in chat.bot_messages())

            chat.send("What was pain in the control group at 22 weeks?")
            chat.wait_until_idle()
            assert any("3.86 (SD 2.35)" in m for m in chat.bot_messages())

            chat.send("show me how pain changed over time")
            chat.wait_until_idle()
            images = page.locator(".message img")
            images.last.wait_for()
            assert page.evaluate(
                "img => img.complete && img.naturalWidth > 0", images.last.element_handle()
            )

            chat.send("<b>is this bold?</b>")
            chat.wait_until_idle()
            assert "<b>is this bold?</b>" in chat.user_messages()
            assert page.locator(".message b").count() == 0

            results = PROJECT_ROOT / "results"
            results.mkdir(exist_ok=True)
            page.screenshot(path=str(results / "web_chat.png"))

            before = chat.bot_messages()
            chat.reload()
            assert chat.bot_messages() == before  # the conversation survives a reload
        finally:
            chromium.close()
