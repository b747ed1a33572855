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
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

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


class ClinicRestInput(RestInput):
    """Rasa's REST channel with its request checked before it reaches the assistant."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _handle(self, request: RestRequest, on_new_message: OnNewMessage) -> HTTPResponse:
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
            logger.error("REST: handling a message from %s timed out.", request.sender)
        except Exception:  # as Rasa does: answer with what was collected, log the failure
            logger.exception("REST: handling a message from %s failed.", request.sender)
        if not collector.messages:
            logger.warning("REST: no reply for %s; telling them to try again.", request.sender)
            collector.messages.append({"recipient_id": request.sender, "text": NO_REPLY_TEXT})
        return response.json(collector.messages)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

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
            return await self._handle(parsed, on_new_message)

        return webhook
