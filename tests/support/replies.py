"""What a person sees, message by message: response texts as domain.yml and data/responses
write them, and a conversation checked turn by turn against them (the end-to-end tests)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from tests.support.harness import Assistant

PROJECT_ROOT = Path(__file__).resolve().parents[2]
Turn = Tuple[str, List[str]]  # a message and every text the person sees in reply


def _responses() -> Dict[str, Any]:
    responses = dict(
        yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    )
    for path in (PROJECT_ROOT / "data" / "responses").glob("*.yml"):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return responses


RESPONSES = _responses()


def said(name: str, **values: Any) -> str:
    """The text of a response (its variation without a condition), with its {placeholders} filled."""
    text = next(v["text"] for v in RESPONSES[name] if not v.get("condition"))
    missing = set(re.findall(r"{(\w+)}", text)) - set(values)
    assert not missing, f"{name} needs {missing}"
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), text)


GREETING = ("hi", [said("utter_disclaimer"), said("utter_greet")])


def converse(assistant: Assistant, sender: str, turns: List[Turn]) -> None:
    for number, (message, expected) in enumerate(turns):
        got = [m.get("text", "") for m in assistant.send(sender, message)]
        assert got == expected, f"turn {number} ({message!r}):\n got: {got}\nwant: {expected}"
