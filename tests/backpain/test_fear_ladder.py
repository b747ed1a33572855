"""The fear ladder: ordering, the first step, practice comparisons, progress."""

from __future__ import annotations

from backpain.fear_ladder import (
    FirstStepReason,
    Ladder,
    Suggestion,
    progress_lines,
    propose_first_step,
    record_practice,
    start_at,
)


def ladder_of(*ratings: tuple) -> Ladder:
    return Ladder.from_ratings(list(ratings))


def test_steps_are_ordered_from_least_to_most_feared_keeping_ties_in_order() -> None:
    ladder = ladder_of(("running", 90), ("bending", 40), ("lifting", 60), ("twisting", 40))
    assert [s.activity for s in ladder.steps] == ["bending", "twisting", "lifting", "running"]


def test_the_ladder_keeps_at_most_eight_steps() -> None:
    ladder = ladder_of(*[(f"a{n}", n * 10) for n in range(11)])
    assert len(ladder.steps) == 8


def test_first_step_is_the_lowest_in_the_low_to_moderate_band() -> None:
    ladder = ladder_of(("walking", 5), ("bending", 30), ("lifting", 45), ("running", 90))
    proposal = propose_first_step(ladder)
    assert ladder.steps[proposal.index].activity == "bending"
    assert proposal.reason == FirstStepReason.LOW_TO_MODERATE


def test_first_step_when_everything_is_frightening_is_the_least_frightening() -> None:
    ladder = ladder_of(("running", 95), ("lifting", 80))
    proposal = propose_first_step(ladder)
    assert (ladder.steps[proposal.index].activity, proposal.reason) == (
        "lifting",
        FirstStepReason.ALL_HIGH,
    )


def test_first_step_when_nothing_is_frightening_is_the_most_feared() -> None:
    ladder = ladder_of(("walking", 5), ("bending", 15))
    proposal = propose_first_step(ladder)
    assert (ladder.steps[proposal.index].activity, proposal.reason) == (
        "bending",
        FirstStepReason.ALL_LOW,
    )


def test_first_step_with_a_gap_around_the_middle_is_the_nearest_low_one() -> None:
    ladder = ladder_of(("walking", 5), ("bending", 15), ("running", 90))
    assert ladder.steps[propose_first_step(ladder).index].activity == "bending"


def test_no_ladder_no_proposal() -> None:
    assert propose_first_step(Ladder()) is None


def test_slot_round_trip_and_malformed_slot_values() -> None:
    ladder = start_at(ladder_of(("bending", 30), ("lifting", 60)), 1)
    assert Ladder.from_slot(ladder.to_slot()) == ladder
    assert Ladder.from_slot(None).steps == []
    assert Ladder.from_slot("nonsense").steps == []
    assert [
        s.activity
        for s in Ladder.from_slot(
            [{"activity": "ok", "fear": 3}, {"fear": 2}, 7, {"activity": "x"}]
        ).steps
    ] == ["ok"]


def test_starting_higher_marks_easier_steps_as_passed() -> None:
    ladder = start_at(ladder_of(("walking", 10), ("bending", 30), ("lifting", 60)), 1)
    assert ladder.current_index() == 1
    assert [s.done for s in ladder.steps] == [True, False, False]


def test_one_good_practice_is_not_mastery() -> None:
    """Vlaeyen and Linton: the same step is repeated until fear has come down across practices."""
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    ladder.steps[0].expected_fear, ladder.steps[0].expected_pain = 60, 4
    outcome = record_practice(ladder, actual_fear=20, actual_pain=3)
    assert outcome.suggestion == Suggestion.STAY and outcome.next_activity == "bending"
    assert outcome.fear_difference == -40 and outcome.pain_difference == -1
    assert ladder.current_index() == 0 and ladder.steps[0].practices == 1


def test_fear_that_has_come_down_across_practices_moves_up() -> None:
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    assert record_practice(ladder, actual_fear=45, actual_pain=3).suggestion == Suggestion.STAY
    assert record_practice(ladder, actual_fear=30, actual_pain=3).suggestion == Suggestion.MOVE_UP
    assert ladder.current_index() == 1 and ladder.steps[0].fears == [45, 30]


def test_fear_going_back_up_is_not_settled() -> None:
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    record_practice(ladder, actual_fear=10, actual_pain=1)
    assert record_practice(ladder, actual_fear=25, actual_pain=1).suggestion == Suggestion.STAY


def test_expected_90_actual_70_with_pain_9_never_moves_up() -> None:
    """The issue's counter-example: 20 points under what was expected, but pain 9/10."""
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    ladder.steps[0].expected_fear, ladder.steps[0].expected_pain = 90, 3
    outcome = record_practice(ladder, actual_fear=70, actual_pain=9)
    assert outcome.suggestion == Suggestion.PAUSE and outcome.pain_higher_than_expected
    assert ladder.current_index() == 0


def test_pain_far_above_expected_pauses_even_when_fear_has_settled() -> None:
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    ladder.steps[0].expected_pain = 2
    record_practice(ladder, actual_fear=30, actual_pain=2)
    assert record_practice(ladder, actual_fear=20, actual_pain=6).suggestion == Suggestion.PAUSE


def test_a_feared_outcome_that_happened_keeps_the_step() -> None:
    ladder = ladder_of(("bending", 40), ("lifting", 60))
    record_practice(ladder, actual_fear=30, actual_pain=2, feared_outcome_happened=False)
    outcome = record_practice(ladder, actual_fear=20, actual_pain=2, feared_outcome_happened=True)
    assert outcome.suggestion == Suggestion.STAY and outcome.feared_outcome_happened is True


def test_settling_on_the_last_step_means_the_top_is_reached() -> None:
    ladder = start_at(ladder_of(("bending", 40), ("lifting", 60)), 1)
    record_practice(ladder, actual_fear=25, actual_pain=1)
    outcome = record_practice(ladder, actual_fear=10, actual_pain=1)
    assert outcome.suggestion == Suggestion.TOP_REACHED and outcome.next_activity is None
    assert ladder.current_index() is None
    assert record_practice(ladder, 10, 1) is None  # nothing left to practise


def test_big_gaps_and_a_high_first_step_are_pointed_out() -> None:
    ladder = ladder_of(("walking", 10), ("bending", 30), ("lifting", 70), ("running", 90))
    assert [(low.activity, high.activity) for low, high in ladder.big_gaps()] == [
        ("bending", "lifting")
    ]
    assert not ladder.starts_too_high()
    assert ladder_of(("lifting", 70), ("running", 90)).starts_too_high()
    assert ladder_of(("bending", 30), ("lifting", 60)).big_gaps() == []  # 30 apart: climbable


def test_progress_lines_mark_passed_current_ahead_and_skipped_steps() -> None:
    ladder = start_at(
        ladder_of(("walking", 10), ("bending", 30), ("lifting", 60), ("running", 90)), 1
    )
    record_practice(ladder, actual_fear=30, actual_pain=2)
    record_practice(ladder, actual_fear=20, actual_pain=2)
    lines = progress_lines(ladder)
    assert lines[0].startswith("·") and "walking" in lines[0]
    assert lines[1].startswith("✓") and "practised 2 times, last fear 20/100, pain 2/10" in lines[1]
    assert lines[2].startswith("➜") and "lifting" in lines[2]
    assert lines[3].startswith("○")
