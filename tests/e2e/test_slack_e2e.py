"""Slack, through the real Rasa server: signed events are answered, anything else is refused.

The Rasa server runs with Slack credentials and SLACK_API_URL pointing at FakeSlackApi, a local
HTTP server that records every chat.postMessage call and answers {"ok": true}: what the
assistant would have sent to Slack is captured here, never sent.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from tests.support.harness import Assistant

pytestmark = pytest.mark.e2e

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
CLINIC_CHANNEL = "C0CLINIC"
BOT_USER = "U0BOT"
ANSWER_TIMEOUT_SECONDS = 90
GREETING = "education assistant for chronic low back pain"

Post = Dict[str, Any]


class FakeSlackApi:
    """Slack's Web API as far as the assistant uses it: records chat.postMessage calls."""

    def __init__(self) -> None:
        self.posts: List[Post] = []
        self.authorizations: List[str] = []
        self._changed = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    arguments = json.loads(body or b"{}")
                else:
                    arguments = dict(urllib.parse.parse_qsl(body.decode()))
                api.record(self.path, arguments, self.headers.get("Authorization", ""))
                answer = json.dumps(
                    {"ok": True, "channel": arguments.get("channel"), "ts": f"{time.time():.6f}"}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def record(self, path: str, arguments: Dict[str, Any], authorization: str) -> None:
        with self._changed:
            if path.endswith("/chat.postMessage"):
                self.posts.append(arguments)
                self.authorizations.append(authorization)
            self._changed.notify_all()

    def posts_to(self, channel: str) -> List[Post]:
        with self._changed:
            return [post for post in self.posts if post.get("channel") == channel]

    def wait_for(self, channel: str, condition: Callable[[List[Post]], bool]) -> List[Post]:
        """The posts to `channel` once `condition` holds for them; fails after the timeout."""
        deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
        with self._changed:
            while True:
                posts = [post for post in self.posts if post.get("channel") == channel]
                if condition(posts):
                    return posts
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"Slack API got no matching post to {channel}; got {posts!r}")
                self._changed.wait(remaining)

    def __enter__(self) -> "FakeSlackApi":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def post_text(post: Post) -> str:
    """All the text a person sees in a post: the fallback text and every section block."""
    sections = [b["text"]["text"] for b in post.get("blocks") or [] if b.get("type") == "section"]
    return "\n".join([post.get("text") or "", *sections])


def post_buttons(post: Post) -> List[Dict[str, Any]]:
    return [
        e for b in post.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]
    ]


def mentions_greeting(posts: List[Post]) -> bool:
    return any(GREETING in post_text(post) for post in posts)


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


@pytest.fixture(scope="module")
def slack_assistant(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlackApi
) -> Iterator[Assistant]:
    """The assistant as `make run` starts it with Slack set up (and no HTTP API)."""
    running = Assistant(
        workdir=tmp_path_factory.mktemp("slack-assistant"),
        enable_api=False,
        extra_env={
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CHANNEL": CLINIC_CHANNEL,
            "SLACK_API_URL": fake_slack.url,
        },
    ).start()
    yield running
    running.stop()


_ids = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}T{int(time.time() * 1000) % 10**8}"


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"v0={digest}"


def signed_headers(
    body: bytes, content_type: str = "application/json", age_seconds: int = 0
) -> Dict[str, str]:
    timestamp = str(int(time.time()) - age_seconds)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(body, timestamp),
    }


def post_to_webhook(
    assistant: Assistant, body: bytes, headers: Dict[str, str]
) -> Tuple[int, bytes]:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/slack/webhook", data=body, method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def message_event(
    text: str,
    user: str,
    channel: str = CLINIC_CHANNEL,
    kind: str = "message",
    ts: Optional[str] = None,
    **event_fields: Any,
) -> bytes:
    event = {
        "type": kind,
        "user": user,
        "text": text,
        "channel": channel,
        "ts": ts or f"{time.time():.6f}",
        **event_fields,
    }
    if kind == "message":
        event["channel_type"] = "channel"
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T0CLINIC",
            "type": "event_callback",
            "event": event,
            "event_id": unique("Ev"),
            "event_time": int(time.time()),
            "authed_users": [BOT_USER],
        }
    ).encode()


def send_signed(assistant: Assistant, body: bytes, **header_options: Any) -> Tuple[int, bytes]:
    return post_to_webhook(assistant, body, signed_headers(body, **header_options))


def assert_nothing_sent_to(fake_slack: FakeSlackApi, assistant: Assistant, channel: str) -> None:
    """Prove a quiet channel stayed quiet: a later, valid message elsewhere has been answered."""
    other_channel = unique("CSENTINEL")
    status, _ = send_signed(
        assistant, message_event(f"<@{BOT_USER}> hi", unique("U"), other_channel, "app_mention")
    )
    assert status == 200
    fake_slack.wait_for(other_channel, mentions_greeting)
    assert fake_slack.posts_to(channel) == []


# --- accepted and answered ---


def test_url_verification_challenge_is_answered(slack_assistant: Assistant) -> None:
    body = json.dumps(
        {
            "token": "unused",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    status, answer = send_signed(slack_assistant, body)
    assert status == 200
    assert json.loads(answer) == {
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    }


def test_message_in_the_clinic_channel_is_answered_with_text_and_buttons(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    user = unique("U")
    status, _ = send_signed(slack_assistant, message_event("hi", user))
    assert status == 200
    posts = fake_slack.wait_for(
        CLINIC_CHANNEL,
        lambda posts: mentions_greeting(posts) and any(post_buttons(p) for p in posts),
    )
    greeting = next(p for p in posts if GREETING in post_text(p))
    buttons = {b["text"]["text"]: b for b in post_buttons(greeting)}
    assert {"What can you do?", "I'm a patient", "I'm a physio in training"} <= set(buttons)
    assert all(b["type"] == "button" and b["value"].startswith("/") for b in buttons.values())
    assert "**" not in post_text(greeting)  # Markdown was converted, not shown raw
    assert all(auth == f"Bearer {BOT_TOKEN}" for auth in fake_slack.authorizations)


def test_app_mention_elsewhere_is_answered_in_that_channel_without_the_mention(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    channel = unique("CMENTION")
    status, _ = send_signed(
        slack_assistant,
        message_event(
            f"<@{BOT_USER}> am I talking to a real person?", unique("U"), channel, "app_mention"
        ),
    )
    assert status == 200
    posts = fake_slack.wait_for(
        channel, lambda posts: any("computer program" in post_text(p) for p in posts)
    )
    assert all(f"<@{BOT_USER}>" not in post_text(p) for p in posts)


def test_a_button_click_is_sent_to_the_assistant(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    user, channel = unique("U"), unique("CCLICK")
    send_signed(slack_assistant, message_event(f"<@{BOT_USER}> hi", user, channel, "app_mention"))
    fake_slack.wait_for(channel, mentions_greeting)
    click = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "message": {"ts": f"{time.time():.6f}"},
        "actions": [{"type": "button", "action_id": "button-2", "value": "/declare_trainee"}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(click)}).encode()
    status, _ = send_signed(slack_assistant, body, content_type="application/x-www-form-urlencoded")
    assert status == 200
    fake_slack.wait_for(channel, lambda posts: any("fuller picture" in post_text(p) for p in posts))


def test_one_message_delivered_twice_is_answered_once(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    # Slack delivers again when unsure of the first delivery (same channel and ts).
    user, channel, ts = unique("U"), unique("CTWICE"), f"{time.time():.6f}"
    question = message_event(f"<@{BOT_USER}> are you a bot?", user, channel, "app_mention", ts=ts)
    assert send_signed(slack_assistant, question)[0] == 200
    assert send_signed(slack_assistant, question)[0] == 200
    # The same person's next message is handled after both; once it is answered, a second
    # answer to the question would have been posted too.
    send_signed(
        slack_assistant, message_event(f"<@{BOT_USER}> hello", user, channel, "app_mention")
    )
    posts = fake_slack.wait_for(channel, mentions_greeting)
    assert sum("computer program" in post_text(p) for p in posts) == 1


def test_bot_messages_and_other_channels_are_not_answered(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    other_channel = unique("COTHER")
    assert send_signed(slack_assistant, message_event("hi", unique("U"), other_channel))[0] == 200
    bot_post = message_event("hi", unique("U"), other_channel, kind="app_mention", bot_id="B0BOT")
    assert send_signed(slack_assistant, bot_post)[0] == 200
    joined = message_event(
        "<@U1> has joined the channel",
        unique("U"),
        other_channel,
        kind="app_mention",
        subtype="channel_join",
    )
    assert send_signed(slack_assistant, joined)[0] == 200
    assert_nothing_sent_to(fake_slack, slack_assistant, other_channel)


# --- refused ---


def unanswered_mention() -> Tuple[bytes, str]:
    channel = unique("CREFUSED")
    return message_event(f"<@{BOT_USER}> hi", unique("U"), channel, "app_mention"), channel


@pytest.mark.parametrize(
    "make_headers",
    [
        lambda body: {"Content-Type": "application/json"},
        lambda body: {**signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64},
        lambda body: {
            **signed_headers(body),
            "X-Slack-Signature": signature(body, str(int(time.time())), "other-secret"),
        },
        lambda body: {**signed_headers(body), "X-Slack-Request-Timestamp": "not-a-number"},
    ],
    ids=["missing-signature", "wrong-signature", "other-apps-secret", "garbled-timestamp"],
)
def test_unsigned_or_wrongly_signed_events_are_refused(
    slack_assistant: Assistant,
    fake_slack: FakeSlackApi,
    make_headers: Callable[[bytes], Dict[str, str]],
) -> None:
    body, channel = unanswered_mention()
    status, answer = post_to_webhook(slack_assistant, body, make_headers(body))
    assert 400 <= status < 500, answer
    assert_nothing_sent_to(fake_slack, slack_assistant, channel)


def test_a_signature_over_another_body_is_refused(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    body, channel = unanswered_mention()
    headers = signed_headers(message_event("something else", unique("U"), channel, "app_mention"))
    status, _ = post_to_webhook(slack_assistant, body, headers)
    assert 400 <= status < 500
    assert_nothing_sent_to(fake_slack, slack_assistant, channel)


def test_a_stale_request_is_refused_even_when_correctly_signed(
    slack_assistant: Assistant, fake_slack: FakeSlackApi
) -> None:
    body, channel = unanswered_mention()
    status, _ = send_signed(slack_assistant, body, age_seconds=6 * 60)
    assert 400 <= status < 500
    assert_nothing_sent_to(fake_slack, slack_assistant, channel)


def test_an_unsigned_challenge_is_not_answered(slack_assistant: Assistant) -> None:
    body = json.dumps({"challenge": "abc", "type": "url_verification"}).encode()
    status, answer = post_to_webhook(slack_assistant, body, {"Content-Type": "application/json"})
    assert 400 <= status < 500
    assert b"abc" not in answer


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (
            json.dumps({"type": "url_verification", "challenge": {"nested": 1}}).encode(),
            "application/json",
        ),
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        (b"no-payload-here=1", "application/x-www-form-urlencoded"),
        (b"hello", "text/plain"),
    ],
    ids=[
        "malformed-json",
        "json-list",
        "binary",
        "challenge-not-text",
        "form-bad-json",
        "form-no-payload",
        "text",
    ],
)
def test_signed_but_malformed_requests_get_a_client_error(
    slack_assistant: Assistant, body: bytes, content_type: str
) -> None:
    status, answer = send_signed(slack_assistant, body, content_type=content_type)
    assert 400 <= status < 500, answer
