"""The first conversation, through the real servers: what a newcomer actually sees."""

import pytest

from tests.support.harness import Assistant, buttons

pytestmark = pytest.mark.e2e


def test_first_message_gets_the_notice_and_the_greeting(assistant: Assistant, sender: str) -> None:
    reply = assistant.send(sender, "hi")
    texts = [m.get("text", "") for m in reply]
    assert "not a diagnosis or treatment" in texts[0]  # the session-start notice comes first
    assert any("education assistant for chronic low back pain" in t for t in texts)
    assert {"What can you do?", "I'm a patient", "I'm a physio in training"} <= set(buttons(reply))


def test_notice_also_opens_a_conversation_that_starts_with_a_question(
    assistant: Assistant, sender: str
) -> None:
    reply = assistant.send(sender, "what can you help me with?")
    assert "not a diagnosis or treatment" in reply[0]["text"]
    assert "Here is what I can help with" in reply[-1]["text"]


def test_notice_is_not_repeated_within_a_session(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hello")
    assert "not a diagnosis" not in assistant.say(sender, "are you a bot?")


def test_audience_is_remembered_and_can_be_changed(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    assert "fuller picture" in assistant.say(sender, "I'm a physio student")
    assert assistant.slots(sender)["audience"] == "trainee"
    assert "plain words" in assistant.say(sender, "actually I'm a patient")
    assert assistant.slots(sender)["audience"] == "patient"


def test_buttons_send_payloads_that_work(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, "/declare_trainee")
    assert "fuller picture" in reply[0]["text"]


def test_bot_challenge_is_answered_honestly(assistant: Assistant, sender: str) -> None:
    assert "computer program" in assistant.say(sender, "am I talking to a real person?")


def test_out_of_scope_says_so_and_offers_what_it_can_do(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, "can you book me a flight to Rome?")
    assert "outside what I can help with" in reply[-1]["text"]
    assert len(buttons(reply)) >= 3


CLARIFY = "I want to be sure I answer the right question. Did you mean one of these?"
MENU = (
    "Sorry, I still couldn't work out what you need. Here is what I can help with: pick one, "
    "or ask a short question in your own words."
)
# A first unclear message with no likely topic to offer: the menu, never "still" (nothing came before).
FIRST_MENU = (
    "I'm not sure I understood that. Here is what I can help with: pick one, "
    "or ask a short question in your own words."
)
AREAS = ["Why pain persists", "The Bemani 2023 trial", "Coping exercises", "Warning signs"]
UNCLEAR = ["blorf quenzle trimbodactyl", "zzz qqq"]
# Vague enough that no topic is sure, with words that point at a few (a trial group, a thing).
VAGUE = "erm the group one"


def test_gibberish_is_not_answered_with_confidence(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    text = assistant.say(sender, UNCLEAR[0])
    assert text in (CLARIFY, FIRST_MENU) or "outside what I can help with" in text


def test_an_unclear_message_offers_the_likeliest_topics_then_the_menu(
    assistant: Assistant, sender: str
) -> None:
    """Issue 15: the two-stage fallback, as the person sees it, message by message."""
    assistant.send(sender, "hi")
    first = assistant.send(sender, VAGUE)
    assert [m.get("text") for m in first] == [CLARIFY]
    offered = buttons(first)
    assert 2 <= len(offered) <= 4 and offered[-1] == "Something else"
    second = assistant.send(sender, UNCLEAR[1])
    assert [m.get("text") for m in second] == [MENU]
    assert buttons(second) == AREAS


def test_a_click_on_a_likely_topic_answers_it(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    first = assistant.send(sender, VAGUE)
    assert first[0]["text"] == CLARIFY
    payload = first[0]["buttons"][0]["payload"]
    answer = assistant.send(sender, payload)
    assert answer and answer[0]["text"] not in (CLARIFY, MENU)
    # The clicked topic replaced the unclear message: nothing of the fallback is left active.
    assert assistant.tracker(sender)["active_loop"] in ({}, None) or not assistant.tracker(sender)[
        "active_loop"
    ].get("name")


WHICH = "Which one? Tap it below, or put it in your own words."
DECLINED = (
    "No problem. Here is what I can help with: pick one, or ask a short question in your own words."
)


def test_a_typed_yes_to_did_you_mean_offers_the_same_topics_again(
    assistant: Assistant, sender: str
) -> None:
    """A yes to several topics does not say which; "Sorry, I still couldn't..." here read as a bug."""
    assistant.send(sender, "hi")
    first = assistant.send(sender, VAGUE)
    assert [m.get("text") for m in first] == [CLARIFY]
    again = assistant.send(sender, "yes")
    assert [m.get("text") for m in again] == [WHICH]
    assert buttons(again) == buttons(first)
    answer = assistant.send(sender, first[0]["buttons"][0]["payload"])
    assert answer and answer[0]["text"] not in (CLARIFY, MENU, WHICH)


def test_a_typed_no_to_did_you_mean_gets_the_menu(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    assistant.send(sender, VAGUE)
    reply = assistant.send(sender, "no")
    assert [m.get("text") for m in reply] == [DECLINED]
    assert buttons(reply) == AREAS


WHAT_I_CAN_DO = "Here is what I can help with. Pick one, or just ask in your own words."


@pytest.mark.parametrize("said", ["ok", "no"])
def test_ok_or_no_after_the_welcome_gets_what_i_can_help_with(
    assistant: Assistant, sender: str, said: str
) -> None:
    """Nothing was asked, so nothing was missed: no "Sorry, I still couldn't work out ..."."""
    assistant.send(sender, "/declare_patient")
    reply = assistant.send(sender, said)
    assert [m.get("text") for m in reply] == [WHAT_I_CAN_DO]
    assert buttons(reply) == AREAS


def test_something_else_shows_what_the_assistant_can_do(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    assistant.send(sender, VAGUE)
    reply = assistant.send(sender, "/what_can_you_do")
    assert reply[0]["text"].startswith("Here is what I can help with")
    assert buttons(reply) == AREAS


NOT_ENGLISH = (
    "Sorry, I can only understand English for now. In English, I can explain chronic back pain, answer "
    "questions about the Bemani 2023 trial and guide coping exercises. If you need urgent help, call "
)


@pytest.mark.parametrize(
    "message",
    [
        "Hola, tengo dolor de espalda desde hace dos años",
        "腰が痛いです",
        "Ich habe seit Monaten Rückenschmerzen, was kann ich tun?",
    ],
)
def test_a_message_in_another_language_gets_the_english_only_notice(
    assistant: Assistant, sender: str, message: str
) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, message)
    assert len(reply) == 1 and reply[0]["text"].startswith(NOT_ENGLISH)
    assert "{" not in reply[0]["text"], "the clinic's numbers are filled in"


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "didn't receive any text"),
        ("   \n\t ", "didn't receive any text"),
        ("x" * 50_000, "shorten it"),
        ("lorem ipsum " * 4000, "shorten it"),
        ("😀😀😀", ""),
        ("¿Dónde está la biblioteca?", "only understand English"),
        ("背中が痛いです", "only understand English"),
        ("\x00\x07 \u202e", ""),
    ],
    ids=[
        "empty",
        "whitespace",
        "50k-single-token",
        "50k-words",
        "emoji",
        "spanish",
        "japanese",
        "control-chars",
    ],
)
def test_bad_input_gets_an_answer_not_an_error(
    assistant: Assistant, sender: str, message: str, expected: str
) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, message)  # raises on any HTTP error
    assert reply, "every message gets an answer"
    assert expected in reply[-1]["text"]
    # The server keeps answering afterwards, in the same conversation.
    assert "education assistant" in assistant.say(sender, "hello")
