"""Values read from signed payloads become typed values or None, whatever a forger sends."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain import payload_values as pv

ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@given(ANYTHING)
def test_no_reader_raises_on_any_json_value(value: object) -> None:
    readers = (
        pv.row_id,
        pv.pause_days,
        pv.outcome,
        pv.channel_id,
        pv.user_id,
        pv.message_ts,
        pv.event_time_us,
    )
    for read in (*readers, pv.team_id, pv.enterprise_id):
        read(value)
    pv.metadata_channel(value)
    pv.text(value)


def test_a_row_id_is_ascii_digits_within_the_columns_range() -> None:
    assert pv.row_id("42") == 42
    assert [pv.row_id(v) for v in ["²", "٣", "1" * 40, "0", "-1", " 7", "2147483648", 7, None]] == [None] * 9


def test_private_metadata_must_be_an_object_naming_a_channel() -> None:
    assert pv.metadata_channel('{"channel_id": "C0123ABC"}') == "C0123ABC"
    assert [pv.metadata_channel(v) for v in ["[1]", "1", "null", "{bad", '{"channel_id": ["C1"]}']] == [
        None
    ] * 5


def test_pause_days_are_zero_for_until_resumed_or_up_to_a_year() -> None:
    assert (pv.pause_days("0"), pv.pause_days("14"), pv.pause_days("367"), pv.pause_days("1" * 40)) == (
        0,
        14,
        None,
        None,
    )


def test_only_the_three_outcome_buttons_name_an_outcome() -> None:
    assert [pv.outcome(a) for a in ["intro_met", "intro_cant_make_it", "intro_metx", "met", 1]] == [
        "met",
        "cant_make_it",
        None,
        None,
        None,
    ]


def test_team_and_enterprise_ids_are_told_apart_and_anything_else_refused() -> None:
    assert (pv.team_id("T0123ABC"), pv.enterprise_id("E0123ABC")) == ("T0123ABC", "E0123ABC")
    refused = ["E0123ABC", "t0123", "T", "T01 23", "T0123\n", ["T0123"], None, 7]
    assert [pv.team_id(v) for v in refused] == [None] * len(refused)
    assert pv.enterprise_id("T0123ABC") is None


def test_an_event_time_is_read_in_microseconds_and_anything_else_refused() -> None:
    assert pv.event_time_us("1700000000.000100") == 1_700_000_000_000_100
    assert pv.event_time_us("1700000000.5") == 1_700_000_000_500_000
    assert pv.event_time_us("1700000000.12345678") == 1_700_000_000_123_456  # beyond microseconds: cut
    refused = [
        "1700000000",
        "1700000000.",
        ".5",
        "1e9.1",
        "١٧.٠",
        " 1.1",
        "1" * 13 + ".1",
        1700000000.1,
        None,
    ]
    assert [pv.event_time_us(v) for v in refused] == [None] * len(refused)


@given(
    st.integers(0, 10**12 - 1),
    st.integers(0, 10**6 - 1),
    st.integers(0, 10**12 - 1),
    st.integers(0, 10**6 - 1),
)
def test_event_times_order_as_slack_s_timestamps_do(s1: int, f1: int, s2: int, f2: int) -> None:
    a, b = pv.event_time_us(f"{s1}.{f1:06d}"), pv.event_time_us(f"{s2}.{f2:06d}")
    assert a is not None and b is not None
    assert (a < b) == ((s1, f1) < (s2, f2)) and (a == b) == ((s1, f1) == (s2, f2))
