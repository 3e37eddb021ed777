"""Values read from Slack payloads, turned into typed values or refused (None); never an exception.

A signed payload is still input: a button's value, a modal's private_metadata or a state value may
be anything a forger puts there (non-ASCII digits, 40-digit numbers, lists where text belongs).
"""

from __future__ import annotations

import json
import re

# Row ids are INTEGER columns: PostgreSQL's are 32-bit, so larger numbers are refused, not sent.
MAX_ROW_ID = 2_147_483_647
MAX_DAYS = 366
OUTCOMES = ("met", "scheduled", "cant_make_it")

_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: str.isdigit() also accepts "²" and "٣"
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{1,30}")
_USER = re.compile(r"[UW][A-Z0-9]{1,30}")
_TEAM = re.compile(r"T[A-Z0-9]{1,30}")
_ENTERPRISE = re.compile(r"E[A-Z0-9]{1,30}")
_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,8}")
_OUTCOME_ACTION = re.compile(r"intro_(met|scheduled|cant_make_it)")


def _number(value: object) -> int | None:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    return int(value)


def row_id(value: object) -> int | None:
    """A database row id (an intro, an ask): ASCII digits, from 1 to the column's largest value."""
    number = _number(value)
    return number if number is not None and 1 <= number <= MAX_ROW_ID else None


def pause_days(value: object) -> int | None:
    """The pause button's value: 0 (until resumed) or a number of days up to a year; else None."""
    number = _number(value)
    return number if number is not None and number <= MAX_DAYS else None


def outcome(action_id: object) -> str | None:
    """The outcome word of an intro button's action id (`intro_met` → `met`), or None."""
    if not isinstance(action_id, str):
        return None
    match = _OUTCOME_ACTION.fullmatch(action_id)
    return match.group(1) if match else None


def channel_id(value: object) -> str | None:
    """A Slack conversation id (C…, G…, D…), or None."""
    return value if isinstance(value, str) and _CHANNEL.fullmatch(value) else None


def user_id(value: object) -> str | None:
    """A Slack user id (U…, W…), or None."""
    return value if isinstance(value, str) and _USER.fullmatch(value) else None


def team_id(value: object) -> str | None:
    """A Slack workspace (team) id (T…), or None."""
    return value if isinstance(value, str) and _TEAM.fullmatch(value) else None


def enterprise_id(value: object) -> str | None:
    """A Slack Enterprise Grid org id (E…), or None."""
    return value if isinstance(value, str) and _ENTERPRISE.fullmatch(value) else None


def message_ts(value: object) -> str | None:
    """A Slack message timestamp (`1700000000.000100`), or None."""
    return value if isinstance(value, str) and _TS.fullmatch(value) else None


def event_time_us(value: object) -> int | None:
    """An event's Slack time (`event_ts`, e.g. `1700000000.000100`) in microseconds, or None."""
    ts = message_ts(value)
    if ts is None:
        return None
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * 1_000_000 + int(fraction.ljust(6, "0")[:6] or "0")


def metadata_channel(private_metadata: object) -> str | None:
    """The `channel_id` of a view's private_metadata JSON object, when it is one and well formed."""
    if not isinstance(private_metadata, str):
        return None
    try:
        data = json.loads(private_metadata)
    except ValueError:
        return None
    return channel_id(data.get("channel_id")) if isinstance(data, dict) else None


def text(value: object, *, limit: int = 3000) -> str:
    """A text value, or "" when it is not text; cut at ``limit`` characters."""
    return value[:limit] if isinstance(value, str) else ""
