"""The layered safety screen (backpain/safety_layers.py): each layer's path, and the clinical rules
issue 13 fixed in the patterns (NICE NG59, C-SSRS). The classifier is a stand-in here, so each
path is pinned down; the trained one is tested in tests/backpain/test_safety_classifier.py and end to end."""

from __future__ import annotations

import pytest

from backpain.safety_classifier import (
    DECISION_ASK,
    DECISION_ESCALATE,
    DECISION_NONE,
    LABEL_CRISIS,
    LABEL_EMERGENCY,
    LABEL_URGENT,
)
from backpain.safety_layers import (
    ANSWER_FEELINGS,
    ANSWER_QUESTION,
    LAYER_CLASSIFIER,
    LAYER_INTENT,
    LAYER_NET,
    LAYER_PATTERN,
    screen_message,
)
from backpain.safety_patterns import (
    KIND_CRISIS,
    KIND_EMERGENCY,
    KIND_INFLAMMATORY,
    KIND_UNCLEAR,
    KIND_URGENT,
    SafetyPatterns,
)
from tests.support.safety_stub import StubClassifier, kind_of

# -- each layer's path ------------------------------------------------------------------------


def test_a_clear_pattern_escalates_whatever_the_classifier_says(patterns: SafetyPatterns) -> None:
    result = screen_message(
        "I can't feel my bum when I wipe", patterns, StubClassifier(DECISION_NONE)
    )
    assert (result.match.kind, result.layer) == (KIND_EMERGENCY, LAYER_PATTERN)


def test_a_confident_classifier_escalates_words_no_pattern_knows(patterns: SafetyPatterns) -> None:
    result = screen_message(
        "tonight is the night, the car is in the garage",
        patterns,
        StubClassifier(DECISION_ESCALATE),
    )
    assert (result.match.kind, result.layer) == (KIND_CRISIS, LAYER_CLASSIFIER)
    assert result.match.category == "classifier_crisis"


def test_the_middle_band_asks_the_confirming_question(patterns: SafetyPatterns) -> None:
    result = screen_message(
        "my lower half feels strange", patterns, StubClassifier(DECISION_ASK, LABEL_EMERGENCY)
    )
    assert (result.match.kind, result.match.confirm_kind, result.layer) == (
        KIND_UNCLEAR,
        KIND_EMERGENCY,
        LAYER_CLASSIFIER,
    )


@pytest.mark.parametrize(
    "text, label, answer_first",
    [
        # a question: answered, then asked about
        ("why does it hurt even when I've done nothing?", LABEL_CRISIS, ANSWER_QUESTION),
        ("is it normal for the pain to move about", LABEL_CRISIS, ANSWER_QUESTION),  # no "?"
        ("why does it hurt even when I've done nothing?", LABEL_EMERGENCY, ANSWER_QUESTION),
        # a statement the band read as possible crisis: a feelings answer may come first
        ("everything hurts and I'm fed up with it all", LABEL_CRISIS, ANSWER_FEELINGS),
        # a statement that may be a red flag: only the question, nothing before the check
        ("things have felt different down below since the weekend", LABEL_EMERGENCY, ""),
        ("I have felt off for a few days now", LABEL_URGENT, ""),
        # risk words the net knows: only the question, whatever the shape
        ("is it bad that I keep thinking about the rope in the shed?", LABEL_CRISIS, ""),
        ("I keep thinking about the rope in the shed", LABEL_CRISIS, ""),
    ],
)
def test_what_the_middle_band_answers_before_it_asks(
    patterns: SafetyPatterns, text: str, label: str, answer_first: str
) -> None:
    result = screen_message(text, patterns, StubClassifier(DECISION_ASK, label))
    assert (result.match.kind, result.layer) == (KIND_UNCLEAR, LAYER_CLASSIFIER)
    assert result.answer_first == answer_first


def test_a_confident_or_pattern_decision_is_never_answered_first(patterns: SafetyPatterns) -> None:
    confident = screen_message(
        "why does nobody see how done I am?",
        patterns,
        StubClassifier(DECISION_ESCALATE, LABEL_CRISIS),
    )
    pattern = screen_message(
        "can I tell you I want to kill myself?", patterns, StubClassifier(DECISION_NONE)
    )
    assert not confident.answer_first and not pattern.answer_first


@pytest.mark.parametrize(
    "text",
    [
        "this pain is killing me",  # an idiom
        "signs to watch for: numbness down there, losing bladder control",  # a list of signs
        "I slipped on the ice two winters ago",  # the past
        "what if my legs give way on the stairs?",  # a fear, as a question
        # a feared physical future, said as a statement (crisis support was given to it)
        "i keep thinking im going to end up in a wheelchair",
    ],
)
def test_context_turns_a_confident_classifier_into_a_question(
    patterns: SafetyPatterns, text: str
) -> None:
    label = LABEL_CRISIS if ("killing" in text or "wheelchair" in text) else LABEL_EMERGENCY
    result = screen_message(text, patterns, StubClassifier(DECISION_ESCALATE, label))
    assert result.match is not None and result.match.kind == KIND_UNCLEAR, result


@pytest.mark.parametrize(
    "text",
    [
        "I keep thinking about the rope in the shed",
        # an overdose told by its quantity alone, the medicine unnamed
        "ended up in hospital again after swallowing the whole lot",
        # absence as relief for others, with an adjective the older pattern did not list
        "Thought: my wife would be free if I wasn't here any more",
    ],
)
def test_the_net_asks_when_neither_layer_resolved_the_risk_words(
    patterns: SafetyPatterns, text: str
) -> None:
    result = screen_message(text, patterns, StubClassifier(DECISION_NONE))
    assert (result.match.kind, result.match.confirm_kind, result.layer) == (
        KIND_UNCLEAR,
        KIND_CRISIS,
        LAYER_NET,
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to the climbing wall, need a new rope",
        "no point rushing, I'll do the stretches tomorrow",
        "bye for now, thanks!",
        "if I wasn't here by 6, start the class without me",  # a time, not an absence
    ],
)
def test_the_net_leaves_everyday_uses_alone(patterns: SafetyPatterns, text: str) -> None:
    assert screen_message(text, patterns, StubClassifier(DECISION_NONE)).match is None


def test_a_broken_classifier_leaves_the_patterns_and_the_net_working(
    patterns: SafetyPatterns,
) -> None:
    assert kind_of("I want to kill myself", patterns, StubClassifier(fail=True)) == KIND_CRISIS
    assert kind_of("nobody would miss me", patterns, StubClassifier(fail=True)) == KIND_UNCLEAR


def test_an_unsure_intent_guess_is_asked_about_and_a_sure_one_kept(
    patterns: SafetyPatterns,
) -> None:
    unsure = screen_message(
        "a new way of saying it", patterns, None, intent=KIND_URGENT, confidence=0.6
    )
    assert (unsure.match.kind, unsure.layer) == (KIND_UNCLEAR, LAYER_INTENT)
    sure = screen_message(
        "a new way of saying it", patterns, None, intent=KIND_URGENT, confidence=0.95
    )
    assert sure.match is None  # the intent stands: the rules escalate


# -- clinical rules (issue 13) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to take all my painkillers tonight",
        "I've been stockpiling my painkillers",
        "I took 30 painkillers an hour ago",
    ],
)
def test_words_for_painkillers_never_cancel_a_crisis_match(
    patterns: SafetyPatterns, text: str
) -> None:
    assert kind_of(text, patterns) == KIND_CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "my right leg is getting weaker every day",  # one leg, getting worse
        "both legs are getting weaker",
        "sciatica going down both legs now",
        "I have a weak stream when I pee since yesterday",
        "it takes ages to get my wee started",
        "I keep having accidents and leaking",
        "I can't feel the toilet paper when I wipe",
        "I can't get an erection since my back went, that's new",
    ],
)
def test_every_cauda_equina_sign_gets_emergency_advice(patterns: SafetyPatterns, text: str) -> None:
    assert kind_of(text, patterns) == KIND_EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "I'm on methotrexate and this back pain is new",
        "I inject drugs and my back started hurting last week",
        "I had a kidney transplant and now my back hurts",
        "feverish and shivery with this back pain",
    ],
)
def test_infection_risk_with_back_pain_gets_same_day_advice(
    patterns: SafetyPatterns, text: str
) -> None:
    assert kind_of(text, patterns) == KIND_URGENT


@pytest.mark.parametrize(
    "text",
    [
        "my back is stiff for two hours every morning",
        "it gets better when I move about and worse when I rest",
        "I have ankylosing spondylitis",
    ],
)
def test_inflammatory_signs_get_gp_soon_advice_not_an_emergency(
    patterns: SafetyPatterns, text: str
) -> None:
    assert kind_of(text, patterns) == KIND_INFLAMMATORY


@pytest.mark.parametrize(
    "text",
    [
        "I broke my wrist falling off a wall years ago",
        "I had a fever last winter but it passed",
        "my scan came back clear, no cancer",
        "warning signs for my plan: numbness down below, wetting myself, both legs weak",
        "what if my back locks when I twist?",
        "my mum had a fall last year",
    ],
)
def test_past_events_fears_and_lists_get_at_most_a_question(
    patterns: SafetyPatterns, text: str
) -> None:
    assert kind_of(text, patterns, StubClassifier(DECISION_ESCALATE, LABEL_URGENT)) in (
        KIND_UNCLEAR,
        None,
    )


def test_a_history_of_cancer_is_itself_the_flag(patterns: SafetyPatterns) -> None:
    assert (
        kind_of("I had breast cancer five years ago and now my back hurts", patterns) == KIND_URGENT
    )


def test_a_past_attempt_is_never_dismissed(patterns: SafetyPatterns) -> None:
    assert kind_of("I took an overdose two weeks ago", patterns) == KIND_CRISIS
    # Decades ago and well now: asked about, not ignored.
    assert kind_of("I overdosed when I was 17, I'm 52 now and doing well", patterns) in (
        KIND_UNCLEAR,
        KIND_CRISIS,
    )


def test_a_relapse_is_risk_now_whatever_came_before(patterns: SafetyPatterns) -> None:
    """C-SSRS: recent behaviour is current risk; "started again" cancels "as a teenager"."""
    assert (
        kind_of("I self harmed as a teenager and started again last month", patterns) == KIND_CRISIS
    )
    assert (
        kind_of(
            "years of not doing it and now the self harm has relapsed since the flare", patterns
        )
        == KIND_CRISIS
    )
    assert (
        kind_of("I used to self harm as a teenager and I've done it again this week", patterns)
        == KIND_CRISIS
    )
    assert (
        kind_of("tried to end it at 20; now at 45 the thoughts are coming back", patterns)
        == KIND_CRISIS
    )
    # Without a relapse, long ago and well now is asked about, not escalated.
    assert (
        kind_of("I used to self harm as a teenager, haven't for 15 years", patterns) == KIND_UNCLEAR
    )


@pytest.mark.parametrize(
    "text",
    [
        "I tried to drive into a tree last night but swerved at the last second",
        "keep thinking about steering into oncoming traffic on the way home",
        "my oxycodone, I've been saving it up for months instead of taking it",
        "there's a length of hose in the garage that fits the car exhaust",
        "swallowed my whole tramadol packet after dinner",
        "the kms feelings won't go away today",
        "I had a go at killing myself last spring",
        "I bash my head against the wall till it bruises when the pain peaks",
        "smashed the door with my fist last night, knuckles are bleeding",
        "I've been cutting my arms on purpose",
        "necked forty co-codamol about an hour ago, feel fine so far",
        "going to swallow every pill I own tonight",
        "sh urges are really bad tonight",
        "sat in my car in the locked garage last night with the engine on",
        # Seventh pass: a blade on one's own body (a kitchen nearby does not soften it), means
        # bought with their everyday use denied.
        "sometimes when im chopping veg i think about using the knife on my wrists",
        "put the knife to my wrist last night",
        "bought a hosepipe and duct tape today. not for the garden",
    ],
)
def test_methods_and_preparations_in_practical_words_get_crisis_support(
    patterns: SafetyPatterns, text: str
) -> None:
    assert kind_of(text, patterns) == KIND_CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "I nearly crashed into a wall when my back went on the motorway",
        "I was thinking about driving into town later",
        "I save up my repeat prescription so I never run out",
        "walked 5 kms today, legs are tired",
        "I hit my head on the cupboard door this morning",
        "I hurt myself on the stairs last week",
        "were people with suicidal thoughts excluded from the trial?",
        "had forty winks after the physio session",
        "holding the razor to my neck while shaving",
        "bought a new hosepipe today, not for the garden, for washing the car",
    ],
)
def test_everyday_driving_and_saving_are_not_crisis(patterns: SafetyPatterns, text: str) -> None:
    assert kind_of(text, patterns) != KIND_CRISIS


@pytest.mark.parametrize(
    "text", ["what is cauda equina syndrome?", "what is cauda equina", "explain cauda equina to me"]
)
def test_a_sure_intent_does_not_turn_a_question_about_a_condition_into_advice(
    patterns: SafetyPatterns, text: str
) -> None:
    """The vague pattern's question stands: DIET, sure of an emergency, once sent "what is
    cauda equina syndrome?" to the emergency department."""
    result = screen_message(text, patterns, None, intent=KIND_EMERGENCY, confidence=0.97)
    assert result.match is not None and result.match.kind == KIND_UNCLEAR
    assert result.match.confirm_kind == KIND_EMERGENCY


def test_a_sure_intent_still_escalates_a_vague_pattern_said_as_a_symptom(
    patterns: SafetyPatterns,
) -> None:
    result = screen_message(
        "my legs feel funny", patterns, None, intent=KIND_EMERGENCY, confidence=0.97
    )
    assert result.match is None and result.layer == LAYER_INTENT  # the rules escalate


# -- a sure crisis verdict is crisis support (thirteenth pass, docs/safety.md) ------------------


@pytest.mark.parametrize(
    "text",
    [
        # plans and methods said without a word the net knows: the classifier's sure verdict
        # is crisis support at once, never an education answer first (thirteenth pass)
        "it's all arranged for the night my partner works late, nobody will expect it",
        "I keep thinking about the garage, the car and a length of hose",
    ],
)
def test_a_sure_crisis_verdict_gets_crisis_support_without_an_answer_first(
    patterns: SafetyPatterns, text: str
) -> None:
    result = screen_message(text, patterns, StubClassifier(DECISION_ESCALATE, LABEL_CRISIS))
    assert result.match is not None and result.match.kind == KIND_CRISIS
    assert not result.answer_first
