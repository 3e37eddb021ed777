"""Department-pair ties in array form (`PairTies`) mean the same to the matcher as the plain mapping:
the same pair weights and the same round, for any ties, spellings and departments absent now."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.domain.matching import MatchSettings, PairTies, Participant, match_round
from serendip.domain.matching.weights import build_scorer
from serendip.domain.round_check import check_round

# Spellings of the same team, and departments nobody in the round is in.
SPELLINGS = ("eng", "Eng", " ENG ", "sales", "Sales", "legal", "ops", "gone", "")


def _people(n: int) -> list[Participant]:
    return [Participant(f"P{i}", department=("eng", "sales", "legal", "ops")[i % 4]) for i in range(n)]


_ties = st.dictionaries(
    st.tuples(st.sampled_from(SPELLINGS), st.sampled_from(SPELLINGS)), st.integers(-2, 40), max_size=12
)


def test_the_array_form_gives_back_the_same_mapping() -> None:
    ties = {("eng", "sales"): 4, ("Legal", "Ops"): 1, ("design", "research"): 0}
    arrays = PairTies.of(ties)
    assert len(arrays) == 3 and arrays.as_dict() == ties
    assert PairTies.of({}).as_dict() == {} and len(PairTies.of({})) == 0


@settings(max_examples=80, deadline=None)
@given(_ties, st.integers(2, 12))
def test_the_matcher_weighs_department_pairs_the_same_in_either_form(
    ties: dict[tuple[str, str], int], n: int
) -> None:
    people = _people(n)
    plain = MatchSettings(department_pair_ties=ties)
    first = build_scorer(people, [], plain)
    second = build_scorer(people, [], replace(plain, department_pair_ties=PairTies.of(ties)))
    assert first.dp_keys.tolist() == second.dp_keys.tolist()
    assert first.dp_points.tolist() == second.dp_points.tolist()


@settings(max_examples=40, deadline=None)
@given(_ties, st.integers(0, 14), st.integers(0, 2**31 - 1))
def test_a_round_and_its_recount_are_the_same_in_either_form(
    ties: dict[tuple[str, str], int], n: int, seed: int
) -> None:
    people = _people(n)
    plain = MatchSettings(group_size=2 + seed % 3, seed=seed, department_pair_ties=ties)
    arrays = replace(plain, department_pair_ties=PairTies.of(ties))
    first, second = match_round(people, [], plain), match_round(people, [], arrays)
    assert first.groups == second.groups and first.quality == second.quality
    assert check_round(people, [], plain, first.groups) == check_round(people, [], arrays, first.groups)
