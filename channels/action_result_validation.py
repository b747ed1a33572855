"""Rasa's check of every action server reply, with the JSON schema compiled once instead of per call.

Rasa 3.6 checks each reply from the action server with `jsonschema.validate(reply, schema)`
(`RemoteAction._validate_action_result`). That call first checks the schema itself against the
JSON-schema meta-schema and resolves its references again, every time: about 14 ms per custom
action on this machine, a quarter of a turn's time in the benchmark's profile (docs/bench.md).
The schema is a constant (`RemoteAction.action_response_format_spec()`), so checking it once and
reusing one validator gives the same verdict in well under a millisecond. A reply that fails is
handed to Rasa's own method, so the error raised (and its explanation) is Rasa's.

`install()` swaps the method; it is called when the project's channels are imported, which every
way of running the Rasa server here does (credentials.yml names them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict, Text

import jsonschema
from rasa.core.actions.action import RemoteAction

_rasas_validation: Callable[[RemoteAction, Dict[Text, Any]], bool] = (
    RemoteAction._validate_action_result
)


@lru_cache(maxsize=1)
def _action_reply_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    return validator_class(schema)


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the compiled validator; Rasa's own on failure."""
    if _action_reply_validator().is_valid(result):
        return True
    return _rasas_validation(action, result)  # raises Rasa's ValidationError with its explanation


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
