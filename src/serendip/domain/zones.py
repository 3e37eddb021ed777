"""Time zones by name: offsets at an instant (so daylight saving is followed), and fixed offsets as zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Offsets that are not whole hours have no Etc/GMT zone; these IANA zones keep them all year.
_FRACTIONAL_ZONES = {
    -570: "Pacific/Marquesas",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
}


def zone(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or None when it is not an IANA zone name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def is_zone_name(value: str) -> bool:
    """Whether ``value`` names an IANA time zone."""
    return zone(value) is not None


def offset_minutes_at(name: str, at: datetime, fallback: int) -> int:
    """Minutes east of UTC in zone ``name`` at instant ``at``; ``fallback`` when the zone is unknown."""
    found = zone(name)
    if found is None:
        return fallback
    delta = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(found).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else fallback


def zone_for_offset(minutes: int) -> str | None:
    """A zone that keeps this fixed offset all year (Etc/GMT±h, or a DST-free zone), if one exists."""
    if minutes % 60 == 0 and -12 * 60 <= minutes <= 14 * 60:
        hours = minutes // 60
        # POSIX-style names: Etc/GMT-2 is two hours *east* of UTC.
        return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    return _FRACTIONAL_ZONES.get(minutes)
