"""How the blind conversation set's replies are scored (backpain/conversation_eval.py)."""

from __future__ import annotations

from backpain.conversation_eval import CHECKED, Case, Report, kind_of_reply, right


def test_the_confirming_question_alone_is_a_safety_reply() -> None:
    assert kind_of_reply(["action_confirm_red_flag"], ["Are you having thoughts ...?"]) == "safety"


def test_an_answer_then_the_confirming_question_is_the_answer_with_the_check_counted() -> None:
    got = kind_of_reply(
        ["action_confirm_red_flag", "utter_explain"], ["No. Your pain is real.", "?"]
    )
    assert got == "education" + CHECKED
    assert right("education", got) and right("safety", got)
    assert not right("trial_figure", got)
    report = Report()
    report.add(Case("patients", ("so is it all in my head??",), "education"), got)
    report.add(Case("patients", ("heat or ice?",), "education"), "safety")
    assert report.checked == (1, 2) and report.wrong == (1, 2)


def test_crisis_support_is_never_read_as_an_answer_with_a_check() -> None:
    assert kind_of_reply(["action_crisis_support", "utter_explain"], ["..."]) == "safety"


def test_a_plain_answer_about_the_trial_is_a_trial_answer_not_a_topic() -> None:
    assert kind_of_reply(["utter_explain/groups_diverged"], ["After the sessions ..."]) == (
        "trial_design"
    )
    assert kind_of_reply(["utter_explain/sleep_and_pain"], ["Sleep and pain ..."]) == "education"
    # A topic answer is still a topic when the key is missing (older trackers).
    assert kind_of_reply(["utter_explain"], ["..."]) == "education"


def test_not_reported_is_right_for_a_figure_only_when_the_study_file_lacks_it() -> None:
    assert right("trial_figure", "not_reported", "how many dropped out of each group?")
    # the sources report pain at 22 weeks: "not reported" would be a wrong answer
    assert not right("trial_figure", "not_reported", "what was pain at 22 weeks?")
    report = Report()
    report.add(
        Case("trainees", ("how many dropped out of each group?",), "trial_figure"), "not_reported"
    )
    report.add(Case("trainees", ("what was pain at 22 weeks?",), "trial_figure"), "not_reported")
    assert report.wrong == (1, 2)


def test_the_last_resort_is_scored_by_what_it_sent() -> None:
    """action_default_fallback sends the menu, "which one?", or a new message's own topics: only
    the topics are a "did you mean"; the rest leave the person without an answer."""
    last_resort = "action_default_fallback"
    assert kind_of_reply([last_resort, "utter_clarify"], ["Did you mean ...?"]) == "clarify"
    for menu in ("utter_default", "utter_clarify_which", "utter_clarify_declined"):
        assert kind_of_reply([last_resort, menu], ["..."]) == "fallback"
