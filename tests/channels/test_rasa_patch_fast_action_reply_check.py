"""channels/rasa_patch_fast_action_reply_check.py: same verdicts as Rasa's own check, installed with the channels."""

from __future__ import annotations

from typing import Any, Dict

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import channels  # noqa: F401  (importing the channels installs the compiled check)
from channels.rasa_patch_fast_action_reply_check import validate_action_result

VALID: Dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "breathing_tension_before", "value": 7.0, "timestamp": None}
    ],
    "responses": [{"text": "Breathe in gently", "buttons": [{"title": "7", "payload": "7"}]}],
}
INVALID = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["a bare string"]},
    {"events": [{"event": "slot", "name": 7, "value": 1}]},
]


def remote_action() -> RemoteAction:
    return RemoteAction("action_anything", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_importing_the_channels_installs_the_compiled_check() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


def test_a_valid_reply_passes() -> None:
    assert remote_action()._validate_action_result(VALID) is True


@pytest.mark.parametrize("reply", INVALID)
def test_an_invalid_reply_fails_as_rasa_would_fail_it(reply: Dict[str, Any]) -> None:
    # Rasa's own check: jsonschema.validate with the same schema (it raises the best-matching error).
    with pytest.raises(jsonschema.ValidationError) as rasas:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        remote_action()._validate_action_result(reply)
    assert ours.value.message.startswith(rasas.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_the_patch_refuses_a_rasa_without_the_method_it_replaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Rasa upgrade that drops the private method must stop the server, not run unpatched silently."""
    from channels import rasa_patch_fast_action_reply_check as patch

    monkeypatch.setattr(patch, "_rasas_validation", None)
    with pytest.raises(RuntimeError, match="Upgrading Rasa"):
        patch.install()
