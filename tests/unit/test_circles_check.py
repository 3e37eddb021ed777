"""The circles checker on hand-made circles: every hard-rule break it must name, and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from serendip.domain.circles import check_circles
from serendip.domain.circles.model import Circle, CircleSettings, Participant

FIVE = CircleSettings(size=5)  # circles of 4..6


def person(pid: str, *, topics: str = "chess", manager: str | None = None, blocked: str = "") -> Participant:
    return Participant(
        pid,
        interests=frozenset(topics.split()),
        manager_id=manager,
        blocked=frozenset(blocked.split()),
    )


def team(*ids: str) -> list[Participant]:
    return [person(pid) for pid in ids]


def test_valid_circles_have_no_violation() -> None:
    people = team("a", "b", "c", "d", "e", "f", "g", "h")
    circles = [Circle("chess", ("a", "b", "c", "d")), Circle("chess", ("e", "f", "g", "h"))]
    assert check_circles(people, FIVE, circles) == []


def test_no_circles_at_all_is_valid() -> None:
    assert check_circles(team("a", "b"), FIVE, []) == []
    assert check_circles([], FIVE, []) == []


def test_a_member_who_did_not_list_the_topic_is_named() -> None:
    people = [*team("a", "b", "c"), person("d", topics="go")]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == [
        "circle 1 (chess) has d, who did not list 'chess'"
    ]


def test_expertise_counts_as_listing_the_topic() -> None:
    people = [*team("a", "b", "c"), Participant("d", expertise=frozenset({"chess"}))]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == []


def test_a_topic_is_matched_exactly_as_written() -> None:
    people = [*team("a", "b", "c"), person("d", topics="Chess")]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == [
        "circle 1 (chess) has d, who did not list 'chess'"
    ]


@pytest.mark.parametrize("who", ["a", "d"])
def test_a_blocked_pair_is_named_whichever_of_them_blocked(who: str) -> None:
    other = "d" if who == "a" else "a"
    people = [person(x, blocked=other if x == who else "") for x in "abcd"]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == [
        f"circle 1 (chess) has {who} and {other}, whom {who} blocked"
    ]


def test_blocking_someone_in_another_circle_is_fine() -> None:
    people = [person("a", blocked="e"), *team("b", "c", "d", "e", "f", "g", "h")]
    circles = [Circle("chess", ("a", "b", "c", "d")), Circle("chess", ("e", "f", "g", "h"))]
    assert check_circles(people, FIVE, circles) == []


def test_a_manager_and_their_report_in_one_circle_are_named() -> None:
    people = [person("a"), person("b", manager="a"), *team("c", "d")]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == [
        "circle 1 (chess) has b and their manager a"
    ]


def test_a_manager_outside_the_season_or_oneself_is_no_pair() -> None:
    people = [person("a", manager="boss"), person("b", manager="b"), *team("c", "d")]
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "d"))]) == []


def test_someone_in_two_circles_is_named() -> None:
    people = team("a", "b", "c", "d", "e", "f", "g")
    circles = [Circle("chess", ("a", "b", "c", "d")), Circle("chess", ("d", "e", "f", "g"))]
    assert check_circles(people, FIVE, circles) == ["d is in 2 circles"]


def test_someone_listed_twice_in_one_circle_is_named() -> None:
    people = team("a", "b", "c")
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "c"))]) == [
        "circle 1 (chess) lists c 2 times"
    ]


def test_a_member_who_is_not_in_the_season_is_named() -> None:
    people = team("a", "b", "c")
    assert check_circles(people, FIVE, [Circle("chess", ("a", "b", "c", "z"))]) == [
        "circle 1 (chess) has z, who is not in this season"
    ]


@pytest.mark.parametrize(
    ("size", "members", "bounds"),
    [(5, 3, "4..6"), (5, 7, "4..6"), (3, 5, "3..4"), (3, 2, "3..4"), (8, 6, "7..8"), (8, 9, "7..8")],
)
def test_a_circle_outside_the_size_bounds_is_named(size: int, members: int, bounds: str) -> None:
    ids = [f"p{k}" for k in range(members)]
    problems = check_circles(team(*ids), CircleSettings(size=size), [Circle("chess", tuple(ids))])
    assert problems == [f"circle 1 (chess) has {members} members, outside {bounds}"]


@pytest.mark.parametrize(("size", "members"), [(3, 3), (3, 4), (4, 3), (4, 5), (8, 7), (8, 8)])
def test_circles_at_the_size_bounds_are_valid(size: int, members: int) -> None:
    ids = [f"p{k}" for k in range(members)]
    assert check_circles(team(*ids), CircleSettings(size=size), [Circle("chess", tuple(ids))]) == []


def test_duplicate_people_are_named() -> None:
    people = [*team("a", "b", "c", "d"), person("a")]
    assert check_circles(people, FIVE, []) == ["a is listed 2 times among the people"]


def test_every_break_in_several_circles_is_listed() -> None:
    people = [
        person("a", blocked="b"),
        person("b"),
        person("c", manager="d"),
        person("d"),
        person("e", topics="go"),
    ]
    circles = [Circle("chess", ("a", "b", "c", "d", "e")), Circle("chess", ("a", "c", "d"))]
    assert check_circles(people, FIVE, circles) == [
        "circle 1 (chess) has a and b, whom a blocked",
        "circle 1 (chess) has c and their manager d",
        "circle 1 (chess) has e, who did not list 'chess'",
        "circle 2 (chess) has 3 members, outside 4..6",
        "circle 2 (chess) has c and their manager d",
        "a is in 2 circles",
        "c is in 2 circles",
        "d is in 2 circles",
    ]


def test_the_checker_imports_nothing_of_the_engine() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "serendip" / "domain" / "circles" / "check.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.startswith("serendip")}
    assert ours == {"serendip.domain.circles.model"}
