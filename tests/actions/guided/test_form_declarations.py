"""The scripts' forms against domain.yml: complete, consistent, resumable, every response used.

Validators are called as Rasa calls them (rasa_sdk Tracker, CollectingDispatcher, the real
domain); a bad value leaves the slot empty and sends one message saying what was wrong.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.guided import validation
from actions.guided.exposure_forms import ValidateExposureForm
from tests.support.doubles import (
    DOMAIN,
    SCRIPT_FORMS,
    make_tracker,
)
from tests.support.forms import (
    FREE_TEXT_SLOTS,
    LADDER,
    MUST_NOT_BE_ANSWERS,
    RATING_SLOTS,
    VALIDATORS,
    validate,
)


# --- the forms are complete and consistent with domain.yml ----------------------------------
@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_every_form_slot_has_a_validator_a_question_and_a_guarded_free_text_mapping(
    form: str,
) -> None:
    assert f"validate_{form}" in DOMAIN["actions"]
    assert VALIDATORS[form].name() == f"validate_{form}"
    for slot in DOMAIN["forms"][form]["required_slots"]:
        assert callable(getattr(VALIDATORS[form], f"validate_{slot}", None)), slot
        assert (
            f"utter_ask_{slot}" in DOMAIN["responses"] or f"action_ask_{slot}" in DOMAIN["actions"]
        ), slot
        mappings = DOMAIN["slots"][slot]["mappings"]
        assert [m["type"] for m in mappings] == ["from_text"], slot
        assert MUST_NOT_BE_ANSWERS | validation.QUESTION_INTENTS <= set(
            mappings[0]["not_intent"]
        ), slot
        assert mappings[0]["conditions"] == [{"active_loop": form, "requested_slot": slot}], slot
        assert DOMAIN["slots"][slot]["influence_conversation"] is False, slot


def question_answers() -> set:
    """The actions that answer the question intents outside a script (data/rules/*.yml)."""
    answers = set()
    for path in sorted(Path("data/rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            if rule.get("condition") is None and steps[0].get(
                "intent"
            ) in validation.QUESTION_INTENTS | {"out_of_scope"}:
                answers.add(steps[1]["action"])
    return answers


@pytest.mark.parametrize("form", SCRIPT_FORMS)
def test_after_every_answer_to_a_question_each_script_asks_its_step_again(form: str) -> None:
    """data/rules/script_questions.yml has one rule per script and answer (no wildcard in rules)."""
    rules = yaml.safe_load(Path("data/rules/script_questions.yml").read_text(encoding="utf-8"))[
        "rules"
    ]
    covered = {
        rule["steps"][0]["action"]
        for rule in rules
        if rule["condition"] == [{"active_loop": form}]
        and rule["steps"][1:] == [{"action": form}, {"active_loop": form}]
    }
    assert len(question_answers()) >= 8
    assert question_answers() <= covered, sorted(question_answers() - covered)


def test_paused_form_and_script_to_resume_are_declared_for_the_rules() -> None:
    assert DOMAIN["slots"]["paused_form"]["influence_conversation"] is True
    assert set(DOMAIN["slots"]["script_to_resume"]["values"]) == set(SCRIPT_FORMS)


# --- resuming: every validator accepts its own output ---------------------------------------
GOOD_ANSWERS: Dict[str, Any] = {
    **{slot: "5" for slot in RATING_SLOTS},
    **{slot: "some words" for slot in FREE_TEXT_SLOTS},
    "pacing_baseline": "20 minutes",
    "pacing_start": "10 minutes",
    "pacing_increase": "add 1 minute every 2 days",
    "flare_helps": "heat, rest",
    "flare_reduce": "lifting",
    "flare_warning_signs": "no",
    "exposure_ready": "yes",
    "exposure_red_flags": "no",
    "exposure_activities": "bending, lifting",
    "exposure_first_step": "yes",
}
CONTEXT = {
    "pacing_baseline": {"value": 20, "unit": "minutes"},
    "pacing_start": {"value": 10, "unit": "minutes"},
    "exposure_ladder": LADDER,
}


@pytest.mark.parametrize("slot", sorted(GOOD_ANSWERS))
def test_validating_a_validated_value_again_changes_nothing(slot: str) -> None:
    first, _ = validate(slot, GOOD_ANSWERS[slot], **CONTEXT)
    again, said = validate(
        slot, first[slot], **{**CONTEXT, **{k: v for k, v in first.items() if k != slot}}
    )
    assert again[slot] == first[slot]
    assert said == []


# --- responses: every response the scripts' code names exists, and every one is used ----------
SCRIPTS_PACKAGE = Path(validation.__file__).parent
SCRIPTS_SOURCE = "\n".join(
    path.read_text(encoding="utf-8") for path in sorted(SCRIPTS_PACKAGE.glob("*.py"))
)
SCRIPTS_RULES = (Path(__file__).resolve().parents[3] / "data" / "rules" / "scripts.yml").read_text(
    encoding="utf-8"
)


def responses_the_code_can_send() -> set:
    """Literal response names in the code, plus the names it builds from a fixed set of parts."""
    from backpain.answer_parsing import RatingProblem
    from backpain.fear_ladder import FirstStepReason
    from backpain.pacing_rules import PacingProblem

    built = {f"utter_scripts_rating_{problem.value}" for problem in RatingProblem}
    built |= {f"utter_scripts_intro_{form}" for form in SCRIPT_FORMS}
    built |= {
        f"utter_scripts_{kind}_{direction}"
        for kind in ("breathing", "thought_feeling")
        for direction in ("down", "same", "up")
    }
    built |= {
        f"utter_scripts_practice_fear_{comparison}" for comparison in ("lower", "same", "higher")
    }
    built |= {f"utter_scripts_propose_first_step_{reason.value}" for reason in FirstStepReason}
    built |= {f"utter_scripts_pacing_{problem.value}" for problem in PacingProblem}
    return set(re.findall(r'"(utter_[a-z_]+)"', SCRIPTS_SOURCE)) | built


def test_every_response_the_scripts_code_names_exists_in_the_domain() -> None:
    missing = {name for name in responses_the_code_can_send() if name not in DOMAIN["responses"]}
    assert not missing, missing


def test_every_scripts_response_is_used_by_the_code_the_rules_or_a_form() -> None:
    script_slots = {
        slot for form in SCRIPT_FORMS for slot in DOMAIN["forms"][form]["required_slots"]
    }
    asks = {f"utter_ask_{slot}" for slot in script_slots}
    mine = {
        name for name in DOMAIN["responses"] if name.startswith(("utter_scripts_", "utter_why_"))
    }
    unused = {
        name
        for name in mine
        if name not in responses_the_code_can_send() and name not in SCRIPTS_RULES
    }
    assert not unused, unused
    assert asks <= set(DOMAIN["responses"]) | {
        f"utter_ask_{s}" for s in ("exposure_fear_rating", "exposure_first_step")
    }


def test_validators_never_raise_on_odd_input() -> None:
    odd_values = [
        None,
        "",
        " ",
        "\x00",
        "😀" * 50,
        "a" * 10_000,
        12,
        -5,
        3.5,
        True,
        [],
        ["x"],
        {"value": "x"},
        {"a": 1},
    ]
    for form in SCRIPT_FORMS:
        for slot in DOMAIN["forms"][form]["required_slots"]:
            for value in odd_values:
                dispatcher = CollectingDispatcher()
                context = {**CONTEXT, "exposure_activities": ["bending", "lifting"]}
                tracker = make_tracker(slots={slot: value, **context}, text=str(value)[:50])
                try:
                    result = getattr(VALIDATORS[form], f"validate_{slot}")(
                        value, dispatcher, tracker, DOMAIN
                    )
                except Exception as error:  # pragma: no cover - the assertion explains
                    pytest.fail(f"validate_{slot}({value!r}) raised {error!r}")
                assert slot in result
                progress = (
                    slot == "exposure_fear_rating" and "exposure_pending_ratings" in result
                )  # next activity
                if result[slot] is None and not progress:
                    assert len(dispatcher.messages) == 1, (slot, value)  # a re-ask always says why


def test_async_required_slots_are_coroutines_rasa_can_await() -> None:
    coroutine = ValidateExposureForm().required_slots(
        ["a"], CollectingDispatcher(), make_tracker(), DOMAIN
    )
    assert asyncio.run(coroutine) == ["a"]


def test_a_fear_rating_before_any_activity_is_not_recorded() -> None:
    assert validate("exposure_fear_rating", "40") == ({"exposure_fear_rating": None}, [])
