"""Rule 3 (working hours, inclusion, rare department pairs, tags, jitter) and the quality report."""

from __future__ import annotations

from serendip.domain.matching import MatchSettings, Participant, match_round
from serendip.domain.matching.quality import cross_team_bound


def pairs(groups: list[list[str]]) -> list[list[str]]:
    return sorted(sorted(g) for g in groups)


def test_pairs_prefer_overlapping_working_hours() -> None:
    people = [
        Participant("a0", "A", 0),
        Participant("a9", "A", 540),
        Participant("b0", "B", 0),
        Participant("b9", "B", 540),
    ]
    for seed in range(5):
        result = match_round(people, [], MatchSettings(seed=seed))
        assert pairs(result.groups) == [["a0", "b0"], ["a9", "b9"]]
        assert result.quality.tz_overlap_rate == 1.0


def test_scarce_cross_team_partners_go_to_people_with_the_fewest_ties() -> None:
    big = [Participant(f"a{i}", "A", cross_team_ties=t) for i, t in enumerate([7, 0, 7, 7, 0, 7])]
    people = [*big, Participant("b1", "B"), Participant("b2", "B")]
    for seed in range(5):
        result = match_round(people, [], MatchSettings(seed=seed))
        with_b = {
            x for g in result.groups if any(y.startswith("b") for y in g) for x in g if x.startswith("a")
        }
        assert with_b == {"a1", "a4"}


def test_department_pairs_with_fewer_ties_are_preferred() -> None:
    people = [Participant(x, x.upper()) for x in "abcd"]
    ties = {("A", "B"): 40, ("C", "D"): 40}
    for seed in range(5):
        result = match_round(people, [], MatchSettings(seed=seed, department_pair_ties=ties))
        assert ["a", "b"] not in pairs(result.groups)


def test_shared_interests_and_expertise_bring_people_together() -> None:
    people = [
        Participant("a1", "A", interests=frozenset({"chess"})),
        Participant("a2", "A", expertise=frozenset({"sql"})),
        Participant("b1", "B", expertise=frozenset({"chess"})),
        Participant("b2", "B", interests=frozenset({"sql"})),
    ]
    for seed in range(5):
        result = match_round(people, [], MatchSettings(seed=seed))
        assert pairs(result.groups) == [["a1", "b1"], ["a2", "b2"]]
        assert result.quality.shared_tag_rate == 1.0


def test_the_seed_varies_otherwise_equal_rounds_and_is_reported() -> None:
    people = [Participant(f"p{i}", f"D{i % 4}") for i in range(40)]
    results = [match_round(people, [], MatchSettings(seed=s)) for s in range(4)]
    assert len({str(pairs(r.groups)) for r in results}) > 1
    assert [r.seed for r in results] == [0, 1, 2, 3]
    assert all(r.quality.cross_team_rate == 1.0 for r in results)


def test_cross_team_bound_is_min_of_half_and_n_minus_largest_department() -> None:
    assert cross_team_bound(["A"] * 7 + ["B"] * 3, groups=5, pairs=5) == 3 / 5
    assert cross_team_bound(["A"] * 5 + ["B"] * 5, groups=5, pairs=5) == 1.0
    assert cross_team_bound(["A"] * 8, groups=2, pairs=12) == 0.0


def test_quality_json_has_exactly_the_documented_keys() -> None:
    result = match_round([Participant("a", "A"), Participant("b", "B")], [], MatchSettings())
    assert list(result.quality.to_dict()) == [
        "coverage",
        "repeats",
        "avoidable_repeats",
        "cross_team_rate",
        "cross_team_bound",
        "tz_overlap_rate",
        "shared_tag_rate",
    ]
    assert result.quality.to_dict()["cross_team_rate"] == 1.0
