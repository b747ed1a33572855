"""Rasa's check of every action server reply, with the JSON schema compiled once instead of per call.

Rasa 3.6 checks each reply from the action server with `jsonschema.validate(reply, schema)`
(`RemoteAction._validate_action_result`). That call first checks the schema itself against the
JSON-schema meta-schema and resolves its references again, every time: about 14 ms per custom
action on this machine, a quarter of a turn's time in the benchmark's profile (docs/bench.md).
The schema is a constant (`RemoteAction.action_response_format_spec()`), so checking it once and
reusing one validator gives the same verdict and the same error (jsonschema's best match, with
Rasa's explanation added) in well under a millisecond.

`install()` swaps the method; it is called when the project's channels are imported, which every
way of running the Rasa server here does (credentials.yml names them).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _action_reply_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """What RemoteAction._validate_action_result does, with the compiled validator."""
    error = best_match(_action_reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


__all__ = ["install", "validate_action_result", "ValidationError"]
