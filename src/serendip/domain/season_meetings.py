"""A season's meeting schedule: one meeting per period of the program's schedule, hosts in turn."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from serendip.domain.schedule import HALF_PERIOD, Frequency, next_run_after

T = TypeVar("T")


# How long each cadence's period is: a season of `weeks` has ceil(its length / period) meetings.
PERIOD = {
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.BIWEEKLY: timedelta(days=14),
    Frequency.MONTHLY: timedelta(days=365.25 / 12),
}


def meeting_times(
    start: datetime,
    ends_at: datetime,
    *,
    frequency: Frequency,
    weekday: int,
    local_time: time,
    timezone: str,
    anchor: date,
) -> list[datetime]:
    """When each meeting of a season falls: one per period, the first at the season's start, the
    next at the program's first scheduled slot at least half a period later, then every slot after
    it, all before the season ends. A weekly season of N weeks has N meetings whatever time it
    started; a biweekly or monthly one about as many as it has periods."""
    count = math.ceil((ends_at - start) / PERIOD[frequency])
    times = [start] if count > 0 else []
    due = start + HALF_PERIOD[frequency]  # an off-schedule start (`admin run`) settles onto the schedule
    for _ in range(1, count):
        due = next_run_after(
            after=due,
            frequency=frequency,
            weekday=weekday,
            local_time=local_time,
            timezone=timezone,
            anchor=anchor,
        )
        if due >= ends_at:
            break
        times.append(due)
    return times


def host_order(members: Sequence[T], key: str) -> list[T]:
    """The order in which a circle's members host: a fixed shuffle, the same for the same key."""
    order = list(members)
    random.Random(key).shuffle(order)
    return order


def hosts(order: Sequence[T], meetings: int) -> list[T]:
    """The host of each meeting: everyone in turn, from the first of `order`."""
    return [order[number % len(order)] for number in range(meetings)] if order else []
