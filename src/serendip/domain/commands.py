"""The typed `/coffee` commands that `command_parser.parse_command` produces."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from difflib import get_close_matches
from enum import IntEnum, StrEnum
from functools import cache
from typing import Literal
from zoneinfo import available_timezones

from serendip.domain.matching.model import RepeatMode
from serendip.domain.program_kinds import ProgramKind
from serendip.domain.schedule import Frequency

Action = Literal["add", "remove"]


class Weekday(IntEnum):
    """Day of the week, numbered like `datetime.date.weekday()` (Monday is 0)."""

    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


class AdminSetting(StrEnum):
    """The program settings `/coffee admin set` can change."""

    FREQUENCY = "frequency"
    DAY = "day"
    TIME = "time"
    TIMEZONE = "timezone"
    SIZE = "size"
    MODE = "mode"
    COOLDOWN = "cooldown"
    FOLLOWUP = "followup"
    WELCOME = "welcome"
    KIND = "kind"
    SEASON = "season"


# Per setting: FREQUENCY Frequency, DAY Weekday, TIME datetime.time, TIMEZONE str (IANA name),
# SIZE int 2..8 (the program's kind narrows it), MODE RepeatMode, COOLDOWN int 0..52, FOLLOWUP
# bool, WELCOME str, KIND ProgramKind, SEASON int weeks 6..26.
SettingValue = Frequency | Weekday | dt.time | RepeatMode | ProgramKind | bool | int | str


@dataclass(frozen=True, slots=True)
class UsageError:
    """Bad input: what was wrong, and the usage line(s) that would have worked (Slack mrkdwn)."""

    message: str
    usage: str


@dataclass(frozen=True, slots=True)
class Status:
    """`/coffee`: your status, next round, and help."""


@dataclass(frozen=True, slots=True)
class Help:
    """`/coffee help [command]`: the whole grammar, or one command's usage."""

    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Join:
    """`/coffee join`: opt in to this channel's program."""


@dataclass(frozen=True, slots=True)
class Leave:
    """`/coffee leave`: opt out of this channel's program."""


@dataclass(frozen=True, slots=True)
class LeaveCircle:
    """`/coffee leave circle`: leave your interest circle this season (staying in the program)."""


@dataclass(frozen=True, slots=True)
class Pause:
    """`/coffee pause [2w|10d|until DATE]`: both None means until `/coffee resume`."""

    days: int | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    """`/coffee resume`: end a pause."""


@dataclass(frozen=True, slots=True)
class Skip:
    """`/coffee skip`: sit out the next round only."""


@dataclass(frozen=True, slots=True)
class Profile:
    """`/coffee profile`: open the profile modal."""


@dataclass(frozen=True, slots=True)
class Team:
    """`/coffee team <name>`: set your department when no directory value exists."""

    name: str


@dataclass(frozen=True, slots=True)
class Expertise:
    """`/coffee expertise add|remove <a, b>`: tags are normalised, distinct, 1..15 of them."""

    action: Action
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Interests:
    """`/coffee interests add|remove <a, b>`: tags are normalised, distinct, 1..15 of them."""

    action: Action
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ask:
    """`/coffee ask <topic>`: find opted-in experts on a topic in other teams."""

    topic: str


@dataclass(frozen=True, slots=True)
class Asks:
    """`/coffee asks on|off`: allow or stop being asked as an expert."""

    enabled: bool


@dataclass(frozen=True, slots=True)
class History:
    """`/coffee history`: your past intros."""


@dataclass(frozen=True, slots=True)
class MyData:
    """`/coffee my-data`: a JSON file of everything stored about you, sent to your DM."""


@dataclass(frozen=True, slots=True)
class ForgetMe:
    """`/coffee forget-me`: delete everything stored about you, after a confirmation."""


@dataclass(frozen=True, slots=True)
class AdminSetup:
    """`/coffee admin setup`: make this channel a program."""


@dataclass(frozen=True, slots=True)
class AdminConfig:
    """`/coffee admin config`: open the settings modal."""


@dataclass(frozen=True, slots=True)
class AdminPause:
    """`/coffee admin pause`: stop scheduling rounds."""


@dataclass(frozen=True, slots=True)
class AdminResume:
    """`/coffee admin resume`: schedule rounds again."""


@dataclass(frozen=True, slots=True)
class AdminPreview:
    """`/coffee admin preview [names]`: next round's quality figures, with the groups if names."""

    names: bool = False


@dataclass(frozen=True, slots=True)
class AdminRun:
    """`/coffee admin run`: start a round now."""


@dataclass(frozen=True, slots=True)
class AdminStats:
    """`/coffee admin stats`: participation, meeting rate, cross-team rate, network growth."""


@dataclass(frozen=True, slots=True)
class AdminExport:
    """`/coffee admin export`: the program's data as a file."""


@dataclass(frozen=True, slots=True)
class AdminSet:
    """`/coffee admin set <setting> <value>`: value's type depends on setting (see SettingValue)."""

    setting: AdminSetting
    value: SettingValue


@dataclass(frozen=True, slots=True)
class AdminAdmins:
    """`/coffee admin admins add|remove @user`: Slack user ids, distinct, in order of mention."""

    action: Action
    user_ids: tuple[str, ...]


AdminCommand = (
    AdminSetup
    | AdminConfig
    | AdminPause
    | AdminResume
    | AdminPreview
    | AdminRun
    | AdminStats
    | AdminExport
    | AdminSet
    | AdminAdmins
)
Command = (
    Status
    | Help
    | Join
    | Leave
    | LeaveCircle
    | Pause
    | Resume
    | Skip
    | Profile
    | Team
    | Expertise
    | Interests
    | Ask
    | Asks
    | History
    | MyData
    | ForgetMe
    | AdminCommand
)


# ---- reading setting values (shared by `/coffee admin set` and the settings modal)

_FREQUENCIES = {
    "weekly": Frequency.WEEKLY,
    "biweekly": Frequency.BIWEEKLY,
    "bi-weekly": Frequency.BIWEEKLY,
    "fortnightly": Frequency.BIWEEKLY,
    "monthly": Frequency.MONTHLY,
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SWITCH = {
    "on": True,
    "yes": True,
    "true": True,
    "enable": True,
    "off": False,
    "no": False,
    "false": False,
    "disable": False,
}
_MODES = {mode.value: mode for mode in RepeatMode}
_TIME = re.compile(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))?")
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})


def keyword(text: str) -> str:
    """Text as compared with keywords: NFKC, casefolded, trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def read_frequency(text: str) -> Frequency | None:
    """weekly|biweekly|monthly ("fortnightly" too)."""
    return _FREQUENCIES.get(keyword(text))


def read_weekday(text: str) -> Weekday | None:
    """mon..sun, or a day's full name or any prefix of it from three letters."""
    word = keyword(text).rstrip(".")
    for number, day in enumerate(_DAY_NAMES):
        if len(word) >= 3 and day.startswith(word):
            return Weekday(number)
    return None


def read_time(text: str) -> dt.time | None:
    """A 24-hour time like `10:00` or `9.30`; a bare hour means on the hour."""
    match = _TIME.fullmatch(keyword(text))
    if match is None or int(match[1]) > 23 or int(match[2] or 0) > 59:
        return None
    return dt.time(int(match[1]), int(match[2] or 0))


def read_timezone(text: str) -> str | None:
    """An IANA time zone name in the tz database's spelling, whatever the case typed."""
    return _time_zones().get(_zone_key(text))


def closest_timezone(text: str) -> str | None:
    """The known time zone name nearest to a misspelt one, if any is near."""
    zones = _time_zones()
    close = get_close_matches(_zone_key(text), zones, n=1, cutoff=0.7)
    return zones[close[0]] if close else None


def read_mode(text: str) -> RepeatMode | None:
    """prefer|strict|off."""
    return _MODES.get(keyword(text))


def read_switch(text: str) -> bool | None:
    """on|off (yes/no, true/false, enable/disable too)."""
    return _SWITCH.get(keyword(text))


def _zone_key(text: str) -> str:
    """Zone names compare casefolded, with spaces read as underscores."""
    return "_".join(keyword(text).split())


@cache
def _time_zones() -> dict[str, str]:
    """Casefolded IANA names to their canonical spelling."""
    return {zone.casefold(): zone for zone in available_timezones() if zone not in _NOT_ZONES}
