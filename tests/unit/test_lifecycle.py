"""Round and intro states keep their stored values, and only the documented moves are allowed."""

from __future__ import annotations

import pytest

from serendip.domain.lifecycle import (
    INTRO_FINAL,
    INTRO_MOVES,
    ROUND_MOVES,
    IntroState,
    RoundState,
    can_move,
    is_final,
)


def test_states_keep_the_strings_already_stored_in_the_database() -> None:
    assert [s.value for s in RoundState] == ["pending", "matching", "delivering", "done", "held", "skipped"]
    assert [s.value for s in IntroState] == ["pending", "opened", "posted", "failed"]
    assert RoundState.DONE == "done" and f"{IntroState.POSTED}" == "posted"


def test_every_state_has_an_entry_in_its_transition_table() -> None:
    assert set(ROUND_MOVES) == set(RoundState)
    assert set(INTRO_MOVES) == set(IntroState)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (RoundState.PENDING, RoundState.MATCHING),
        (RoundState.PENDING, RoundState.SKIPPED),
        (RoundState.MATCHING, RoundState.DELIVERING),
        (RoundState.MATCHING, RoundState.HELD),
        (RoundState.DELIVERING, RoundState.DONE),
        (IntroState.PENDING, IntroState.OPENED),
        (IntroState.PENDING, IntroState.FAILED),
        (IntroState.OPENED, IntroState.POSTED),
        (IntroState.OPENED, IntroState.FAILED),
    ],
)
def test_a_round_or_intro_may_make_the_moves_the_lifecycle_makes(
    current: RoundState | IntroState, target: RoundState | IntroState
) -> None:
    assert can_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (RoundState.DONE, RoundState.DELIVERING),
        (RoundState.HELD, RoundState.DELIVERING),
        (RoundState.SKIPPED, RoundState.MATCHING),
        (RoundState.DELIVERING, RoundState.HELD),
        (RoundState.MATCHING, RoundState.DONE),
        (IntroState.POSTED, IntroState.FAILED),
        (IntroState.FAILED, IntroState.OPENED),
        (IntroState.PENDING, IntroState.POSTED),
        (IntroState.OPENED, IntroState.OPENED),
    ],
)
def test_a_round_or_intro_may_not_go_back_or_skip_a_step(
    current: RoundState | IntroState, target: RoundState | IntroState
) -> None:
    assert not can_move(current, target)


def test_a_round_state_never_moves_to_an_intro_state_of_the_same_name() -> None:
    assert not can_move(RoundState.PENDING, IntroState.OPENED)
    assert not can_move(IntroState.PENDING, RoundState.MATCHING)


def test_finished_rounds_and_intros_move_nowhere() -> None:
    assert {s for s in RoundState if is_final(s)} == {RoundState.DONE, RoundState.HELD, RoundState.SKIPPED}
    assert {s for s in IntroState if is_final(s)} == INTRO_FINAL == {IntroState.POSTED, IntroState.FAILED}
