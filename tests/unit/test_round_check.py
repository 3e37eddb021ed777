"""The round checker on its boundaries: every hard rule break it must name, and its counts."""

from __future__ import annotations

import pytest

from serendip.domain.matching.model import MatchSettings, Participant, RepeatMode
from serendip.domain.round_check import RoundChecker, check_round, expected_group_sizes, overlap_minutes

PAIRS = MatchSettings(group_size=2, cooldown=8)


def people(*ids: str, department: str | None = None) -> list[Participant]:
    return [Participant(x, department=department) for x in ids]


def test_an_empty_round_is_valid_with_full_coverage_and_no_pairs() -> None:
    check = check_round([], [], PAIRS, [])
    assert check.ok and check.coverage == 1.0
    assert (check.eligible, check.placed, check.pairs, check.cross_team_rate, check.tz_overlap_rate) == (
        0,
        0,
        0,
        0.0,
        0.0,
    )


def test_one_person_is_valid_only_as_the_lone_member() -> None:
    assert check_round(people("a"), [], PAIRS, [], lone="a").ok
    assert check_round(people("a"), [], PAIRS, [], lone="a").coverage == 0.0
    assert check_round(people("a"), [], PAIRS, []).violations == ("a is missing from the round",)
    assert not check_round(people("a"), [], PAIRS, [["a"]]).ok  # a group of one is no group


def test_the_lone_member_cannot_be_set_aside_while_others_meet() -> None:
    check = check_round(people("a", "b", "c"), [], PAIRS, [["a", "b"]], lone="c")
    assert check.violations == ("c is told they are alone although others take part",)


def test_a_history_shorter_than_the_cooldown_counts_every_round() -> None:
    history = [[["a", "b"], ["c", "d"]], [["a", "c"], ["b", "d"]], [["a", "d"], ["b", "c"]]]
    groups = [["a", "b"], ["c", "d"]]
    assert check_round(people("a", "b", "c", "d"), history, MatchSettings(cooldown=5), groups).repeats == 2
    assert check_round(people("a", "b", "c", "d"), history, MatchSettings(cooldown=2), groups).repeats == 0


def test_cooldown_zero_counts_no_repeat() -> None:
    history = [[["a", "b"]]] * 3
    check = check_round(people("a", "b"), history, MatchSettings(cooldown=0), [["a", "b"]])
    assert check.ok and check.repeats == 0


def test_every_pair_of_a_past_group_counts_and_a_repeat_is_counted_once() -> None:
    history = [[["a", "b", "c", "left-the-company"]], [["a", "b"]]]
    check = check_round(people("a", "b", "c"), history, MatchSettings(group_size=3), [["a", "b", "c"]])
    assert check.repeats == 3 and check.pairs == 3 and check.ok


def test_a_pair_with_someone_who_is_not_eligible_still_counts_as_a_repeat() -> None:
    history = [[["a", "gone"], ["b", "c"]]]
    check = check_round(people("a", "b", "c"), history, PAIRS, [["a", "gone"], ["b", "c"]])
    assert check.repeats == 2
    assert "gone is not an eligible member" in check.violations


def test_one_checker_made_before_the_groups_checks_several_groupings_as_fresh_checks_do() -> None:
    crew = [
        Participant("a", department="x", manager_id="d"),
        Participant("b", department="y", blocked=frozenset({"c"})),
        Participant("c", department="x"),
        Participant("d", department="z"),
        Participant("e", department="y"),
    ]
    history = [[["a", "b"], ["c", "d", "e"]], [["a", "c"], ["b", "e"]]]
    settings = MatchSettings(group_size=2, cooldown=1)
    groupings: list[tuple[list[list[str]], list[str], str | None]] = [
        ([["a", "e"], ["b", "d", "c"]], [], None),  # blocked pair
        ([["a", "d"], ["b", "e"]], ["c"], None),  # manager and report, a repeat
        ([["a", "b", "x"], ["c", "d"]], [], None),  # an unknown id, e missing
        ([["a", "e"], ["b", "d"]], ["c", "c"], "c"),  # sitting out twice, and told they are alone
        ([], [], None),
    ]
    checker = RoundChecker(crew, history, settings)
    seen = []
    for groups, sat_out, lone in [*groupings, *reversed(groupings)]:
        again = checker.check(groups, sat_out=sat_out, lone=lone)
        assert again == check_round(crew, history, settings, groups, sat_out=sat_out, lone=lone)
        seen.append(again)
    assert seen[:5] == seen[5:][::-1]
    assert "b and c are blocked or manager and report, yet share a group" in seen[0].violations
    assert (
        seen[1].repeats == 1
        and "a and d are blocked or manager and report, yet share a group" in seen[1].violations
    )
    assert {"x is not an eligible member", "e is missing from the round"} <= set(seen[2].violations)
    assert {"c is placed 3 times", "c is told they are alone although others take part"} <= set(
        seen[3].violations
    )
    assert seen[4].violations == tuple(f"{x} is missing from the round" for x in "abcde")


def test_a_duplicate_placement_is_a_violation() -> None:
    check = check_round(people("a", "b", "c", "d"), [], PAIRS, [["a", "b"], ["c", "a"]], sat_out=["d"])
    assert "a is placed 2 times" in check.violations and not check.ok


def test_someone_placed_and_sitting_out_is_placed_twice() -> None:
    check = check_round(people("a", "b", "c"), [], PAIRS, [["a", "b"]], sat_out=["b", "c"])
    assert check.violations == ("b is placed 2 times",)


def test_a_missing_person_and_an_unknown_id_are_violations() -> None:
    check = check_round(people("a", "b", "c", "d"), [], PAIRS, [["a", "b"], ["c", "x"]])
    assert "d is missing from the round" in check.violations
    assert "x is not an eligible member" in check.violations
    assert check.placed == 3 and check.coverage == 0.75


def test_sitting_out_is_allowed_and_lowers_coverage() -> None:
    check = check_round(people("a", "b", "c"), [], PAIRS, [["a", "b"]], sat_out=["c"])
    assert check.ok and check.coverage == 0.666667


def test_group_sizes_must_follow_the_formula() -> None:
    everyone = people(*"abcdef")
    wrong = check_round(everyone, [], PAIRS, [["a", "b", "c", "d"], ["e", "f"]])
    assert wrong.violations == ("group sizes 2, 4 should be 2, 2, 2 for 6 people",)
    assert check_round(everyone, [], PAIRS, [["a", "b"], ["c", "d"], ["e", "f"]]).ok
    assert check_round(people(*"abcde"), [], PAIRS, [["a", "b", "c"], ["d", "e"]]).ok  # one trio


@pytest.mark.parametrize(
    ("n", "size", "sizes"),
    [
        (0, 2, []),
        (1, 4, []),
        (3, 4, [3]),
        (5, 2, [3, 2]),
        (17, 6, [6, 6, 5]),
        (9, 6, [5, 4]),
        (40, 6, [7, 7, 7, 7, 6, 6]),
        (23, 6, [8, 8, 7]),
        (100, 2, [2] * 50),
        (50, 6, [7, 7, 6, 6, 6, 6, 6, 6]),
    ],
)
def test_the_size_formula_matches_product_md(n: int, size: int, sizes: list[int]) -> None:
    got = expected_group_sizes(n, size)
    assert sorted(got) == sorted(sizes) and sum(got) == (n if n > 1 else 0)
    assert max(got, default=2) <= 8


def test_a_blocked_pair_in_one_group_is_a_violation_whichever_side_blocked() -> None:
    a, b = Participant("a"), Participant("b", blocked=frozenset({"a"}))
    check = check_round([a, b], [], PAIRS, [["a", "b"]])
    assert check.violations == ("a and b are blocked or manager and report, yet share a group",)
    assert check.forbidden_pairs == 1


def test_a_manager_and_their_report_in_one_group_is_a_violation() -> None:
    team = [Participant("boss"), Participant("ann", manager_id="boss"), Participant("cy"), Participant("di")]
    check = check_round(team, [], PAIRS, [["ann", "boss"], ["cy", "di"]])
    assert not check.ok and check.forbidden_pairs == 1
    assert check_round(team, [], PAIRS, [["ann", "cy"], ["boss", "di"]]).ok


def test_many_violations_are_capped_with_a_count_of_the_rest() -> None:
    check = check_round(people(*[f"p{i}" for i in range(30)]), [], PAIRS, [])
    assert len(check.violations) == 11 and check.violations[-1] == "and 20 more"


def test_departments_are_compared_by_key_whatever_the_mode() -> None:
    team = [
        Participant("a", department="Sales"),
        Participant("b", department=" sales "),
        Participant("c", department="Eng"),
        Participant("d"),
    ]
    check = check_round(team, [], MatchSettings(mode=RepeatMode.OFF), [["a", "b"], ["c", "d"]])
    assert (check.cross_team_pairs, check.pairs, check.cross_team_rate) == (0, 2, 0.0)
    mixed = check_round(team, [], PAIRS, [["a", "c"], ["b", "d"]])
    assert (mixed.cross_team_pairs, mixed.cross_team_rate) == (1, 0.5)
    assert mixed.cross_team_bound == 1.0  # one Sales person per group: no same-team pair


def test_the_bound_spreads_each_department_over_the_groups() -> None:
    team = [Participant(f"s{i}", department="Sales") for i in range(6)] + [
        Participant("e", department="Eng"),
        Participant("f", department="Eng"),
    ]
    groups = [["s0", "s1"], ["s2", "s3"], ["s4", "s5"], ["e", "f"]]
    check = check_round(team, [], PAIRS, groups)
    assert check.cross_team_rate == 0.0 and check.cross_team_bound == 0.5  # 2 of 4 pairs Sales-Sales at best


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (((540, 1020), 0), ((540, 1020), 0), 480),
        (((540, 1020), 0), ((540, 1020), 60), 420),  # an hour east: starts an hour earlier in UTC
        (((540, 1020), 0), ((540, 1020), 540), 0),
        (((0, 0), 0), ((540, 1020), 330), 480),  # all day
        (((1320, 360), 0), ((300, 600), 0), 60),  # over midnight: 22:00-06:00 meets 05:00-10:00
        (((1320, 360), 0), ((1380, 120), -60), 180),  # both wrap: 22-06 and 00-03 UTC
        (((540, 615), 0), ((555, 1020), 0), 60),  # exact minutes, off the half hour
        (((540, 600), 345), ((540, 600), 300), 15),
    ],
)
def test_working_hours_overlap_is_counted_in_exact_minutes(
    a: tuple[tuple[int, int], int], b: tuple[tuple[int, int], int], minutes: int
) -> None:
    pa = Participant("a", working_hours=a[0], utc_offset_minutes=a[1])
    pb = Participant("b", working_hours=b[0], utc_offset_minutes=b[1])
    assert overlap_minutes(pa, pb) == overlap_minutes(pb, pa) == minutes


def test_the_overlap_rate_is_the_share_of_pairs_with_an_hour_in_common() -> None:
    team = [
        Participant("a"),
        Participant("b"),
        Participant("c", utc_offset_minutes=540),
        Participant("d", utc_offset_minutes=480),
    ]
    check = check_round(team, [], PAIRS, [["a", "b"], ["c", "d"]])
    assert check.tz_overlap_rate == 1.0
    assert check_round(team, [], PAIRS, [["a", "c"], ["b", "d"]]).tz_overlap_rate == 0.0


def test_figures_hold_every_number_and_nothing_else() -> None:
    team = [Participant("a", department="Sales"), Participant("b", department="Eng")]
    check = check_round(team, [], PAIRS, [["a", "b"]])
    assert check.figures() == {
        "eligible": 2,
        "placed": 2,
        "coverage": 1.0,
        "repeats": 0,
        "forbidden_pairs": 0,
        "pairs": 1,
        "cross_team_pairs": 1,
        "cross_team_rate": 1.0,
        "cross_team_bound": 1.0,
        "tz_overlap_rate": 1.0,
    }
