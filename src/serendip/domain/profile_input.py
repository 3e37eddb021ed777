"""Checking what someone entered in the profile form: tags, never-pair list and working hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from serendip.domain.tags import MAX_TAG_LENGTH, MAX_TAGS_PER_KIND, normalise_tag

DEFAULT_HOURS = (9 * 60, 17 * 60)
MAX_BLOCKED = 50
MAX_DEPARTMENT = 80
MIN_WORKDAY_MINUTES = 60


@dataclass(frozen=True)
class ProfileInput:
    """A checked profile submission; ``department`` None means the field was not offered."""

    department: str | None
    expertise: tuple[str, ...]
    interests: tuple[str, ...]
    blocked: tuple[str, ...]
    work_start: int
    work_end: int
    may_be_asked: bool


@dataclass(frozen=True)
class RawProfile:
    """What the form held, before checking (hours as "HH:MM" or None)."""

    department: str | None
    expertise: Sequence[str]
    interests: Sequence[str]
    blocked: Sequence[str]
    work_start: str | None
    work_end: str | None
    may_be_asked: bool


def check_tags(values: Sequence[str], label: str) -> tuple[tuple[str, ...], str | None]:
    """Normalised, distinct tags in order, or a friendly problem with them."""
    tags: dict[str, None] = {}
    for value in values:
        tag = normalise_tag(value)
        if tag is None:
            shown = value.strip()[:MAX_TAG_LENGTH] + ("…" if len(value.strip()) > MAX_TAG_LENGTH else "")
            if not shown:
                continue
            return (), f"“{shown}” is too long: a tag has at most {MAX_TAG_LENGTH} characters."
        tags.setdefault(tag, None)
    if len(tags) > MAX_TAGS_PER_KIND:
        extra = len(tags) - MAX_TAGS_PER_KIND
        return (), (
            f"At most {MAX_TAGS_PER_KIND} {label} tags, please: you picked {len(tags)}, so remove {extra}."
        )
    return tuple(tags), None


def parse_clock(text: str | None) -> int | None:
    """Minutes from midnight of "HH:MM", or None when empty or malformed."""
    if not text:
        return None
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if 0 <= int(hours) < 24 and 0 <= int(minutes) < 60 else None


def check_profile(raw: RawProfile, *, self_id: str) -> ProfileInput | dict[str, str]:
    """The checked input, or field name → what is wrong with it."""
    errors: dict[str, str] = {}
    expertise, problem = check_tags(raw.expertise, "expertise")
    if problem:
        errors["expertise"] = problem
    interests, problem = check_tags(raw.interests, "interest")
    if problem:
        errors["interests"] = problem
    blocked = tuple(dict.fromkeys(u for u in raw.blocked if u))
    if self_id in blocked:
        errors["blocked"] = "You can't block yourself: remove your own name from this list."
    elif len(blocked) > MAX_BLOCKED:
        errors["blocked"] = f"At most {MAX_BLOCKED} people here, please."
    department = raw.department.strip() if raw.department is not None else None
    if department is not None and len(department) > MAX_DEPARTMENT:
        errors["department"] = f"Keep it under {MAX_DEPARTMENT} characters."
    start, end = _hours(raw, errors)
    if errors:
        return errors
    return ProfileInput(department, expertise, interests, blocked, start, end, raw.may_be_asked)


def _hours(raw: RawProfile, errors: dict[str, str]) -> tuple[int, int]:
    """Working hours in local minutes; either end left empty keeps its default."""
    start = parse_clock(raw.work_start)
    end = parse_clock(raw.work_end)
    if raw.work_start and start is None:
        errors["work_start"] = "Use a time like 09:00."
    if raw.work_end and end is None:
        errors["work_end"] = "Use a time like 17:30."
    start = DEFAULT_HOURS[0] if start is None else start
    end = DEFAULT_HOURS[1] if end is None else end
    if "work_start" not in errors and "work_end" not in errors and end - start < MIN_WORKDAY_MINUTES:
        errors["work_end"] = "Your day should end at least an hour after it starts (on the same day)."
    return start, end


def clock(minutes: int) -> str:
    """ "HH:MM" of minutes from midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
