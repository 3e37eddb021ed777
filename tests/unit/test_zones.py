"""Time zones by name: offsets that follow daylight saving, and fixed offsets as zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from serendip.adapters.db.models import Member
from serendip.domain.zones import is_zone_name, offset_minutes_at, zone_for_offset
from serendip.services.members import set_hr_timezone, utc_offset_at

JANUARY = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
JULY = datetime(2027, 7, 12, 9, 0, tzinfo=UTC)


def test_an_offset_follows_daylight_saving_of_the_zone() -> None:
    assert offset_minutes_at("Europe/Berlin", JANUARY, 0) == 60
    assert offset_minutes_at("Europe/Berlin", JULY, 0) == 120
    assert offset_minutes_at("America/New_York", JULY, 0) == -240


def test_an_unknown_zone_falls_back_to_the_stored_offset() -> None:
    assert offset_minutes_at("Mars/Olympus", JULY, 330) == 330


@pytest.mark.parametrize(
    ("minutes", "zone"),
    [(0, "Etc/UTC"), (120, "Etc/GMT-2"), (-300, "Etc/GMT+5"), (330, "Asia/Kolkata"), (345, "Asia/Kathmandu")],
)
def test_a_fixed_offset_becomes_a_zone_that_keeps_it_all_year(minutes: int, zone: str) -> None:
    assert zone_for_offset(minutes) == zone
    assert offset_minutes_at(zone, JANUARY, 0) == offset_minutes_at(zone, JULY, 0) == minutes


def test_an_offset_no_zone_keeps_has_none() -> None:
    assert zone_for_offset(17) is None
    assert not is_zone_name("+05:30")


def test_an_hr_zone_is_stored_with_its_source_and_gives_the_offset_at_a_time() -> None:
    member = Member(tz="America/New_York", tz_offset_minutes=-300, tz_source="slack")
    assert set_hr_timezone(member, "Europe/Berlin", 60)
    assert (member.tz, member.tz_source) == ("Europe/Berlin", "hr")
    assert (utc_offset_at(member, JANUARY), utc_offset_at(member, JULY)) == (60, 120)


def test_an_hr_fixed_offset_is_stored_as_a_zone_keeping_it() -> None:
    member = Member(tz="Europe/London", tz_offset_minutes=0, tz_source="slack")
    assert set_hr_timezone(member, "+05:30", 330)
    assert (member.tz, member.tz_source, utc_offset_at(member, JULY)) == ("Asia/Kolkata", "hr", 330)
