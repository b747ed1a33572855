"""Trial questions through the real servers: the exact figures reach the person, with sources."""

import re

import pytest

from tests.support.harness import Assistant, buttons

pytestmark = pytest.mark.e2e


def test_trainee_gets_exact_figure_then_follow_ups_keep_context(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "I'm a physio student")
    first = assistant.say(sender, "What was pain in the control group at 22 weeks?")
    assert "3.86 (SD 2.35)" in first and "source" in first
    assert "1.66 (SD 2.00)" in assistant.say(sender, "and the experimental group?")
    assert "1.74 (SD 1.74)" in assistant.say(sender, "what about at 10 weeks?")


def test_patient_hears_plain_words_without_decimals(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "I'm a patient")
    text = assistant.say(sender, "what was pain in the CBT group at five months?")
    assert "about 2 out of 10" in text
    assert not re.search(r"\d\.\d", text)


def test_reported_difference_with_confidence_interval(assistant: Assistant, sender: str) -> None:
    assistant.send(sender, "I'm a physiotherapy student")
    text = assistant.say(sender, "what was the difference between the groups at 22 weeks?")
    assert "−2.20 (95% CI −3.25 to −1.15)" in text


def test_not_reported_figure_is_never_guessed(assistant: Assistant, sender: str) -> None:
    text = assistant.say(sender, "what was the disability score in the control group at 10 weeks?")
    assert "not reported in the sources I have" in text


def test_ambiguous_follow_up_time_is_asked_about_with_buttons(
    assistant: Assistant, sender: str
) -> None:
    reply = assistant.send(sender, "what was pain at follow-up?")
    assert "Do you mean" in reply[-1]["text"]
    titles = buttons(reply)
    assert len(titles) == 2
    payload = reply[-1]["buttons"][1]["payload"]
    assert "22 weeks" in titles[1]
    chosen = assistant.say(sender, payload)  # the button's payload, as the page would send it
    # Both groups at 22 weeks, in plain words: about 2 (experimental) and about 4 (control).
    assert "22 weeks" in chosen and "about 2" in chosen and "about 4" in chosen


def test_design_question_names_its_source(assistant: Assistant, sender: str) -> None:
    text = assistant.say(sender, "how many people took part in the trial?")
    assert "70" in text and "35" in text and "source" in text


def test_chart_is_an_image_with_a_text_alternative(assistant: Assistant, sender: str) -> None:
    """Plain averages for a patient (the default), exact means with SDs for a trainee (issue 16)."""
    reply = assistant.send(sender, "show me how pain changed over time")
    assert any(m.get("image", "").endswith(".png") for m in reply)
    text = " ".join(m.get("text", "") for m in reply)
    assert "about 5.0" in text and "SD" not in text
    assistant.send(sender, "I'm a physiotherapy student")
    reply = assistant.send(sender, "show me how pain changed over time")
    assert any("5.03 (SD 0.95)" in m.get("text", "") for m in reply)


def test_an_unreported_detail_is_said_plainly_and_nothing_else(
    assistant: Assistant, sender: str
) -> None:
    """Issue 15: dropouts, funding, an NNT are not in the sources; the whole reply says so. Where
    the assistant is unsure and asks "did you mean", the person picks the first topic offered
    (what the sources do not report) and gets the same reply."""
    from backpain.study.design_answers import answer_unreported
    from backpain.study.loading import get_study

    assistant.send(sender, "I'm a physiotherapy student")
    for question in (
        "How many participants dropped out of each group?",
        "Who funded the trial?",
        "What's the number needed to treat?",
    ):
        expected = answer_unreported(get_study().unreported_in(question), "trainee").text
        reply = assistant.send(sender, question)
        offered = [b["payload"] for m in reply for b in m.get("buttons", [])]
        if offered[:1] == ["/trial_not_reported"]:
            reply = assistant.send(sender, offered[0])
        assert [m.get("text") for m in reply] == [expected], question


def test_two_outcomes_in_one_question_are_both_answered(assistant: Assistant, sender: str) -> None:
    from backpain.study.answer import combine_answers
    from backpain.study.queries import answer_query

    assistant.send(sender, "I'm a physiotherapy student")
    reply = assistant.send(sender, "pain and disability scores in the control group at 10 weeks")
    expected = combine_answers(
        [
            answer_query(
                "figure", outcome=o, group="control", timepoint="week10", audience="trainee"
            )
            for o in ("pain", "disability")
        ]
    ).text
    assert [m.get("text") for m in reply] == [expected]
