"""The Slack channel without servers: Markdown to mrkdwn, Block Kit, the bot and the input
channel's settings, repeats, apologies, charts in threads, and the per-turn log line.
Through the real Rasa server: tests/e2e/test_slack_e2e.py."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.exceptions import InvalidConfigException

from channels.slack import ClinicSlackBot, ClinicSlackInput, validated_api_url
from channels.slack_format import (
    MAX_BUTTON_LABEL_CHARS,
    MAX_SECTION_CHARS,
    is_fetchable_by_slack,
    slack_messages,
    to_mrkdwn,
)

# --- Markdown to Slack mrkdwn ---


@pytest.mark.parametrize(
    "markdown, mrkdwn",
    [
        ("**Pain** fell", "*Pain* fell"),
        ("__Pain__ fell", "*Pain* fell"),
        ("it *may* help", "it _may_ help"),
        ("~~old~~ new", "~old~ new"),
        (
            "see [the trial](https://example.org/t?a=1&b=2)",
            "see <https://example.org/t?a=1&b=2|the trial>",
        ),
        ("# Results\nline", "*Results*\nline"),
        ("- one\n* two\n+ three", "• one\n• two\n• three"),
        ("pain < 3 & mood > 5", "pain &lt; 3 &amp; mood &gt; 5"),
        ("<b>not html</b>", "&lt;b&gt;not html&lt;/b&gt;"),
        ("first line\nsecond line\n\nnew paragraph", "first line\nsecond line\n\nnew paragraph"),
        ("`**kept**` as code", "`**kept**` as code"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("• already a bullet", "• already a bullet"),
    ],
)
def test_markdown_becomes_slack_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_a_plain_message_is_one_post_with_its_line_breaks() -> None:
    [post] = slack_messages("Hello.\nSecond line.\n\nA **new** paragraph.")
    assert post["text"] == "Hello.\nSecond line.\n\nA *new* paragraph."
    assert [b["text"] for b in post["blocks"]] == [{"type": "mrkdwn", "text": post["text"]}]


def test_buttons_become_block_kit_buttons_with_their_payloads() -> None:
    buttons = [
        {"title": "I'm a **patient**", "payload": "/declare_patient"},
        {"title": "Trial page", "url": "https://example.org"},
    ]
    [post] = slack_messages("Who are you?", buttons)
    section, actions = post["blocks"]
    assert section["text"]["text"] == "Who are you?"
    first, link = actions["elements"]
    assert first["text"] == {"type": "plain_text", "text": "I'm a patient", "emoji": True}
    assert first["value"] == "/declare_patient"
    assert link["url"] == "https://example.org" and "value" not in link
    assert first["action_id"] != link["action_id"]


def test_many_buttons_are_all_shown_in_blocks_of_25() -> None:
    buttons = [{"title": f"Option {i}", "payload": f'/choose{{"n": {i}}}'} for i in range(30)]
    [post] = slack_messages("Pick one", buttons)
    actions = [b for b in post["blocks"] if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]


def test_long_button_labels_are_shortened_and_overlong_payloads_left_out() -> None:
    buttons = [
        {"title": "x" * 200, "payload": "/a"},
        {"title": "Too long", "payload": "/" + "p" * 3000},
    ]
    [post] = slack_messages("Pick", buttons)
    [element] = post["blocks"][1]["elements"]
    assert len(element["text"]["text"]) == MAX_BUTTON_LABEL_CHARS and element["value"] == "/a"


def test_a_public_image_gets_an_image_block_with_the_first_line_as_alt_text() -> None:
    [post] = slack_messages(
        "Chart: **average pain** over time\n• group A: 5",
        image="https://clinic.example/charts/p.png",
    )
    image = next(b for b in post["blocks"] if b["type"] == "image")
    assert image == {
        "type": "image",
        "image_url": "https://clinic.example/charts/p.png",
        "alt_text": "Chart: average pain over time",
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/charts/p.png",
        "http://127.0.0.1/p.png",
        "http://10.0.0.5/p.png",
        "http://intranet/p.png",
        "file:///etc/passwd",
        "http://printer.local/p.png",
    ],
)
def test_an_image_slack_cannot_fetch_is_left_out_and_the_text_kept(url: str) -> None:
    assert not is_fetchable_by_slack(url)
    [post] = slack_messages("Chart: figures in words", image=url)
    assert [b["type"] for b in post["blocks"]] == ["section"]


def test_long_texts_are_split_into_sections_slack_accepts() -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 300 for i in range(8))
    [post] = slack_messages(text)
    sections = [b["text"]["text"] for b in post["blocks"]]
    assert len(sections) > 1 and all(len(s) <= MAX_SECTION_CHARS for s in sections)
    assert "\n\n".join(sections) == to_mrkdwn(text)


def test_an_empty_message_posts_nothing() -> None:
    assert slack_messages("", []) == []


# --- the Slack output and input channels ---


class RecordingClient:
    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []

    async def chat_postMessage(self, **kwargs: Any) -> Dict[str, Any]:  # noqa: N802 (Slack's name)
        self.calls.append(kwargs)
        return {"ok": True}


def test_the_bot_posts_each_assistant_message_once_to_its_channel_and_thread() -> None:
    bot = ClinicSlackBot(
        "xoxb-1", "C1", thread_id="1700000000.1", api_url="http://127.0.0.1:9/api/"
    )
    bot.client = RecordingClient()
    message = {
        "text": "**Hi**\nthere",
        "buttons": [{"title": "Go", "payload": "/go"}],
        "image": None,
    }
    asyncio.run(bot.send_response("U1", message))
    [call] = bot.client.calls
    assert call["channel"] == "C1" and call["thread_ts"] == "1700000000.1"
    assert call["text"] == "*Hi*\nthere"
    assert [b["type"] for b in call["blocks"]] == ["section", "actions"]


def test_the_bot_talks_to_the_configured_slack_api_address() -> None:
    bot = ClinicSlackBot("xoxb-1", "C1", api_url="http://127.0.0.1:9/api/")
    assert bot.client.base_url == "http://127.0.0.1:9/api/"
    assert ClinicSlackBot("xoxb-1").client.base_url == "https://slack.com/api/"


def slack_input(**credentials: Any) -> ClinicSlackInput:
    channel = ClinicSlackInput.from_credentials(
        {"slack_token": "xoxb-1", "slack_signing_secret": "s", **credentials}
    )
    assert isinstance(channel, ClinicSlackInput)
    return channel


def test_slack_input_passes_its_api_address_and_channel_to_the_bot() -> None:
    channel = slack_input(slack_api_url="http://127.0.0.1:9/api/", slack_channel="C1")
    bot = channel.get_output_channel()
    assert isinstance(bot, ClinicSlackBot)
    assert bot.client.base_url == "http://127.0.0.1:9/api/" and bot.slack_channel == "C1"
    assert ClinicSlackInput.name() == "slack"


@pytest.mark.parametrize(
    "credentials",
    [
        {"slack_signing_secret": ""},
        {"slack_token": ""},
        {"slack_api_url": "http://slack.example/api/"},
    ],
    ids=["no-signing-secret", "no-token", "plain-http-elsewhere"],
)
def test_slack_input_refuses_unsafe_settings(credentials: Dict[str, str]) -> None:
    with pytest.raises(InvalidConfigException):
        slack_input(**credentials)


@pytest.mark.parametrize(
    "url, expected",
    [
        (None, "https://slack.com/api/"),
        ("https://slack.example/api/", "https://slack.example/api/"),
        ("http://localhost:1234/api/", "http://localhost:1234/api/"),
    ],
)
def test_slack_api_address_defaults_to_slack(url: Any, expected: str) -> None:
    assert validated_api_url(url) == expected


def test_a_slack_message_delivered_twice_counts_once() -> None:
    channel = slack_input()
    first = {"event": {"channel": "C1", "ts": "1.1"}}
    assert channel._first_delivery(first)
    assert not channel._first_delivery(
        {"event": {"channel": "C1", "ts": "1.1"}, "event_id": "other"}
    )
    assert channel._first_delivery({"event": {"channel": "C1", "ts": "1.2"}})
    assert channel._first_delivery({"event": {"channel": "C2", "ts": "1.1"}})


class _Request:
    headers: Dict[str, str] = {}


def _answer_with(handler: Any) -> List[Dict[str, Any]]:
    """What the Slack channel posts for one message, when the assistant's handling does `handler`."""
    channel = slack_input()
    bot = ClinicSlackBot("xoxb-1", "C1", api_url="http://127.0.0.1:9/api/")
    bot.client = RecordingClient()
    channel.get_output_channel = lambda *args, **kwargs: bot  # type: ignore[method-assign]

    async def run() -> None:
        await channel.process_message(_Request(), handler, "hello", "U1", {"out_channel": "C1"})
        await asyncio.gather(*channel._background_tasks)

    asyncio.run(run())
    return bot.client.calls


def test_a_message_that_gets_no_reply_gets_a_short_apology_in_slack() -> None:
    """Issue 16: a failed action left the Slack user with silence."""

    async def silent(message: Any) -> None:
        return None

    async def failing(message: Any) -> None:
        raise RuntimeError("action server down")

    async def answering(message: Any) -> None:
        await message.output_channel.send_text_message("U1", "Here is an answer.")

    for handler in (silent, failing):
        [call] = _answer_with(handler)
        assert call["text"] == "Sorry, I couldn't answer that. Please try again."
    [call] = _answer_with(answering)
    assert call["text"] == "Here is an answer."


def test_a_slack_turn_gets_its_log_line_without_text(caplog: pytest.LogCaptureFixture) -> None:
    async def answering(message: Any) -> None:
        await message.output_channel.send_text_message("U1", "Here is an answer.")

    with caplog.at_level("INFO", logger="turns"):
        _answer_with(answering)
    (line,) = [m for m in caplog.messages if m.startswith("turn ")]
    assert re.fullmatch(r"turn conversation=[0-9a-f]{12} outcome=answered ms=\d+ replies=1", line)
    assert "U1" not in line and "hello" not in line


def test_the_chart_is_posted_in_the_thread_with_its_text_alternative(tmp_path: Path) -> None:
    """Issue 16: in a Slack thread, the chart comes with its description, in that thread."""
    from backpain.study.chart import answer_chart

    answer = answer_chart("patient", output_path=tmp_path / "chart.png")
    bot = ClinicSlackBot(
        "xoxb-1", "C1", thread_id="1700000000.2", api_url="http://127.0.0.1:9/api/"
    )
    bot.client = RecordingClient()
    url = "https://clinic.example/charts/pain_over_time.png"
    asyncio.run(bot.send_response("U1", {"text": answer.text, "image": url}))
    [call] = bot.client.calls
    assert call["channel"] == "C1" and call["thread_ts"] == "1700000000.2"
    sections = [b["text"]["text"] for b in call["blocks"] if b["type"] == "section"]
    [image] = [b for b in call["blocks"] if b["type"] == "image"]
    assert "Usual physiotherapy" in " ".join(sections) and "about" in " ".join(sections)
    assert image["image_url"] == url and image["alt_text"].startswith("Chart: the average pain")
