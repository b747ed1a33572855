"""The first conversation, through the real servers: what a newcomer actually sees."""
import pytest

from tests.harness import Assistant, buttons

pytestmark = pytest.mark.e2e


def test_first_message_gets_the_notice_and_the_greeting(assistant: Assistant, sender: str) -> None:
    reply = assistant.send(sender, "hi")
    texts = [m.get("text", "") for m in reply]
    assert "not a diagnosis or treatment" in texts[0]  # the session-start notice comes first
    assert any("education assistant for chronic low back pain" in t for t in texts)
    assert {"What can you do?", "I'm a patient", "I'm a physio in training"} <= set(buttons(reply))


def test_notice_also_opens_a_conversation_that_starts_with_a_question(assistant: Assistant, sender: str) -> None:
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


def test_gibberish_is_not_answered_with_confidence(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "hi")
    text = assistant.say(sender, "blorf quenzle trimbodactyl")
    assert "another way" in text or "outside what I can help with" in text


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "didn't receive any text"),
        ("   \n\t ", "didn't receive any text"),
        ("x" * 50_000, "shorten it"),
        ("lorem ipsum " * 4000, "shorten it"),
        ("😀😀😀", "another way"),
        ("¿Dónde está la biblioteca?", ""),
        ("背中が痛いです", ""),
        ("\x00\x07 \u202e", ""),
    ],
    ids=["empty", "whitespace", "50k-single-token", "50k-words", "emoji", "spanish", "japanese", "control-chars"],
)
def test_bad_input_gets_an_answer_not_an_error(assistant: Assistant, sender: str, message: str, expected: str) -> None:
    assistant.send(sender, "hi")
    reply = assistant.send(sender, message)  # raises on any HTTP error
    assert reply, "every message gets an answer"
    assert expected in reply[-1]["text"]
    # The server keeps answering afterwards, in the same conversation.
    assert "education assistant" in assistant.say(sender, "hello")
