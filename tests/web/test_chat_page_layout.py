"""The chat page's layout and accessibility in chromium: long input, keyboard and screen
reader, phone screens, contrast, long conversations, charts, axe-core."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.web_stub import (
    RESULTS_DIR,
    VIEWPORTS,
    ChatPage,
    StubRasa,
    contrast_ratio,
    serious_violations,
    stored_sender_id,
)


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


def test_focus_ring_input_border_and_used_buttons_reach_3_to_1(chat: ChatPage) -> None:
    """WCAG 2.2 non-text contrast (1.4.11), measured on the rendered page (issue 16)."""
    white = "rgb(255, 255, 255)"
    chat.click_button("Is exercise safe for me?")  # the greeting's choices are now used
    chat.input.focus()
    style = chat.input.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineColor, s.borderTopColor]; }"
    )
    assert contrast_ratio(style[0], white) >= 3 and contrast_ratio(style[1], white) >= 3
    used = chat.page.locator(".choice-button:disabled:not(.chosen)").first
    border, opacity = used.evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderTopColor, s.opacity]; }"
    )
    faded = border.replace("rgb(", "rgba(").replace(")", f", {opacity})")
    assert contrast_ratio(faded, white) >= 3
    chat.page.get_by_role("button", name="Start over", exact=True).focus()
    chat.page.keyboard.press("Shift+Tab")
    chat.page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    ring, header = chat.page.get_by_role("button", name="Start over", exact=True).evaluate(
        "e => [getComputedStyle(e).outlineColor, getComputedStyle(e.closest('header')).backgroundColor]"
    )
    assert contrast_ratio(ring, header) >= 3


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


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_serious_accessibility_violations_empty_with_chart_and_long(
    chat: ChatPage, viewport: str
) -> None:
    chat.page.set_viewport_size(VIEWPORTS[viewport])
    RESULTS_DIR.mkdir(exist_ok=True)
    assert serious_violations(chat.page) == [], "the page as it opens"
    chat.click_button("What did the study find?")  # buttons used, the chart and its description
    chat.page.locator(".from-bot img").first.evaluate("img => img.decode()")
    assert serious_violations(chat.page) == [], "with buttons and the chart"
    chat.page.screenshot(path=str(RESULTS_DIR / f"web-{viewport}-chart.png"))
    history = [
        {"from": "user" if number % 2 else "bot", "kind": "text", "text": f"Message {number}"}
        for number in range(150)
    ]
    saved = {"senderId": stored_sender_id(chat), "history": history}
    chat.page.evaluate("s => localStorage.setItem('clinicChat.v1', s)", json.dumps(saved))
    chat.reload()
    assert serious_violations(chat.page) == [], "after 150 messages"
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
