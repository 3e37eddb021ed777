"""A circle's rules during and at the end of its season: hosts, skips, the vote, merges, newcomers."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.circles.messages import PROMPTS, code, prompt_for, waitlisted_text
from serendip.domain.circles.season import (
    CircleView,
    circle_for_newcomer,
    host_for,
    host_rotation,
    merge_target,
    should_ask_to_stay,
    skip_streak,
    vote_outcome,
)
from serendip.domain.lifecycle import CircleState

ids = st.frozensets(st.integers(1, 40), max_size=8)


def _circle(intro_id: int, topic: str, *members: int) -> CircleView:
    return CircleView(intro_id, topic, frozenset(members))


def test_the_planned_host_hosts_while_still_in_the_circle() -> None:
    assert host_for(3, {1, 3, 5}) == 3


def test_a_host_who_left_is_replaced_by_the_next_member_wrapping_round() -> None:
    assert host_for(4, {1, 3, 5}) == 5
    assert host_for(9, {1, 3, 5}) == 1
    assert host_for(None, {7, 2}) == 2
    assert host_for(4, set()) is None


@given(st.one_of(st.none(), st.integers(1, 40)), ids)
def test_the_host_is_always_someone_in_the_circle(planned: int | None, members: frozenset[int]) -> None:
    host = host_for(planned, members)
    assert (host in members) if members else host is None


@given(ids, st.dictionaries(st.integers(1, 40), st.integers(0, 5)), st.integers(0, 30))
def test_hosts_rotate_so_nobody_hosts_twice_more_than_anyone_else(
    members: frozenset[int], hosted: dict[int, int], meetings: int
) -> None:
    hosts = host_rotation(members, hosted, meetings)
    if not members:
        assert hosts == []
        return
    assert len(hosts) == meetings and set(hosts) <= members
    totals = Counter({m: hosted.get(m, 0) for m in members}) + Counter(hosts)
    least = min(hosted.get(m, 0) for m in members)
    # Whoever hosted least so far catches up first; after that hosting stays even.
    if meetings >= sum(max(0, max(hosted.get(m, 0) for m in members) - hosted.get(m, 0)) for m in members):
        assert max(totals[m] for m in members) - min(totals[m] for m in members) <= 1
    assert all(totals[m] >= least for m in members)


def test_a_skip_streak_counts_only_the_latest_skips_in_a_row() -> None:
    assert skip_streak(["skipped", "skipped", "skipped"]) == 3
    assert skip_streak(["skipped", "met", "skipped", "skipped"]) == 2
    assert skip_streak(["skipped", None, "skipped"]) == 1
    assert skip_streak([]) == 0


def test_the_member_is_asked_to_stay_at_three_skips_and_every_three_after() -> None:
    assert [n for n in range(10) if should_ask_to_stay(n)] == [3, 6, 9]


@given(st.lists(st.booleans(), max_size=9))
def test_a_circle_is_kept_exactly_when_most_votes_cast_say_keep(votes: list[bool]) -> None:
    kept = vote_outcome(votes) is CircleState.KEPT
    assert kept == (votes.count(True) > votes.count(False))


def test_no_votes_or_a_tie_ends_the_circle() -> None:
    assert vote_outcome([]) is CircleState.ENDED
    assert vote_outcome([True, False]) is CircleState.ENDED
    assert vote_outcome([True, True, False]) is CircleState.KEPT


def test_a_small_circle_merges_into_the_smallest_circle_of_its_topic_with_room() -> None:
    small = _circle(1, "rust", 1, 2)
    others = [
        _circle(2, "rust", *range(10, 17)),
        _circle(3, "rust", *range(20, 24)),
        _circle(4, "rust", 30, 31, 32),
    ]
    # 2 + 7 > 8: no room in circle 2; circle 4 is the smallest with room.
    assert merge_target(small, others, {}) == others[2]


def test_without_its_topic_a_small_circle_merges_into_the_topic_its_members_listed() -> None:
    small = _circle(1, "rust", 1, 2)
    others = [_circle(2, "go", 10, 11, 12), _circle(3, "python", 20, 21, 22)]
    tags = {1: frozenset({"rust", "python"}), 2: frozenset({"rust"}), 20: frozenset({"python"})}
    assert merge_target(small, others, tags) == others[1]


def test_a_small_circle_sharing_nothing_with_any_circle_has_no_merge_target() -> None:
    small = _circle(1, "rust", 1, 2)
    assert merge_target(small, [_circle(2, "go", 10, 11, 12)], {1: frozenset({"rust"})}) is None


def test_a_merge_skips_circles_with_a_blocked_or_manager_pair() -> None:
    small = _circle(1, "rust", 1, 2)
    others = [_circle(2, "rust", 10, 11, 12), _circle(3, "rust", 20, 21, 22, 23)]
    assert merge_target(small, others, {}, {frozenset((2, 11))}) == others[1]
    assert merge_target(small, others, {}, {frozenset((2, 11)), frozenset((1, 23))}) is None


@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), ids), max_size=6),
    st.frozensets(st.integers(41, 50), min_size=1, max_size=3),
    st.frozensets(st.frozensets(st.integers(1, 50), min_size=2, max_size=2), max_size=10),
)
def test_a_merge_target_always_has_room_and_no_conflict(
    raw: list[tuple[str, frozenset[int]]], small_members: frozenset[int], conflicts: frozenset[frozenset[int]]
) -> None:
    others = [CircleView(i + 2, topic, members) for i, (topic, members) in enumerate(raw)]
    small = CircleView(1, "a", small_members)
    tags = {m: frozenset({"a", "b"}) for m in range(1, 51)}
    target = merge_target(small, others, tags, conflicts)
    if target is not None:
        assert len(target.members | small.members) <= 8 and not target.members & small.members
        assert not any(frozenset((x, y)) in conflicts for x in small.members for y in target.members)


def test_a_newcomer_joins_a_circle_of_their_topic_their_department_is_new_to() -> None:
    circles = [_circle(1, "rust", 1, 2, 3), _circle(2, "rust", 4, 5, 6, 7), _circle(3, "go", 8, 9, 10)]
    departments = {1: "Sales", 2: "Sales", 3: "Legal", 4: "Ops", 5: "Ops", 6: "Ops", 7: "Ops", 99: "Legal"}
    assert circle_for_newcomer(99, {"rust"}, circles, departments) == circles[1]
    assert circle_for_newcomer(99, {"rust"}, circles, {**departments, 99: "Design"}) == circles[0]
    assert circle_for_newcomer(99, {"python"}, circles, departments) is None


def test_a_newcomer_never_joins_a_full_circle_or_one_with_a_conflict() -> None:
    full = _circle(1, "rust", *range(1, 9))
    other = _circle(2, "rust", 20, 21, 22)
    assert circle_for_newcomer(99, {"rust"}, [full], {}) is None
    assert circle_for_newcomer(99, {"rust"}, [full, other], {}, {frozenset((99, 21))}) is None


def test_prompts_rotate_through_the_list_and_name_the_topic_as_code() -> None:
    seen = {prompt_for("k8s", number, 1) for number in range(1, len(PROMPTS) + 1)}
    assert len(seen) == len(PROMPTS) and all("`k8s`" in p for p in seen)
    assert prompt_for("k8s", 1, 1) != prompt_for("k8s", 1, 2)


@given(st.text(max_size=40))
def test_a_topic_shown_as_code_cannot_break_out_of_it_or_mention_anyone(topic: str) -> None:
    shown = code(topic)
    assert shown.count("`") == 2 and "<" not in shown and ">" not in shown


def test_a_waitlisted_newcomer_is_told_how_to_be_placed() -> None:
    assert "`/coffee interests add" in waitlisted_text(())
    assert "`rust`" in waitlisted_text(("rust",)) and "next season" in waitlisted_text(("rust",))
