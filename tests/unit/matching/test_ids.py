"""The vectorised id index agrees with a plain dict lookup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.matching.ids import IdIndex

_IDS = st.text(alphabet=st.sampled_from(["U", "0", "1", "é", "€", "𝔘"]), max_size=6)
_WITH_NUL = st.text(alphabet=st.sampled_from(["U", "0", "\0"]), max_size=4)


@given(st.lists(_IDS, unique=True), st.lists(_IDS))
def test_lookup_matches_a_dict(ids: list[str], keys: list[str]) -> None:
    index = IdIndex(ids)
    expected = {x: i for i, x in enumerate(ids)}
    assert index.lookup(keys).tolist() == [expected.get(k, -1) for k in keys]


@given(st.lists(_WITH_NUL, unique=True), st.lists(_WITH_NUL))
def test_lookup_of_ids_with_nul_characters_matches_a_dict(ids: list[str], keys: list[str]) -> None:
    index = IdIndex(ids)
    expected = {x: i for i, x in enumerate(ids)}
    assert index.lookup(keys).tolist() == [expected.get(k, -1) for k in keys]


def test_lookup_tells_apart_ids_that_differ_only_in_length() -> None:
    index = IdIndex(["U1", "U12", "U123"])
    assert index.lookup(["U12", "U1", "U1234", "U", "", "U123"]).tolist() == [1, 0, -1, -1, -1, 2]


def test_lookup_of_many_ids_uses_the_participants_positions() -> None:
    ids = [f"U{i:07d}" for i in range(0, 20_000, 2)]
    index = IdIndex(ids)
    found = index.lookup([f"U{i:07d}" for i in range(20_000)])
    assert found[::2].tolist() == list(range(10_000))
    assert (found[1::2] == -1).all()


@given(st.lists(_IDS, unique=True), st.lists(_IDS), st.lists(st.integers(0, 50)))
def test_lookup_of_repeated_objects_matches_a_dict(ids: list[str], pool: list[str], picks: list[int]) -> None:
    # the same string objects several times (as past rounds share ids), plus equal but distinct copies
    keys = [pool[i % len(pool)] for i in picks] if pool else []
    keys += [(k + ".")[:-1] for k in keys[:3]]
    index = IdIndex(ids)
    expected = {x: i for i, x in enumerate(ids)}
    assert index.lookup_repeated(keys).tolist() == [expected.get(k, -1) for k in keys]
