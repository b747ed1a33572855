"""Unit tests of the channels (channels/), the credentials writer (scripts/credentials.py),
the start script's exposure settings (scripts/start_part.sh) and the per-turn log line. The HTTP behaviour through the real Rasa
server is tested in tests/e2e/test_slack_e2e.py and tests/e2e/test_rest_hardening.py."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.exceptions import InvalidConfigException

from channels.rest import MAX_BODY_BYTES, InvalidRestRequest, parse_rest_request
from channels.slack import ClinicSlackBot, ClinicSlackInput, validated_api_url
from channels.slack_format import (
    MAX_BUTTON_LABEL_CHARS,
    MAX_SECTION_CHARS,
    is_fetchable_by_slack,
    slack_messages,
    to_mrkdwn,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _load_credentials_script():
    spec = importlib.util.spec_from_file_location(
        "credentials_script", PROJECT_ROOT / "scripts" / "credentials.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


credentials_script = _load_credentials_script()
SLACK = "channels.slack.ClinicSlackInput"
REST = "channels.rest.ClinicRestInput"
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


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


# --- REST requests ---


def test_a_well_formed_rest_request_is_read_as_rasa_reads_it() -> None:
    parsed = parse_rest_request(b'{"sender": "s1", "message": "hi", "metadata": {"page": "x"}}')
    assert (parsed.sender, parsed.message, parsed.metadata) == ("s1", "hi", {"page": "x"})
    assert parse_rest_request(b'{"sender": "s1", "message": ""}').message == ""


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"{", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"sender": "s"}', '"message"'),
        (b'{"message": "hi"}', '"sender"'),
        (b'{"sender": "s", "message": 1}', '"message"'),
        (b'{"sender": "\\ud800", "message": "hi"}', '"sender"'),
        (b'{"sender":"s","message":"\xc3\x28"}', "UTF-8"),
    ],
)
def test_a_malformed_rest_request_is_named_in_the_error(body: bytes, fragment: str) -> None:
    with pytest.raises(InvalidRestRequest) as error:
        parse_rest_request(body)
    assert fragment in str(error.value) and error.value.status == 400


def test_an_oversized_rest_body_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidRestRequest) as error:
        parse_rest_request(b" " * (MAX_BODY_BYTES + 1))
    assert error.value.status == 413


def test_lone_surrogates_in_a_message_are_replaced_not_refused() -> None:
    parsed = parse_rest_request(b'{"sender": "s", "message": "a\\ud800b"}')
    assert parsed.message == "a?b"


# --- scripts/credentials.py ---


def write_source(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "credentials.yml"
    source.write_text(text)
    return source


def test_the_project_credentials_turn_slack_on_only_with_its_secrets(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "credentials.yml"
    off = credentials_script.write_credentials(source, tmp_path / "off.yml", environ={})
    assert [s.describe() for s in off] == [
        "Web chat (REST): on",
        "Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable)",
    ]
    on = credentials_script.write_credentials(source, tmp_path / "on.yml", environ=SLACK_ENV)
    assert [s.enabled for s in on] == [True, True]
    assert "SLACK_CHANNEL" in on[1].describe()


def test_the_written_file_keeps_secrets_out_and_rasa_reads_them_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.shared.utils.io

    output = tmp_path / "out.yml"
    credentials_script.write_credentials(
        PROJECT_ROOT / "credentials.yml", output, environ={**SLACK_ENV, "SLACK_CHANNEL": "C1"}
    )
    assert "xoxb-1" not in output.read_text() and "${SLACK_BOT_TOKEN}" in output.read_text()
    for name, value in {**SLACK_ENV, "SLACK_CHANNEL": "C1"}.items():
        monkeypatch.setenv(name, value)
    read = rasa.shared.utils.io.read_config_file(str(output))
    assert read[SLACK] == {
        "slack_token": "xoxb-1",
        "slack_signing_secret": "secret",
        "slack_channel": "C1",
    }
    assert REST in read and read[REST] is None


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    statuses = credentials_script.write_credentials(
        PROJECT_ROOT / "credentials.yml",
        tmp_path / "out.yml",
        environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "  "},
    )
    assert statuses[1].describe() == "Slack: off (set SLACK_SIGNING_SECRET to enable)"
    assert SLACK not in (tmp_path / "out.yml").read_text()


def test_fixed_values_and_embedded_variables_are_handled(tmp_path: Path) -> None:
    source = write_source(tmp_path, "custom.Channel:\n  url: https://${HOST}/hook\n  mode: fixed\n")
    [status] = credentials_script.plan_channels(credentials_script.read_channels(source), {})
    assert status.missing == ["HOST"]
    [status] = credentials_script.plan_channels(
        credentials_script.read_channels(source), {"HOST": "h"}
    )
    assert status.settings == {"url": "https://${HOST}/hook", "mode": "fixed"}


@pytest.mark.parametrize(
    "text",
    ["- a list\n", "rest: [unclosed\n", "slack: just-a-string\n"],
    ids=["list", "bad-yaml", "bad-settings"],
)
def test_a_malformed_credentials_file_is_reported_not_crashed_on(
    tmp_path: Path, text: str, capsys
) -> None:
    source = write_source(tmp_path, text)
    assert (
        credentials_script.main(["--source", str(source), "--output", str(tmp_path / "out.yml")])
        == 1
    )
    assert "credentials:" in capsys.readouterr().err
    assert not (tmp_path / "out.yml").exists()


def test_a_missing_credentials_file_is_reported(tmp_path: Path, capsys) -> None:
    assert (
        credentials_script.main(
            ["--source", str(tmp_path / "nope.yml"), "--output", str(tmp_path / "o.yml")]
        )
        == 1
    )
    assert "cannot read" in capsys.readouterr().err


# --- what `make run` exposes (scripts/start_part.sh, run by supervisord) ---


def test_start_script_exposes_only_what_it_should() -> None:
    script = (PROJECT_ROOT / "scripts" / "start_part.sh").read_text()
    action_line = next(line for line in script.splitlines() if "rasa run actions" in line)
    assert "SANIC_HOST=127.0.0.1" in action_line
    rasa_part = re.search(r"^  rasa\)$(.*?)^    ;;$", script, re.MULTILINE | re.DOTALL).group(1)
    assert '--credentials "${CREDENTIALS:-var/credentials.yml}"' in rasa_part
    api_lines = [line for line in rasa_part.splitlines() if "--enable-api" in line]
    assert api_lines == [
        '    if [ -n "${RASA_API_TOKEN:-}" ]; then args+=(--enable-api --auth-token '
        '"$RASA_API_TOKEN"); fi'
    ]
    assert "--cors" in rasa_part and '"*"' not in rasa_part
    assert 'exec $bin/rasa run "${args[@]}"' in rasa_part
    supervise = (PROJECT_ROOT / "scripts" / "supervise.sh").read_text()
    assert supervise.index("scripts/credentials.py") < supervise.index("exec supervisord")
    assert "RASA_API_TOKEN" not in (PROJECT_ROOT / "deploy" / "supervisord.conf.in").read_text()


# --- the REST channel while a part restarts (channels/rest.py) ---


def _events(*events: Any) -> List[Any]:
    return list(events)


def test_a_repeat_gets_the_replies_of_its_turn_and_a_new_message_gets_none() -> None:
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    from channels.rest import replies_after_message

    events = _events(
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("earlier", metadata={"message_id": "m0"}),
        BotUttered("Earlier answer."),
        ActionExecuted("action_listen"),
        # A new session for the next message: as Rasa logs a custom action_session_start, its
        # message comes before SessionStarted (which "applied events" start after).
        BotUttered("Please note: education only."),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hi", metadata={"message_id": "m1", "attempt": 1}),
        BotUttered("Hello!", data={"buttons": [{"title": "More", "payload": "/more"}]}),
        BotUttered("", data={"image": "http://x/chart.png"}),
        ActionExecuted("action_listen"),
    )
    assert replies_after_message(events, "s", "m1") == [
        {"recipient_id": "s", "text": "Please note: education only."},
        {"recipient_id": "s", "text": "Hello!", "buttons": [{"title": "More", "payload": "/more"}]},
        {"recipient_id": "s", "image": "http://x/chart.png"},
    ]
    assert replies_after_message(events, "s", "m2") is None  # not handled yet: handle it
    later = events + [UserUttered("and?", metadata={"message_id": "m2"}), BotUttered("Yes.")]
    assert replies_after_message(later, "s", "m2") == [{"recipient_id": "s", "text": "Yes."}]
    assert replies_after_message(later, "s", "m1") is None  # only the latest message repeats
    assert replies_after_message([], "s", "m1") is None
    undone = later + [UserUttered("x", metadata={"message_id": "m3"}), UserUtteranceReverted()]
    assert replies_after_message(undone, "s", "m3") is None  # undone: it must be handled again


@pytest.mark.parametrize(
    "metadata, expected",
    [
        (None, (None, 1)),
        ({"message_id": "m", "attempt": 3}, ("m", 3)),
        ({"message_id": "", "attempt": "2"}, (None, 1)),
        ({"message_id": 5, "attempt": True}, (None, 1)),
        ({"message_id": "m", "attempt": 0}, ("m", 1)),
    ],
)
def test_retry_marks_are_read_defensively(metadata: Any, expected: Any) -> None:
    from channels.rest import retry_marks

    assert retry_marks(metadata) == expected


def test_the_action_server_is_down_only_when_nothing_listens_on_its_port() -> None:
    import socket

    from rasa.utils.endpoints import EndpointConfig

    from channels.rest import ClinicRestInput, _action_server_address

    class Agent:
        action_endpoint = EndpointConfig("http://127.0.0.1:5055/webhook/")

    assert _action_server_address(Agent()) == ("127.0.0.1", 5055)
    Agent.action_endpoint = None
    assert _action_server_address(Agent()) is None

    channel = ClinicRestInput()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        address = listening.getsockname()
        assert asyncio.run(channel._action_server_up(address)) is True
    assert asyncio.run(channel._action_server_up(address)) is False  # closed: refused


def test_a_turns_outcome_and_log_line_hold_no_text(caplog: pytest.LogCaptureFixture) -> None:
    import time

    from rasa.shared.core.events import ActionExecuted, UserUttered

    from stores import turn_log

    class Tracker:
        sender_id = "person-1"
        events: List[Any] = []

    def outcome(*events: Any) -> str:
        Tracker.events = [
            UserUttered("earlier"),
            ActionExecuted("action_escalate_red_flag"),
            *events,
        ]
        return turn_log.outcome_of(Tracker)

    assert (
        outcome(UserUttered("my back", {"name": "ask_pain"}), ActionExecuted("utter_x"))
        == "answered"
    )
    assert outcome(UserUttered("?", {"name": "nlu_fallback"})) == "fallback"
    assert outcome(UserUttered("x"), ActionExecuted("action_default_ask_affirmation")) == "fallback"
    assert outcome(UserUttered("numb"), ActionExecuted("action_escalate_red_flag")) == "escalated"
    assert outcome(UserUttered("x"), ActionExecuted("action_crisis_support")) == "escalated"

    turn_log.record_outcome(Tracker)
    assert turn_log.take_outcome("person-1") == "escalated"
    assert turn_log.take_outcome("person-1") == "answered"  # taken once
    with caplog.at_level("INFO", logger="turns"):
        turn_log.log_turn("person-1", time.monotonic() - 0.25, "fallback", 2)
    (line,) = caplog.messages
    assert re.fullmatch(r"turn conversation=[0-9a-f]{12} outcome=fallback ms=2\d\d replies=2", line)
    assert "person-1" not in line


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


# --- the REST channel's handling while the action server restarts (no servers: a fake agent) ---


class _FakeAgent:
    """What the REST channel uses of Rasa's agent: its stores and the action endpoint."""

    def __init__(self) -> None:
        from rasa.core.lock_store import InMemoryLockStore
        from rasa.core.tracker_store import InMemoryTrackerStore
        from rasa.shared.core.domain import Domain
        from rasa.utils.endpoints import EndpointConfig

        self.domain = Domain.empty()
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.lock_store = InMemoryLockStore()
        self.action_endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def store_message(self, message: Any, replies: List[str]) -> None:
        """As Rasa handles a message: the user's event, the bot's, back to listening."""
        from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        # Rasa adds its own keys to the metadata it stores.
        metadata = {**(message.metadata or {}), "model_id": "m", "assistant_id": "a"}
        tracker.update(UserUttered(message.text, metadata=metadata))
        for reply in replies:
            tracker.update(BotUttered(reply))
            await message.output_channel.send_text_message(message.sender_id, reply)
        tracker.update(ActionExecuted("action_listen"))
        await self.tracker_store.save(tracker)

    def user_texts(self, sender: str) -> List[str]:
        from rasa.shared.core.events import UserUttered

        tracker = asyncio.run(self.tracker_store.retrieve(sender))
        return [e.text for e in tracker.applied_events() if isinstance(e, UserUttered)]


def _handle(agent: _FakeAgent, health: List[bool], message: str, on_new_message: Any, **metadata):
    """One REST request through ClinicRestInput._handle; the action server's health answers
    `health` in turn (before the turn, after it). Returns (status, JSON body)."""
    from channels.rest import ClinicRestInput, RestRequest

    channel = ClinicRestInput()
    answers = iter(health)

    async def action_server_up(_: str) -> bool:
        return next(answers)

    channel._action_server_up = action_server_up  # type: ignore[method-assign]
    request = RestRequest(sender="p1", message=message, metadata=metadata or None)
    answer = asyncio.run(channel._handle(request, on_new_message, agent))
    return answer.status, json.loads(answer.body)


def test_a_message_arriving_while_the_action_server_is_down_is_refused_unstored() -> None:
    agent = _FakeAgent()
    handled: List[str] = []

    async def on_new_message(message: Any) -> None:
        handled.append(message.text)

    status, body = _handle(agent, [False], "hello", on_new_message)
    assert status == 503 and "restarting" in body["error"] and body["retry_after"] == 3
    assert handled == []


def test_a_turn_the_action_server_vanished_during_is_undone_and_then_handled_once() -> None:
    agent = _FakeAgent()

    async def answered(message: Any) -> None:
        await agent.store_message(message, [f"answer to {message.text}"])

    assert _handle(agent, [True, True], "first", answered, message_id="a", attempt=1)[0] == 200
    status, _ = _handle(agent, [True, False], "second", answered, message_id="b", attempt=1)
    assert status == 503
    assert agent.user_texts("p1") == ["first"]  # the half-handled turn is undone
    status, body = _handle(agent, [True, True], "second", answered, message_id="b", attempt=2)
    assert status == 200 and body == [{"recipient_id": "p1", "text": "answer to second"}]
    assert agent.user_texts("p1") == ["first", "second"]
    # Its reply lost on the way, the page sends it once more: answered from what was stored.
    status, body = _handle(agent, [], "second", answered, message_id="b", attempt=3)
    assert status == 200 and body == [{"recipient_id": "p1", "text": "answer to second"}]
    assert agent.user_texts("p1") == ["first", "second"]


def test_a_message_rasa_never_stored_leaves_the_turn_before_it_alone() -> None:
    agent = _FakeAgent()

    async def answered(message: Any) -> None:
        await agent.store_message(message, ["ok"])

    async def failing(message: Any) -> None:
        raise RuntimeError("failed before storing anything")

    _handle(agent, [True, True], "first", answered)
    assert _handle(agent, [True, False], "second", failing)[0] == 503
    assert agent.user_texts("p1") == ["first"]
