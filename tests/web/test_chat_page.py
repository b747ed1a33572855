"""The clinic chat page (web/) in chromium against a stub Rasa: sending, replies, buttons,
reloads, errors and restarts. Skips when chromium is missing locally; fails in CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from backpain.clinic_config import clinic_config
from tests.support.web_stub import (
    ANY_TEXT,
    HTML_LOOKING_TEXT,
    TEST_EMERGENCY_NUMBER,
    USER_HTML_TEXT,
    ChatPage,
    PageProblems,
    StubRasa,
    free_port,
    raw_get,
    running_stub,
    serve_web_page,
    stored_sender_id,
)


def test_config_json_gives_the_page_the_rest_url_and_clinic_settings(
    web_url: str, stub_rasa: StubRasa
) -> None:
    status, headers, body = raw_get(web_url, "/config.json")
    assert status == 200
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(body) == {
        "rest_url": "webhook",  # this server, which passes messages on to Rasa
        "emergency_number": TEST_EMERGENCY_NUMBER,
        "crisis_line_text": clinic_config().crisis_line_text,
        "max_message_chars": 2000,
    }
    policy = headers["content-security-policy"]
    assert "connect-src 'self';" in policy  # the page talks to nothing but its own server
    assert stub_rasa.base_url not in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


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


def test_only_the_last_question_of_a_reply_takes_a_choice(
    chat: ChatPage, stub_rasa: StubRasa, problems: PageProblems
) -> None:
    """An answer's follow-up buttons before a yes/no safety question must not lead past it."""
    chat.send("is it all in my head?")

    assert chat.button_titles() == ["Yes", "No"]
    assert chat.button_titles(enabled_only=False)[-3:] == ["Is pain a protector?", "Yes", "No"]
    chat.click_button("No")
    assert stub_rasa.messages()[-1] == "/deny"
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
    # Help must not wait for the restart: the clinic's contacts are in the notice itself.
    assert notice.inner_text().split("\n") == [
        "The assistant is restarting, your message will be sent.",
        "",
        f"If you need help now, call {TEST_EMERGENCY_NUMBER} in an emergency. "
        + clinic_config().crisis_line_text,
    ]
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
