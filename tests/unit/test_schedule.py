"""The next run time of a program, in its own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.schedule import Frequency, next_run_after

BERLIN = "Europe/Berlin"


def _next(
    after: datetime,
    frequency: Frequency = Frequency.WEEKLY,
    weekday: int = 0,
    at: time = time(10, 0),
    zone: str = BERLIN,
    anchor: date = date(2026, 1, 5),
) -> datetime:
    return next_run_after(
        after=after, frequency=frequency, weekday=weekday, local_time=at, timezone=zone, anchor=anchor
    )


def test_weekly_runs_on_the_next_monday_at_ten_local() -> None:
    result = _next(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # Monday, after 10:00 Berlin
    assert result == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_weekly_runs_today_when_the_time_has_not_passed() -> None:
    result = _next(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    assert result == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_local_time_is_kept_across_the_dst_change() -> None:
    before = _next(datetime(2026, 3, 20, tzinfo=UTC))  # Monday 23 March, CET
    after = _next(before)  # Monday 30 March, CEST
    assert (before.hour, after.hour) == (9, 8)


def test_biweekly_counts_every_second_week_from_the_anchor() -> None:
    anchor = date(2026, 11, 2)
    first = _next(datetime(2026, 11, 3, tzinfo=UTC), Frequency.BIWEEKLY, anchor=anchor)
    assert first.date() == date(2026, 11, 16)
    assert _next(first, Frequency.BIWEEKLY, anchor=anchor).date() == date(2026, 11, 30)


def test_monthly_runs_on_the_first_such_weekday_of_the_month() -> None:
    result = _next(datetime(2026, 11, 5, tzinfo=UTC), Frequency.MONTHLY, weekday=2)
    assert result.date() == date(2026, 12, 2)


@given(
    after=st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1), timezones=st.just(UTC)),
    frequency=st.sampled_from(list(Frequency)),
    weekday=st.integers(0, 6),
    zone=st.sampled_from(["UTC", BERLIN, "America/New_York", "Asia/Kolkata", "Australia/Sydney"]),
)
def test_next_run_is_later_on_the_right_weekday_and_within_a_period(
    after: datetime, frequency: Frequency, weekday: int, zone: str
) -> None:
    from zoneinfo import ZoneInfo

    result = _next(after, frequency, weekday, zone=zone)
    assert result > after
    assert result.astimezone(ZoneInfo(zone)).weekday() == weekday
    assert result - after <= timedelta(days=36)
