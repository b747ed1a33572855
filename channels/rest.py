"""The REST channel, checked: a malformed request gets a 400 with a clear JSON error, not a 500.

Configured in credentials.yml as `channels.rest.ClinicRestInput`; same name and address as
Rasa's channel (POST /webhooks/rest/webhook), same answer (a JSON list of the bot's messages),
same `?stream=true` option. The request body must be a JSON object (any Content-Type, as with
Rasa, so `curl -d` works) with:
- `sender`: required, non-empty text of at most 255 characters without control characters. Rasa
  would make up a new random id when it is missing, which silently starts a new conversation
  with every message; an explicit error is more useful to whoever writes the client.
- `message`: required text. It may be empty or very long: the NLU pipeline answers those
  politely (components/input_limits.py).
- `metadata`: optional JSON object, stored with the message as in Rasa.
A client's `input_channel` is ignored: messages arriving here are recorded as "rest", so a web
client cannot pass itself off as Slack.

While a part behind it restarts (README, "Running it for real"), no message is lost and none is
handled twice:
- Action server down when a message arrives: the message is not handled (nothing is stored) and
  the answer is a 503 with a JSON error and `Retry-After`, so the client sends it again later.
- Action server gone during the turn: Rasa carries on without the action's events, which would
  leave a half-answered turn. The turn is undone (Rasa's `UserUtteranceReverted`, so the tracker's
  applied events no longer hold it) and the answer is the same 503.
- A client that sends a message again (the page, after a dropped connection) marks it with
  `metadata.message_id` and `metadata.attempt` > 1. When the conversation's latest message
  already carries that id, Rasa handled it before the connection dropped: its stored replies are
  sent again, and the message is not handled a second time. Every message with an id is claimed
  first (channels/message_claims.py), so copies of it on several servers take turns: the look
  and the handling are one step, and a copy that finds it claimed waits, then looks.
GET /webhooks/rest/ tells whether the model is loaded (`make status` asks it), with or without
Rasa's HTTP API. One log line per turn gives its time and outcome (stores/turn_log.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple, Union
from urllib.parse import urlsplit

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    UserUtteranceReverted,
    UserUttered,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels import message_claims
from stores import turn_log

logger = logging.getLogger(__name__)

# The SQL tracker store keeps conversation ids in a 255-character column.
MAX_SENDER_CHARS = 255
# Far above any chat message (the NLU stops reading at 2,000 characters); stops a client from
# making the server parse megabytes of JSON per request.
MAX_BODY_BYTES = 1_000_000

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Every message the assistant understands gets a reply, so silence means something failed
# behind it (most often the action server being down). The person is told, instead of being
# left waiting; their message is already stored, and the next turn works once it is back.
NO_REPLY_TEXT = "Sorry, I can't look that up right now. Please try again in a moment."

# The answer while the action server is down (supervisord restarts it within seconds).
RESTARTING_ERROR = (
    "The assistant is restarting. Your message was not handled; please send it again in a few "
    "seconds."
)
RETRY_AFTER_SECONDS = 3
# Marks the UserUtteranceReverted with which this channel undoes a half-handled turn.
UNDONE_BY = "channels.rest"
# The answer to a copy of a message that another request is still handling.
BUSY_ERROR = "Your message is still being handled; please send it again in a few seconds."
# The action server counts as down only when nothing listens on its port (connection refused):
# what a crashed or restarting server gives at once. A connection that is slow to open means it
# is busy, not down (measured: an HTTP /health check timed out under 50 simultaneous
# conversations and refused messages for nothing). Runs twice per turn; well under 1 ms.
ACTION_PROBE_TIMEOUT_SECONDS = 1.0


class InvalidRestRequest(ValueError):
    """The request cannot be handled; the message says why, for the client's developer."""

    def __init__(self, message: Text, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RestRequest:
    sender: Text
    message: Text
    metadata: Optional[Dict[Text, Any]]


def _has_control_characters(text: Text) -> bool:
    return any(ord(character) < 32 or ord(character) == 127 for character in text)


def _is_encodable(text: Text) -> bool:
    """False for text with lone surrogates (JSON can spell them as \\udXXX; UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_rest_request(body: bytes) -> RestRequest:
    """Check a request body; raises InvalidRestRequest naming the first problem found."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidRestRequest(
            f"The request body is larger than {MAX_BODY_BYTES} bytes.",
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )
    try:
        payload = json.loads(body)
    except UnicodeDecodeError:
        raise InvalidRestRequest("The request body is not valid UTF-8 text.")
    except ValueError as error:
        raise InvalidRestRequest(f"The request body is not valid JSON ({error}).")
    if not isinstance(payload, dict):
        raise InvalidRestRequest(
            'The request body must be a JSON object such as {"sender": "...", "message": "..."}.'
        )
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidRestRequest('"sender" is required: a text naming the conversation.')
    if (
        len(sender) > MAX_SENDER_CHARS
        or _has_control_characters(sender)
        or not _is_encodable(sender)
    ):
        raise InvalidRestRequest(
            f'"sender" must be at most {MAX_SENDER_CHARS} characters, without control characters.'
        )
    message = payload.get("message")
    if not isinstance(message, str):
        raise InvalidRestRequest('"message" is required and must be text.')
    if not _is_encodable(message):
        message = message.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidRestRequest('"metadata", when given, must be a JSON object.')
    return RestRequest(sender=sender, message=message, metadata=metadata)


def error_response(error: InvalidRestRequest) -> HTTPResponse:
    return response.json({"error": str(error)}, status=error.status)


def restarting_response(error: Text = RESTARTING_ERROR) -> HTTPResponse:
    """A 503 that tells the client to send the message again (the page does so by itself)."""
    return response.json(
        {"error": error, "retry_after": RETRY_AFTER_SECONDS},
        status=HTTPStatus.SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def retry_marks(metadata: Optional[Dict[Text, Any]]) -> "tuple[Optional[str], int]":
    """The client's `message_id` and `attempt` (1 when absent or not a positive whole number)."""
    metadata = metadata or {}
    message_id = metadata.get("message_id")
    attempt = metadata.get("attempt")
    if not isinstance(message_id, str) or not message_id:
        message_id = None
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        attempt = 1
    return message_id, attempt


def replies_after_message(
    events: List[Any], sender: Text, message_id: Text
) -> Optional[List[Dict[Text, Any]]]:
    """The REST messages Rasa sent for the latest user message, if that one is `message_id`.

    `events` are all of a tracker's events. The turn's messages are the bot's after the user
    message and, before it, those of a session Rasa started for it (the opening notice: a custom
    action_session_start's messages come before its SessionStarted, so Rasa's "applied events"
    leave them out). None when the latest user message is another one, or was undone by this
    channel: this one was never handled (or not whole), and must be. A fallback's own
    `UserUtteranceReverted` does not count: that turn was handled, and answered.
    """
    users = [index for index, event in enumerate(events) if isinstance(event, UserUttered)]
    if not users or (events[users[-1]].metadata or {}).get("message_id") != message_id:
        return None
    latest = users[-1]
    # Rasa and the fallback actions revert turns too (action_default_fallback ends each turn it
    # answers with one), so only this channel's own mark means "not handled".
    if any(
        isinstance(event, UserUtteranceReverted)
        and (event.metadata or {}).get("undone_by") == UNDONE_BY
        for event in events[latest + 1 :]
    ):
        return None
    # The previous turn ends when the assistant listens again after its user message.
    start = -1
    if len(users) > 1:
        start = next(
            (
                index
                for index in range(users[-2] + 1, latest)
                if isinstance(events[index], ActionExecuted)
                and events[index].action_name == ACTION_LISTEN_NAME
            ),
            latest,
        )
    turn = events[start + 1 : latest] + events[latest + 1 :]
    messages: List[Dict[Text, Any]] = []
    for event in turn:
        if not isinstance(event, BotUttered):
            continue
        data = event.data or {}
        # As CollectingOutputChannel sends a response: text (with its buttons), then the rest.
        if event.text or data.get("buttons"):
            messages.append(
                CollectingOutputChannel._message(
                    sender, text=event.text, buttons=data.get("buttons")
                )
            )
        for kind in ("image", "attachment", "custom"):
            if data.get(kind):
                messages.append(CollectingOutputChannel._message(sender, **{kind: data[kind]}))
    return messages


class ClinicRestInput(RestInput):
    """Rasa's REST channel with its request checked before it reaches the assistant."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _handle(
        self, request: RestRequest, on_new_message: OnNewMessage, agent: Any = None
    ) -> HTTPResponse:
        started = time.monotonic()
        message_id, attempt = retry_marks(request.metadata)
        claims = message_claims.claims_for(getattr(agent, "lock_store", None))
        claim = message_claims.UNCLAIMED
        if message_id and claims is not None:
            claim = await message_claims.wait_for_claim(claims, request.sender, message_id)
            if claim is None:  # a copy of it is still being handled: the page sends it again
                turn_log.log_turn(request.sender, started, "busy", 0)
                return restarting_response(BUSY_ERROR)
        async with claim:
            # A first attempt is new unless a copy of it held the claim before this one.
            if agent is not None and message_id and (attempt > 1 or claim.contested):
                replayed = await self._replies_already_sent(agent, request.sender, message_id)
                if replayed is not None:
                    turn_log.log_turn(request.sender, started, "repeated", len(replayed))
                    return response.json(replayed)
            return await self._run_turn(request, on_new_message, agent, started)

    async def _run_turn(
        self, request: RestRequest, on_new_message: OnNewMessage, agent: Any, started: float
    ) -> HTTPResponse:
        """Handle the message; under its claim when it has an id, so no copy runs meanwhile."""
        action_server = _action_server_address(agent)
        if action_server and not await self._action_server_up(action_server):
            turn_log.log_turn(request.sender, started, "unavailable", 0)
            return restarting_response()
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    request.message,
                    collector,
                    request.sender,
                    input_channel=self.name(),
                    metadata=request.metadata,
                )
            )
        except asyncio.CancelledError:
            logger.error(
                "REST: handling a message of %s timed out.", turn_log.pseudonym(request.sender)
            )
        except Exception:  # as Rasa does: answer with what was collected, log the failure
            logger.exception(
                "REST: handling a message of %s failed.", turn_log.pseudonym(request.sender)
            )
        if action_server and not await self._action_server_up(action_server):
            # It went away during the turn: Rasa dropped the events of the actions it could not
            # run. Undo the turn, so that the message sent again is handled once, and whole.
            undone = await self._undo_latest_turn(agent, request)
            turn_log.log_turn(request.sender, started, "unavailable", 0, undone=undone)
            return restarting_response()
        if not collector.messages:
            logger.warning(
                "REST: no reply for %s; telling them to try again.",
                turn_log.pseudonym(request.sender),
            )
            collector.messages.append({"recipient_id": request.sender, "text": NO_REPLY_TEXT})
        turn_log.log_turn(
            request.sender, started, turn_log.take_outcome(request.sender), len(collector.messages)
        )
        return response.json(collector.messages)

    async def _action_server_up(self, address: Tuple[Text, int]) -> bool:
        """False when nothing listens on the action server's port (it is down or restarting)."""
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(*address), ACTION_PROBE_TIMEOUT_SECONDS
            )
        except asyncio.TimeoutError:
            return True  # busy: the kernel has not accepted yet, but something listens
        except OSError:
            return False
        writer.close()
        return True

    async def _replies_already_sent(
        self, agent: Any, sender: Text, message_id: Text
    ) -> Optional[List[Dict[Text, Any]]]:
        # The full tracker: `retrieve` starts at the latest SessionStarted, after the notice of a
        # session started for this very message. Read only for a repeat, which is rare.
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.retrieve_full_tracker(sender)
        if tracker is None:
            return None
        return replies_after_message(list(tracker.events), sender, message_id)

    async def _undo_latest_turn(self, agent: Any, request: RestRequest) -> bool:
        """Revert the conversation's latest turn if it is this request's message; True if done.

        Only that message's turn: when the message was never stored (Rasa failed before), the
        turn before it is a whole one and stays.
        """
        sender = request.sender
        try:
            async with agent.lock_store.lock(sender):
                tracker = await agent.tracker_store.retrieve(sender)
                latest = tracker.latest_message if tracker is not None else None
                # Rasa adds its own keys (model_id, assistant_id) to the stored metadata.
                stored = (latest.metadata or {}) if latest is not None else {}
                if (
                    latest is None
                    or latest.text != request.message
                    or any(stored.get(k) != v for k, v in (request.metadata or {}).items())
                ):
                    return False
                tracker.update(UserUtteranceReverted(metadata={"undone_by": UNDONE_BY}))
                await agent.tracker_store.save(tracker)
                return True
        except Exception:
            logger.exception(
                "REST: could not undo a half-handled turn of %s.", turn_log.pseudonym(sender)
            )
            return False

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent is not None and agent.is_ready())
            return response.json({"status": "ok", "model_loaded": ready})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                parsed = parse_rest_request(request.body)
            except InvalidRestRequest as error:
                return error_response(error)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(
                        on_new_message, parsed.message, parsed.sender, self.name(), parsed.metadata
                    ),
                    content_type="text/event-stream",
                )
            return await self._handle(
                parsed, on_new_message, getattr(request.app.ctx, "agent", None)
            )

        return webhook


def _action_server_address(agent: Any) -> Optional[Tuple[Text, int]]:
    """The action server's host and port, from the Rasa server's action endpoint (or None)."""
    endpoint = getattr(agent, "action_endpoint", None)
    url = getattr(endpoint, "url", None)
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
