"""`chunks` cuts a value list into slices of at most CHUNK, in order, and none for no values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serendip.adapters.db.value_lists import CHUNK, chunks


def test_no_values_make_no_slice() -> None:
    assert chunks([]) == []


def test_one_value_makes_one_slice() -> None:
    assert chunks([7]) == [[7]]


def test_a_full_chunk_is_one_slice_and_one_more_value_starts_a_second() -> None:
    full = list(range(CHUNK))
    assert chunks(full) == [full]
    assert [len(part) for part in chunks([*full, CHUNK])] == [CHUNK, 1]


@given(st.integers(min_value=0, max_value=3 * CHUNK + 1))
def test_the_slices_hold_every_value_once_in_order_and_none_is_empty_or_over_chunk(size: int) -> None:
    values = list(range(size))
    parts = chunks(values)
    assert [value for part in parts for value in part] == values
    assert all(0 < len(part) <= CHUNK for part in parts)
    assert len(parts) == -(-size // CHUNK)
