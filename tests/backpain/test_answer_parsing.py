"""Short answers inside the guided scripts: ratings, yes/no, durations, amounts, lists, plans."""

from __future__ import annotations

import pytest

from backpain.amount_parsing import (
    Amount,
    IncreaseProblem,
    parse_amount,
    parse_duration_minutes,
    parse_increase_plan,
)
from backpain.answer_parsing import (
    RatingProblem,
    looks_like_question,
    parse_list,
    parse_rating,
    parse_yes_no,
    words_to_digits,
)


@pytest.mark.parametrize(
    "answer, scale_max, expected",
    [
        ("7", 10, 7),
        ("seven", 10, 7),
        ("Seven!", 10, 7),
        ("7/10", 10, 7),
        ("7 / 10", 100, 70),
        ("70%", 10, 7),
        ("70%", 100, 70),
        ("about 6", 10, 6),
        ("around six I think", 10, 6),
        ("six out of ten", 10, 6),
        ("six out of ten", 100, 60),
        ("100 percent", 100, 100),
        ("one hundred per cent", 100, 100),
        ("a hundred", 100, 100),
        ("twenty-five", 100, 25),
        ("eighty five", 100, 85),
        ("6.5", 10, 6.5),
        ("8ish", 10, 8),
        ("I'd say an 8 today", 10, 8),
        ("0", 10, 0),
        ("zero", 10, 0),
        ("none", 10, 0),
        ("not at all", 100, 0),
        ("10", 10, 10),
        ("3/5", 10, 6),
    ],
)
def test_ratings_in_many_forms_are_read_on_the_scale_asked(
    answer: str, scale_max: int, expected: float
) -> None:
    result = parse_rating(answer, scale_max)
    assert result.ok, result
    assert result.value == pytest.approx(expected)


@pytest.mark.parametrize(
    "answer, scale_max, problem",
    [
        ("", 10, RatingProblem.EMPTY),
        ("   ", 10, RatingProblem.EMPTY),
        (None, 10, RatingProblem.EMPTY),
        ("it hurts a lot", 10, RatingProblem.NOT_A_NUMBER),
        ("😀😀", 10, RatingProblem.NOT_A_NUMBER),
        ("\x00\x07", 10, RatingProblem.NOT_A_NUMBER),
        ("12", 10, RatingProblem.OUT_OF_RANGE),
        ("twenty-five", 10, RatingProblem.OUT_OF_RANGE),
        ("-3", 10, RatingProblem.OUT_OF_RANGE),
        ("150%", 100, RatingProblem.OUT_OF_RANGE),
        ("11/10", 10, RatingProblem.OUT_OF_RANGE),
        ("7/0", 10, RatingProblem.NOT_A_NUMBER),
        ("6 or 7", 10, RatingProblem.SEVERAL_NUMBERS),
        ("6-7", 10, RatingProblem.SEVERAL_NUMBERS),
        ("between five and eight", 10, RatingProblem.SEVERAL_NUMBERS),
        ("5 " * 400, 10, RatingProblem.TOO_LONG),
        (True, 10, RatingProblem.NOT_A_NUMBER),
    ],
)
def test_unusable_ratings_say_why(answer: object, scale_max: int, problem: RatingProblem) -> None:
    result = parse_rating(answer, scale_max)
    assert result.value is None
    assert result.problem == problem


def test_a_rating_already_stored_is_accepted_again_but_still_range_checked() -> None:
    assert parse_rating(7.0, 10).value == 7.0
    assert parse_rating(40, 100).value == 40
    assert parse_rating(12.0, 10).problem == RatingProblem.OUT_OF_RANGE


def test_number_words_become_digits() -> None:
    assert words_to_digits("twenty-five and two hundred and fifty") == "25 and 250"
    assert words_to_digits("six-7") == "6 - 7" or words_to_digits("six-7").replace(" ", "") in (
        "6-7",
    )


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("yes", True),
        ("Yeah, let's go", True),
        ("I'm ready", True),
        ("sure", True),
        ("ok", True),
        (True, True),
        ("no", False),
        ("nope, none of those", False),
        ("not really", False),
        ("not ready yet", False),
        (False, False),
        ("not sure", None),
        ("maybe", None),
        ("yes and no", None),
        ("", None),
        ("purple", None),
        (None, None),
        (["yes"], True),
    ],
)
def test_yes_and_no(answer: object, expected: object) -> None:
    assert parse_yes_no(answer) is expected


@pytest.mark.parametrize(
    "answer, minutes",
    [
        ("10 minutes", 10),
        ("ten mins", 10),
        ("half an hour", 30),
        ("an hour", 60),
        ("an hour and a half", 90),
        ("1 hour 30 minutes", 90),
        ("90 secs", 1.5),
        ("a 20-minute walk", 20),
        ("2 hrs", 120),
        ("a quarter of an hour", 15),
        ("about 15 min", 15),
    ],
)
def test_durations_in_minutes(answer: str, minutes: float) -> None:
    assert parse_duration_minutes(answer) == pytest.approx(minutes)


@pytest.mark.parametrize("answer", ["", "a while", "walking", None, "x" * 1000])
def test_no_duration_is_none(answer: object) -> None:
    assert parse_duration_minutes(answer) is None


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("10 minutes", Amount(10, "minutes")),
        ("half an hour", Amount(30, "minutes")),
        ("3 flights of stairs", Amount(3, "flights of stairs")),
        ("about 20 laps", Amount(20, "laps")),
        ("five hundred metres", Amount(500, "metres")),
        ("20", Amount(20, None)),
        (12, Amount(12, None)),
        ({"value": 5, "unit": "minutes"}, Amount(5, "minutes")),
    ],
)
def test_amounts(answer: object, expected: Amount) -> None:
    assert parse_amount(answer) == expected


@pytest.mark.parametrize("answer", ["", "walking", "2 or 3 laps", "-5 laps", None, True])
def test_unclear_amounts_are_none(answer: object) -> None:
    assert parse_amount(answer) is None


@pytest.mark.parametrize(
    "answer, expected",
    [
        # A range is read as its lower end: pacing starts below what is comfortable.
        ("10-15 minutes of weeding", Amount(10, "minutes")),
        ("10 to 15 mins", Amount(10, "minutes")),
        ("between 10 and 15 minutes", Amount(10, "minutes")),
        ("ten to fifteen minutes", Amount(10, "minutes")),
        ("10 mins to 15 mins", Amount(10, "minutes")),
        ("2-3 flights of stairs", Amount(2, "flights of stairs")),
        # Fractions where the unit is known
        ("half a mile", Amount(0.5, "mile")),
        ("half a length, then rest", Amount(0.5, "length")),
        ("a quarter of a mile", Amount(0.25, "mile")),
        ("one and a half hours", Amount(90, "minutes")),
        ("an hour and a half", Amount(90, "minutes")),
        ("2 and a half laps", Amount(2.5, "laps")),
        ("half a minute", Amount(0.5, "minutes")),
        # Words around one amount
        ("30 mins then a stretch break", Amount(30, "minutes")),
        ("around 45 min sitting then I need to get up", Amount(45, "minutes")),
        ("1 flight if it goes ok", Amount(1, "flight")),
        # Counter-examples: units and readings that must not change
        ("2 flights of stairs", Amount(2, "flights of stairs")),
        ("one length of the pool", Amount(1, "length of the pool")),
        ("um maybe 15 min to be safe", Amount(15, "minutes")),  # "to" here is no range
    ],
)
def test_amounts_as_people_give_them(answer: str, expected: Amount) -> None:
    assert parse_amount(answer) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "10 or 20 minutes",  # alternatives, not a range: ask for one
        "10 mins or 20 mins",
        "20 minutes to 2 hours",  # a range in two units is not added up to 140 minutes
        "from 10 to 15 minutes",  # a change, not an amount
        "half of it",
        "half way",
        "we've got the grandkids for the whole of half term",
        "our boiler man is coming between 8 and 12 tomorrow",  # times of day, not a range
    ],
)
def test_alternatives_and_unreadable_fractions_are_not_one_amount(answer: str) -> None:
    assert parse_amount(answer) is None


def test_a_range_is_never_read_as_two_amounts_added_up() -> None:
    assert parse_duration_minutes("10-15 minutes") == 10
    assert parse_duration_minutes("between 1 and 2 hours") == 60


def test_amount_units_compare_singular_and_plural() -> None:
    assert Amount(3, "laps").comparable_with(Amount(2, "lap"))
    assert Amount(3, "flights of stairs").comparable_with(Amount(1, "flight of stairs"))
    assert Amount(3, None).comparable_with(Amount(2, "minutes"))
    assert not Amount(3, "laps").comparable_with(Amount(2, "minutes"))
    assert Amount(2.5, "minutes").describe() == "2.5 minutes"


@pytest.mark.parametrize(
    "answer, items",
    [
        ("bending, lifting and running", ["bending", "lifting", "running"]),
        ("1. bending\n2. lifting\n3) running", ["bending", "lifting", "running"]),
        ("- bending\n- lifting", ["bending", "lifting"]),
        ("lifting & carrying shopping; gardening", ["lifting", "carrying shopping", "gardening"]),
        ("Bending, bending, BENDING", ["Bending"]),
        (["heat, a walk"], ["heat", "a walk"]),
        ("😀, !!", []),
        ("", []),
        (None, []),
    ],
)
def test_lists(answer: object, items: list) -> None:
    assert parse_list(answer) == items


def test_a_long_list_is_cut_but_one_extra_item_shows_it_was_longer() -> None:
    answer = ", ".join(f"activity {n}" for n in range(12))
    assert len(parse_list(answer, max_items=8)) == 9  # the caller sees "more than 8" and keeps 8


def test_list_items_that_are_essays_are_shortened_at_a_word() -> None:
    item = parse_list("word " * 100, max_item_characters=80)[0]
    assert len(item) <= 80 and not item.endswith(" ")


@pytest.mark.parametrize(
    "answer, every_days, step, percent",
    [
        ("add 2 minutes every 3 days", 3, Amount(2, "minutes"), None),
        ("10% more each week", 7, None, 10),
        ("one more lap every other day", 2, Amount(1, "lap"), None),
        ("add a minute daily", 1, Amount(1, "minutes"), None),
        ("5 more minutes every 2 weeks", 14, Amount(5, "minutes"), None),
    ],
)
def test_increase_plans(answer: str, every_days: float, step: Amount, percent: float) -> None:
    plan, problem = parse_increase_plan(answer)
    assert problem is None
    assert (plan.every_days, plan.step, plan.percent) == (every_days, step, percent)


@pytest.mark.parametrize(
    "answer, every_days, step",
    [
        ("add 1 minute every couple of days", 2, Amount(1, "minutes")),
        ("add 1 minute every few days", 3, Amount(1, "minutes")),  # "few" read as 3, said back
        ("add 1 minute every other day", 2, Amount(1, "minutes")),
        ("add 2 minutes every Monday", 7, Amount(2, "minutes")),
        ("add 2 minutes each Monday", 7, Amount(2, "minutes")),
        ("add 2 minutes on Mondays", 7, Amount(2, "minutes")),
        ("increase by 5 min every Monday", 7, Amount(5, "minutes")),
        ("add 2 minutes twice a week", 3.5, Amount(2, "minutes")),  # every 3-4 days
        ("add a minute each time i do it, 3 times a week", 7 / 3, Amount(1, "minutes")),
        ("add 2 minutes fortnightly", 14, Amount(2, "minutes")),
        ("add 2 minutes every fortnight", 14, Amount(2, "minutes")),
        ("an extra flight each week if it goes ok", 7, Amount(1, "flight")),
        ("another quarter mile every week", 7, Amount(0.25, "mile")),
        ("another 5 minutes every week", 7, Amount(5, "minutes")),
        ("I guess one extra length every 5 days", 5, Amount(1, "length")),
        # a range: the smaller step and the longer interval (the slower build-up)
        ("add 2-3 minutes every 3-4 days", 4, Amount(2, "minutes")),
        # counter-examples: these keep their reading
        ("add 2 minutes every day", 1, Amount(2, "minutes")),
        ("add 2 minutes a week", 7, Amount(2, "minutes")),
        ("one more flight of stairs every 2 weeks", 14, Amount(1, "flight of stairs")),
    ],
)
def test_increase_plans_as_people_give_them(answer: str, every_days: float, step: Amount) -> None:
    plan, problem = parse_increase_plan(answer)
    assert problem is None
    assert plan.every_days == pytest.approx(every_days)
    assert (plan.step, plan.percent) == (step, None)


@pytest.mark.parametrize(
    "answer, said_back",
    [
        ("add 2 minutes twice a week", "add 2 minutes twice a week"),
        ("add 2 minutes 3 times a week", "add 2 minutes 3 times a week"),
        ("add 2 minutes every few days", "add 2 minutes every 3 days"),
        ("add 2 minutes every Monday", "add 2 minutes every week"),
    ],
)
def test_increase_plans_read_from_words_are_said_back_plainly(answer: str, said_back: str) -> None:
    assert parse_increase_plan(answer)[0].describe() == said_back


def test_increase_plans_describe_themselves() -> None:
    assert (
        parse_increase_plan("add 2 minutes every 3 days")[0].describe()
        == "add 2 minutes every 3 days"
    )
    assert parse_increase_plan("10% more weekly")[0].describe() == "add 10% every week"


@pytest.mark.parametrize(
    "answer, problem",
    [
        ("2 minutes", IncreaseProblem.NO_INTERVAL),
        ("every week", IncreaseProblem.NO_AMOUNT),
        ("slowly", IncreaseProblem.NO_AMOUNT),
        ("", IncreaseProblem.NO_AMOUNT),
        ("add 0 minutes every day", IncreaseProblem.NO_AMOUNT),
    ],
)
def test_incomplete_increase_plans_say_what_is_missing(
    answer: str, problem: IncreaseProblem
) -> None:
    assert parse_increase_plan(answer) == (None, problem)


# --- questions are not answers (issue 14) --------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "why does my back still hurt after 2 years?",
        "what is the biopsychosocial model",
        "is 10 minutes twice a day enough or do i need to be doing 30",
        "i got dizzy after about 4 breaths in, is that normal",
        "can you set me a reminder for 7pm",
        "tell me about the trial",
        "hows sciatica different from a normal flare",  # no apostrophe, no question mark
        "whys it worse in the morning",
        # A question after a statement, without a question mark.
        "my scan report says wear and tear, does that mean my discs are going",
        "for my essay - were the people who scored the outcomes kept blind to the groups",
    ],
)
def test_questions_are_recognised_by_their_shape(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "7",
        "about six",
        "will do",
        "can do",
        "yes please",
        "20 minutes",
        "heat, a walk",
        "?!",
        "",
        "I bent to pick up my bag",
        "heat, walking, do my stretches",
        "lifting, was the worst",
        "rest and is fine after a day",
    ],
)
def test_answers_are_not_taken_for_questions(text: str) -> None:
    assert not looks_like_question(text)


def test_a_number_inside_a_question_is_not_a_rating() -> None:
    result = parse_rating("why does my back still hurt after 2 years?", 10)
    assert result.value is None and result.problem == RatingProblem.QUESTION
