"""A channel event orders the member's joins and leaves by its `event_ts`, unless that time is
malformed or far ahead of this machine's clock (it would freeze their standing)."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.listeners.events import FUTURE_SKEW_US, event_time_us

NOW_US = 1_764_633_600_000_000


def test_a_well_formed_time_up_to_the_allowed_skew_orders_the_event() -> None:
    assert event_time_us({"event_ts": "1764633600.000001"}, NOW_US) == NOW_US + 1
    limit = NOW_US + FUTURE_SKEW_US
    assert event_time_us({"event_ts": f"{limit // 10**6}.{limit % 10**6:06d}"}, NOW_US) == limit


def test_a_time_beyond_the_skew_or_malformed_or_missing_orders_nothing() -> None:
    beyond = NOW_US + FUTURE_SKEW_US + 1
    events: list[dict[str, Any]] = [
        {"event_ts": f"{beyond // 10**6}.{beyond % 10**6:06d}"},
        {"event_ts": "999999999999.999999"},
        {"event_ts": "soon"},
        {"event_ts": 1764633600.5},
        {},
    ]
    assert [event_time_us(event, NOW_US) for event in events] == [None] * len(events)


def test_the_clock_is_this_machines_when_none_is_given() -> None:
    assert event_time_us({"event_ts": "1764633600.000001"}) == NOW_US + 1  # a time in the past
    assert event_time_us({"event_ts": "999999999999.999999"}) is None
