"""When a program's next round runs: cadence, weekday and local time in its zone, DST-correct."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Frequency(StrEnum):
    """How often a program runs a round."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_local_time(value: str) -> time:
    """Read a 24h ``HH:MM`` string."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A local time skipped by a DST jump resolves forward (fold=0 then normalise through UTC).
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone)


def _first_weekday_of_month(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _candidate_days(frequency: Frequency, weekday: int, anchor: date, start: date) -> list[date]:
    if frequency is Frequency.MONTHLY:
        year, month = start.year, start.month
        days = []
        for _ in range(3):
            days.append(_first_weekday_of_month(year, month, weekday))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return days
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    if frequency is Frequency.BIWEEKLY:
        anchor_week = anchor - timedelta(days=anchor.weekday())
        weeks = ((first - timedelta(days=first.weekday())) - anchor_week).days // 7
        if weeks % 2:
            first += timedelta(days=7)
        return [first, first + timedelta(days=14)]
    return [first, first + timedelta(days=7)]


def next_run_after(
    *, after: datetime, frequency: Frequency, weekday: int, local_time: time, timezone: str, anchor: date
) -> datetime:
    """The first scheduled instant strictly after ``after`` (aware UTC in, aware UTC out)."""
    zone = ZoneInfo(timezone)
    local_after = after.astimezone(zone)
    for day in _candidate_days(frequency, weekday, anchor, local_after.date()):
        instant = _local_instant(day, local_time, zone)
        if instant > local_after:
            return instant.astimezone(UTC)
    raise AssertionError("no candidate day found")  # pragma: no cover - candidates span > 1 period


# Half of each cadence's period: `admin run` replaces the next scheduled round when that one is
# due within this, rather than adding a round (a month is taken as about 30 days).
HALF_PERIOD = {
    Frequency.WEEKLY: timedelta(days=3.5),
    Frequency.BIWEEKLY: timedelta(days=7),
    Frequency.MONTHLY: timedelta(days=15),
}


def replaces_next_round(*, now: datetime, next_run_at: datetime | None, frequency: Frequency) -> bool:
    """Whether a round started now stands in for the next scheduled one (due within half a period)."""
    return next_run_at is not None and next_run_at - now <= HALF_PERIOD[frequency]
