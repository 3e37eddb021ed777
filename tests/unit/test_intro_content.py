"""What an intro says about a group."""

from __future__ import annotations

from serendip.domain.intro_content import IntroPerson, build_card, overlap_utc


def _person(
    pid: str, offset: int = 0, expertise: tuple[str, ...] = (), interests: tuple[str, ...] = ()
) -> IntroPerson:
    return IntroPerson(
        pid, pid, "Dept", None, "UTC", offset, (540, 1020), frozenset(expertise), frozenset(interests)
    )


def test_people_in_the_same_zone_overlap_all_day() -> None:
    assert overlap_utc([_person("a"), _person("b")]) == (540, 1020)


def test_berlin_and_new_york_overlap_for_two_hours() -> None:
    assert overlap_utc([_person("a", 60), _person("b", -300)]) == (840, 960)


def test_sydney_and_london_have_no_common_working_hours() -> None:
    assert overlap_utc([_person("a", 660), _person("b", 0)]) is None


def test_card_lists_what_one_can_teach_the_other() -> None:
    card = build_card(1, [_person("a", expertise=("python",)), _person("b", interests=("python",))], seed=3)
    assert card.teaches == (("a", "b", "python"),)
    assert card.shared == ()


def test_card_starter_is_the_same_for_the_same_seed() -> None:
    people = [_person("a"), _person("b")]
    assert build_card(7, people, seed=1).starter == build_card(7, people, seed=1).starter
