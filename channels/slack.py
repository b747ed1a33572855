"""The Slack connector: Rasa's SlackInput with answers formatted for Slack and stricter input checks.

Configured in credentials.yml as `channels.slack.ClinicSlackInput` (see docs/slack.md). It keeps
Rasa's channel name, so Slack posts to /webhooks/slack/webhook, and Rasa's signature check
(HMAC of the body with the signing secret; requests older than 5 minutes are refused).
What it adds to Rasa 3.6's SlackInput:
- `slack_api_url` (optional): the Slack Web API address answers are posted to. Tests point it at
  a local fake so nothing is sent; plain http is refused except on this machine, so a typo
  cannot send the bot token in clear text across a network.
- Answers go out as one Block Kit message each (see channels/slack_format.py).
- Anything that is not a user's message (edits, joins, the bot's own posts) is ignored, and a
  message Slack delivers twice (a retry, or both `message` and `app_mention` for one @mention)
  is answered once.
- A signed but malformed request gets a 400 rather than a server error; URL verification is
  answered as Slack documents it: `{"challenge": ...}`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack_format import slack_messages
from stores import turn_log

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Posted when a message got no reply at all (a failed action, an error while handling it):
# silence in a Slack channel reads as being ignored (issue 16).
NO_REPLY_TEXT = "Sorry, I couldn't answer that. Please try again."
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# How many recently answered Slack messages are remembered to spot deliveries of the same one.
REMEMBERED_MESSAGES = 1000
# Message subtypes that are still a person writing (everything else: edits, joins, bots ...).
USER_MESSAGE_SUBTYPES = (None, "thread_broadcast")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class SlackRequestError(ValueError):
    """A signed request from Slack whose content cannot be used."""


def validated_api_url(url: Optional[Text]) -> Text:
    """The Slack Web API base URL: Slack's own unless `slack_api_url` is set."""
    if not url:
        return DEFAULT_SLACK_API_URL
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise InvalidConfigException(
        f"slack_api_url must be an https:// address (or http:// on this machine, for tests), got {url!r}."
    )


def _media_type(request: Request) -> Text:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


def _error(message: Text, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _ignored(reason: Text) -> HTTPResponse:
    # 200 so that Slack does not retry an event we deliberately leave unanswered.
    return response.text(reason)


class ClinicSlackBot(SlackBot):
    """Posts the assistant's messages to Slack, one Block Kit message per assistant message."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Text = DEFAULT_SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)
        self.posts = 0  # messages this bot tried to post for the message it answers

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        self.posts += 1
        try:
            await super()._post_message(channel, **kwargs)
        except SlackApiError as error:
            # Logged, not raised: a refused post must not cost the conversation its saved state.
            logger.error("Slack refused a message for %s: %s", channel, error.response.get("error"))

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        recipient = self.slack_channel or recipient_id
        buttons = message.get("buttons") or message.get("quick_replies") or []
        for slack_message in slack_messages(
            message.get("text") or "", buttons, message.get("image")
        ):
            await self._post_message(channel=recipient, **slack_message)
        if message.get("custom"):
            await self.send_custom_json(recipient_id, message["custom"])
        if message.get("attachment"):
            await self.send_attachment(recipient_id, message["attachment"])

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: Any, **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": kwargs.get("text") or "", "image": image})


class ClinicSlackInput(SlackInput):
    """Receives Slack events and button clicks at /webhooks/slack/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, *args: Any, slack_api_url: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slack_channel = self.slack_channel or None  # "" means no channel, as when left out
        self.slack_api_url = validated_api_url(slack_api_url)
        self._answered: "OrderedDict[Tuple[Text, Text], None]" = OrderedDict()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ClinicSlackInput)
        channel.slack_api_url = validated_api_url(credentials.get("slack_api_url"))
        return channel

    def _validate_credentials(self) -> None:
        super()._validate_credentials()
        if not self.slack_token:
            raise InvalidConfigException(
                "The Slack channel needs the bot token (slack_token, from SLACK_BOT_TOKEN)."
            )

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        return ClinicSlackBot(
            self.slack_token,
            channel or self.slack_channel,
            thread_id,
            self.proxy,
            self.slack_api_url,
        )

    # --- reading Slack's requests ---

    @staticmethod
    def _event_metadata(payload: Dict[Text, Any]) -> Dict[Text, Any]:
        event = payload.get("event") or {}
        users = payload.get("authed_users") or [
            authorization.get("user_id")
            for authorization in (payload.get("authorizations") or [])[:1]
            if isinstance(authorization, dict)
        ]
        return {
            "out_channel": event.get("channel"),
            "thread_id": event.get("thread_ts", event.get("ts")),
            "users": [user for user in users if isinstance(user, str)],
        }

    @staticmethod
    def _interaction_metadata(payload: Dict[Text, Any]) -> Dict[Text, Any]:
        message = payload.get("message") or {}
        user_id = (payload.get("user") or {}).get("id")
        return {
            "out_channel": (payload.get("channel") or {}).get("id"),
            "thread_id": message.get("thread_ts", message.get("ts")),
            "users": [user_id] if isinstance(user_id, str) else [],
        }

    @staticmethod
    def _json_object(raw: Any) -> Dict[Text, Any]:
        try:
            parsed = json.loads(raw)
        except (TypeError, ValueError) as error:  # ValueError covers invalid UTF-8 too
            raise SlackRequestError(f"the body is not valid JSON ({error})") from error
        if not isinstance(parsed, dict):
            raise SlackRequestError("the body must be a JSON object")
        return parsed

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        try:
            if _media_type(request) == "application/json":
                return self._event_metadata(self._json_object(request.body))
            if _media_type(request) == "application/x-www-form-urlencoded":
                return self._interaction_metadata(self._json_object(request.form.get("payload")))
        except (SlackRequestError, AttributeError):
            pass
        return {}

    def _first_delivery(self, payload: Dict[Text, Any]) -> bool:
        """False when this Slack message was answered already (a retry, or message + app_mention)."""
        event = payload["event"]
        key = (str(event.get("channel")), str(event.get("ts") or payload.get("event_id") or ""))
        if not key[1]:
            return True
        if key in self._answered:
            return False
        self._answered[key] = None
        while len(self._answered) > REMEMBERED_MESSAGES:
            self._answered.popitem(last=False)
        return True

    async def _handle_event(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        payload = self._json_object(request.body)
        if payload.get("type") == "url_verification":
            challenge = payload.get("challenge")
            if not isinstance(challenge, str):
                raise SlackRequestError("the url_verification challenge must be text")
            return response.json({"challenge": challenge})
        event = payload.get("event")
        if not isinstance(event, dict):
            return _ignored("Not an event this assistant handles.")
        if (
            not self._is_user_message(payload)
            or event.get("subtype") not in USER_MESSAGE_SUBTYPES
            or not isinstance(event.get("text"), str)
            or not isinstance(event.get("user"), str)
        ):
            return _ignored("Not a user's message.")
        metadata = self._event_metadata(payload)
        if not self._is_supported_channel(payload, metadata):
            logger.info(
                "Slack: ignoring a message in channel %s (not configured).", metadata["out_channel"]
            )
            return _ignored("channel not supported.")
        if not self._first_delivery(payload):
            return _ignored("Already answered.")
        conversation_id = self._get_conversation_id(
            event["user"], metadata["out_channel"], metadata["thread_id"]
        )
        text = self._sanitize_user_message(event["text"], metadata["users"])
        return await self.process_message(request, on_new_message, text, conversation_id, metadata)

    async def _handle_interaction(
        self, request: Request, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        payload = self._json_object(request.form.get("payload"))
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            return _ignored("Not an interaction this assistant handles.")
        if not self._is_interactive_message(payload):
            return _ignored("Not an interaction this assistant handles.")
        user_id = (payload.get("user") or {}).get("id")
        if not isinstance(user_id, str):
            raise SlackRequestError("the interaction names no user")
        text = self._get_interactive_response(actions[0])
        if text is None:
            return _ignored("User clicked a link button.")  # Slack opened the link itself
        metadata = self._interaction_metadata(payload)
        conversation_id = self._get_conversation_id(
            user_id, metadata["out_channel"], metadata["thread_id"]
        )
        return await self.process_message(
            request, on_new_message, str(text), conversation_id, metadata
        )

    async def process_message(
        self,
        request: Request,
        on_new_message: OnNewMessage,
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """Rasa's handling, plus a short apology when the assistant posted nothing in reply."""

        async def answer_or_apologise(message: UserMessage) -> None:
            started = time.monotonic()
            try:
                await on_new_message(message)
            except Exception:  # logged; the person still hears back
                logger.exception("Slack: handling a message failed.")
            bot = message.output_channel
            if isinstance(bot, ClinicSlackBot) and bot.posts == 0:
                await bot.send_text_message(message.sender_id or "", NO_REPLY_TEXT)
            # The turn's log line, as the REST channel writes it (stores/turn_log.py).
            sender = message.sender_id or ""
            posts = bot.posts if isinstance(bot, ClinicSlackBot) else 0
            turn_log.log_turn(sender, started, turn_log.take_outcome(sender), posts)

        return await super().process_message(
            request, answer_or_apologise, text, sender_id, metadata
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return _error(
                    "The request is not signed with this app's Slack signing secret, or is "
                    "older than 5 minutes.",
                    HTTPStatus.UNAUTHORIZED,
                )
            try:
                media_type = _media_type(request)
                if media_type == "application/json":
                    return await self._handle_event(request, on_new_message)
                if media_type == "application/x-www-form-urlencoded":
                    return await self._handle_interaction(request, on_new_message)
            except (SlackRequestError, AttributeError, TypeError, KeyError) as error:
                logger.warning("Slack: refusing a malformed request: %s", error)
                return _error(f"Malformed Slack request: {error}")
            return _error(
                "Slack sends application/json or application/x-www-form-urlencoded.",
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            )

        return slack_webhook
