"""Requests whose failures the tests want to see: the HTTP status and body, whatever they are.

tests/support/harness.py raises on any HTTP error, which is right for conversations that must work;
fault and bad-input tests need the status itself (a 400 is fine, a 500 is not).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Tuple

from tests.support.harness import Assistant

REQUEST_TIMEOUT_SECONDS = 60


def post_body(
    server: Assistant, body: bytes, timeout: float = REQUEST_TIMEOUT_SECONDS
) -> Tuple[int, bytes]:
    """POST raw bytes to the REST channel; returns (status, body)."""
    request = urllib.request.Request(
        f"{server.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_message(
    server: Assistant, sender: str, text: Any, timeout: float = REQUEST_TIMEOUT_SECONDS
) -> Tuple[int, bytes]:
    return post_body(server, json.dumps({"sender": sender, "message": text}).encode(), timeout)
