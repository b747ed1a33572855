"""Rasa's check of every action server reply, with the JSON schema compiled once instead of per call.

Rasa 3.6 checks each reply from the action server with `jsonschema.validate(reply, schema)`
(`RemoteAction._validate_action_result`). That call first checks the schema itself against the
JSON-schema meta-schema and resolves its references again, every time: about 14 ms per custom
action on this machine, a quarter of a turn's time in the benchmark's profile (docs/bench.md).
The schema is a constant (`RemoteAction.action_response_format_spec()`), so checking it once and
reusing one validator gives the same verdict in well under a millisecond. A reply that fails is
handed to Rasa's own method, so the error raised (and its explanation) is Rasa's.

`install()` swaps the method (a private one: see the README's "Upgrading Rasa"); it is called when
the project's channels are imported (channels/__init__.py), which every way of running the Rasa
server here does, since credentials.yml names them. It refuses to install over a Rasa whose
method is gone, rather than patch something that no longer exists.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict, Text

import jsonschema
from rasa.core.actions.action import RemoteAction

# Rasa's own method, kept for replies that fail (None if a Rasa upgrade removed it: see install()).
_rasas_validation: Callable[[RemoteAction, Dict[Text, Any]], bool] = getattr(
    RemoteAction, "_validate_action_result", None
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
    if not callable(_rasas_validation):
        raise RuntimeError(
            "Rasa no longer has RemoteAction._validate_action_result: remove the patch in "
            "channels/rasa_patch_fast_action_reply_check.py (README, 'Upgrading Rasa')"
        )
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
