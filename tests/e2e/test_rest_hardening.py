"""The server as exposed: bad requests get a client error (never a 5xx), CORS allows only the
clinic page's origin, Rasa's HTTP API needs the token, and the action server stays on localhost.

`public_assistant` is started as `make run` starts it without RASA_API_TOKEN (no HTTP API,
CORS for config/clinic.yml's web_origin, the channels of var/credentials.yml).
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Dict, Iterator, Optional, Tuple

import pytest

from backpain.clinic_config import load_clinic_config
from tests.support.harness import API_TOKEN, Assistant

pytestmark = pytest.mark.e2e

WEB_ORIGIN = load_clinic_config().web_origin
OTHER_ORIGIN = "https://evil.example"


@pytest.fixture(scope="module")
def public_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    running = Assistant(
        workdir=tmp_path_factory.mktemp("public-assistant"),
        enable_api=False,
        extra_args=["--cors", WEB_ORIGIN],
    ).start()
    yield running
    running.stop()


def request(
    method: str, url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None
) -> Tuple[int, Dict[str, str], bytes]:
    """Any HTTP request; returns status, headers and body, also for error statuses."""
    prepared = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(prepared, timeout=120) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def post_rest(
    assistant: Assistant, body: bytes, content_type: str = "application/json"
) -> Tuple[int, bytes]:
    status, _, answer = request(
        "POST", f"{assistant.rasa_url}/webhooks/rest/webhook", body, {"Content-Type": content_type}
    )
    return status, answer


def reply_texts(answer: bytes) -> str:
    return "\n".join(message.get("text", "") for message in json.loads(answer))


# --- malformed requests ---


@pytest.mark.parametrize(
    "body, expected_error",
    [
        (b'{"sender": "a", "message": ', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'["sender", "message"]', "must be a JSON object"),
        (b'"hi"', "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b'{"sender": "a", "message": 42}', '"message"'),
        (b'{"sender": "a", "message": null}', '"message"'),
        (b'{"sender": "a", "message": ["hi"]}', '"message"'),
        (b'{"sender": "a"}', '"message"'),
        (b'{"message": "hi"}', '"sender"'),
        (b'{"sender": 7, "message": "hi"}', '"sender"'),
        (b'{"sender": "", "message": "hi"}', '"sender"'),
        (b'{"sender": "a\\nb", "message": "hi"}', '"sender"'),
        (json.dumps({"sender": "s" * 300, "message": "hi"}).encode(), '"sender"'),
        (b'{"sender": "a", "message": "hi", "metadata": "x"}', '"metadata"'),
        (b'{"sender": "a", "message": "\xff\xfe\xfa"}', "UTF-8"),
        (b"\x00\x01\x02\xff" * 100, "not valid"),
    ],
    ids=[
        "truncated-json",
        "empty-body",
        "json-list",
        "json-string",
        "json-null",
        "number-message",
        "null-message",
        "list-message",
        "missing-message",
        "missing-sender",
        "number-sender",
        "empty-sender",
        "control-char-sender",
        "long-sender",
        "metadata-not-object",
        "invalid-utf8",
        "binary",
    ],
)
def test_malformed_requests_get_a_400_with_a_clear_error(
    public_assistant: Assistant, body: bytes, expected_error: str
) -> None:
    status, answer = post_rest(public_assistant, body)
    assert status == 400, answer
    assert expected_error in json.loads(answer)["error"]


def test_a_huge_body_is_refused_with_413(public_assistant: Assistant) -> None:
    body = json.dumps({"sender": "huge", "message": "x" * 2_000_000}).encode()
    status, answer = post_rest(public_assistant, body)
    assert status == 413
    assert "larger than" in json.loads(answer)["error"]


def test_a_100kb_message_is_answered_politely(public_assistant: Assistant) -> None:
    body = json.dumps({"sender": "long-message", "message": "my back hurts " * 7500}).encode()
    assert len(body) > 100_000
    status, answer = post_rest(public_assistant, body)
    assert status == 200
    assert "shorten it" in reply_texts(answer)


def test_lone_surrogates_in_a_message_are_answered(public_assistant: Assistant) -> None:
    status, answer = post_rest(
        public_assistant, b'{"sender": "surrogate", "message": "hi \\ud800 there"}'
    )
    assert status == 200
    assert json.loads(answer), "every message gets an answer"


def test_form_encoded_json_from_curl_is_accepted(public_assistant: Assistant) -> None:
    # `curl -d '{...}'` sends the JSON labelled application/x-www-form-urlencoded; Rasa accepts it.
    status, answer = post_rest(
        public_assistant,
        b'{"sender": "curl-user", "message": "hi"}',
        "application/x-www-form-urlencoded",
    )
    assert status == 200
    assert "education assistant" in reply_texts(answer)


def test_the_server_keeps_answering_after_bad_requests(public_assistant: Assistant) -> None:
    for body in (b"{", b"[]", b'{"sender": "x", "message": 1}', b"\xff" * 1000):
        assert post_rest(public_assistant, body)[0] == 400
    assert "education assistant" in public_assistant.say("after-bad-requests", "hi")


def test_a_client_cannot_claim_another_input_channel(assistant: Assistant, sender: str) -> None:
    body = json.dumps({"sender": sender, "message": "hi", "input_channel": "slack"}).encode()
    assert post_rest(assistant, body)[0] == 200
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events[-1]["input_channel"] == "rest"


def test_a_resent_message_whose_turn_ended_in_a_fallback_is_not_handled_again(
    assistant: Assistant, sender: str
) -> None:
    """The fallback reverts its own turn (action_default_fallback's UserUtteranceReverted); the
    turn was handled all the same, so a resend of it is answered from what was stored."""

    def send(text: str, message_id: str, attempt: int) -> Tuple[int, bytes]:
        metadata = {"message_id": message_id, "attempt": attempt}
        body = {"sender": sender, "message": text, "metadata": metadata}
        return post_rest(assistant, json.dumps(body).encode())

    # Words no model reads as a topic ("hello, message 1 from a test" became a question about
    # the trial once the NLU learnt more trial questions).
    assert send("blorf quenzle trimbodactyl", "m0", 1)[0] == 200
    first = send("zzz qqq vrrp", "m1", 1)  # the second unclear one: a fallback
    events = assistant.tracker(sender)["events"]
    assert any(e["event"] == "rewind" for e in events), events  # the fallback's own revert
    again = send("zzz qqq vrrp", "m1", 2)
    assert first[0] == again[0] == 200 and json.loads(again[1]) == json.loads(first[1])
    user_texts = [e["text"] for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_texts == ["blorf quenzle trimbodactyl", "zzz qqq vrrp"]


# --- CORS: the clinic page's origin only ---


def test_cors_preflight_allows_the_web_page_origin(public_assistant: Assistant) -> None:
    status, headers, _ = request(
        "OPTIONS",
        f"{public_assistant.rasa_url}/webhooks/rest/webhook",
        headers={
            "Origin": WEB_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status < 400
    assert headers.get("Access-Control-Allow-Origin") == WEB_ORIGIN


def test_cors_post_from_the_web_page_origin_is_allowed(public_assistant: Assistant) -> None:
    status, headers, _ = request(
        "POST",
        f"{public_assistant.rasa_url}/webhooks/rest/webhook",
        json.dumps({"sender": "cors-page", "message": "hi"}).encode(),
        {"Origin": WEB_ORIGIN, "Content-Type": "application/json"},
    )
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") == WEB_ORIGIN


@pytest.mark.parametrize("method", ["OPTIONS", "POST"])
def test_cors_does_not_allow_other_origins(public_assistant: Assistant, method: str) -> None:
    body = (
        json.dumps({"sender": "cors-other", "message": "hi"}).encode() if method == "POST" else None
    )
    _, headers, _ = request(
        method,
        f"{public_assistant.rasa_url}/webhooks/rest/webhook",
        body,
        {
            "Origin": OTHER_ORIGIN,
            "Content-Type": "application/json",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert headers.get("Access-Control-Allow-Origin") not in (OTHER_ORIGIN, "*")


# --- Rasa's HTTP API ---


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/model/parse"),
        ("GET", "/status"),
        ("PUT", "/model"),
        ("GET", "/domain"),
    ],
)
def test_without_a_token_the_http_api_is_absent(
    public_assistant: Assistant, method: str, path: str
) -> None:
    body = b'{"text": "hi"}' if method != "GET" else None
    status, _, _ = request(
        method, f"{public_assistant.rasa_url}{path}", body, {"Content-Type": "application/json"}
    )
    assert status in (401, 403, 404, 405)


@pytest.mark.parametrize("token_query", ["", "?token=wrong-token"], ids=["no-token", "wrong-token"])
@pytest.mark.parametrize(
    "method, path", [("GET", "/conversations/someone/tracker"), ("POST", "/model/parse")]
)
def test_with_the_api_on_every_request_needs_the_token(
    assistant: Assistant, method: str, path: str, token_query: str
) -> None:
    body = b'{"text": "hi"}' if method == "POST" else None
    status, _, _ = request(
        method,
        f"{assistant.rasa_url}{path}{token_query}",
        body,
        {"Content-Type": "application/json"},
    )
    assert status in (401, 403)
    status, _, _ = request(
        method,
        f"{assistant.rasa_url}{path}?token={API_TOKEN}",
        body,
        {"Content-Type": "application/json"},
    )
    assert status == 200


# --- the action server ---


def non_loopback_address() -> Optional[str]:
    """This machine's address on its main network interface (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, never contacted
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_action_server_answers_only_on_localhost(public_assistant: Assistant) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no network address besides localhost")
    with socket.create_connection(("127.0.0.1", public_assistant.action_port), timeout=5):
        pass  # reachable on localhost
    with pytest.raises(OSError):
        socket.create_connection((address, public_assistant.action_port), timeout=5).close()
