"""Parse the text after `/coffee admin` into a typed admin command (see command_parser)."""

from __future__ import annotations

import re
from collections.abc import Callable

from serendip.domain import commands as c
from serendip.domain.command_words import (
    ACTIONS,
    NUMBER,
    Bad,
    no_argument,
    quote,
    split_word,
    switch,
    unknown,
)
from serendip.domain.commands import AdminSetting, Command, SettingValue, keyword
from serendip.domain.program_kinds import (
    ANY_SIZE,
    SEASON_WEEKS,
    ProgramKind,
    read_kind,
    read_season,
    sizes_text,
)
from serendip.domain.usage import ADMIN_COMMANDS, ADMIN_SETTINGS

GROUP_SIZES = ANY_SIZE  # the program's kind narrows it: 2..6 for intros, 3..8 for circles
COOLDOWN_ROUNDS = range(0, 53)
SIZE_RULE = (
    f"a whole number from {sizes_text(ProgramKind.INTROS)} for intros, "
    f"from {sizes_text(ProgramKind.CIRCLES)} for circles"
)

_SETTING_ALIASES = {
    "freq": "frequency",
    "weekday": "day",
    "tz": "timezone",
    "zone": "timezone",
    "follow-up": "followup",
    "follow_up": "followup",
    "group-size": "size",
    "type": "kind",
    "season-length": "season",
    "length": "season",
}
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")


def parse_admin(rest: str) -> Command:
    """`admin <subcommand> ...`."""
    word, args = split_word(rest)
    name = keyword(word)
    if not name:
        raise Bad("Say which admin command, like `/coffee admin stats`.", "admin")
    handler = _HANDLERS.get(name)
    if handler is None:
        raise Bad(unknown("admin command", word, ADMIN_COMMANDS, "/coffee admin "), "admin")
    return handler(args)


def _preview(rest: str) -> Command:
    """`admin preview [names]`."""
    arg = keyword(rest)
    if arg not in ("", "names", "name"):
        raise Bad(f"`preview` takes only `names`, but got {quote(rest)}.", "admin preview")
    return c.AdminPreview(names=bool(arg))


def _admin_set(rest: str) -> Command:
    """`admin set <setting> <value>`."""
    word, value = split_word(rest)
    name = keyword(word)
    name = _SETTING_ALIASES.get(name, name)
    if not name:
        raise Bad("Say which setting to change.", "admin set")
    if name not in ADMIN_SETTINGS:
        raise Bad(unknown("setting", word, ADMIN_SETTINGS, "/coffee admin set "), "admin set")
    setting = AdminSetting(name)
    topic = f"admin set {name}"
    if not value:
        raise Bad(f"Say what to set `{name}` to.", topic)
    return c.AdminSet(setting=setting, value=_SETTING_PARSERS[setting](value, topic))


def _reader(read: Callable[[str], SettingValue | None], wanted: str) -> Callable[[str, str], SettingValue]:
    """A setting parser from a reader that gives None for what it cannot read."""

    def parse(text: str, topic: str) -> SettingValue:
        value = read(text)
        if value is None:
            raise Bad(f"{quote(text)} isn't {wanted}.", topic)
        return value

    return parse


def _timezone(text: str, topic: str) -> SettingValue:
    """An IANA time zone name; a near miss gets a suggestion."""
    zone = c.read_timezone(text)
    if zone is None:
        close = c.closest_timezone(text)
        hint = f" Did you mean `{close}`?" if close else ""
        raise Bad(f"{quote(text)} isn't a time zone I know: use an IANA name.{hint}", topic)
    return zone


def _number_in(allowed: range) -> Callable[[str, str], SettingValue]:
    """A parser for a whole number in a range."""

    def read(text: str) -> int | None:
        word = keyword(text)
        return int(word) if NUMBER.fullmatch(word) and int(word) in allowed else None

    return _reader(read, f"a whole number from {allowed.start} to {allowed.stop - 1}")


def _size(text: str, topic: str) -> SettingValue:
    """A group size some kind of program allows (the service checks it against this one's kind)."""
    word = keyword(text)
    if not (NUMBER.fullmatch(word) and int(word) in GROUP_SIZES):
        raise Bad(f"{quote(text)} isn't a group size: use {SIZE_RULE}.", topic)
    return int(word)


def _season(text: str, topic: str) -> SettingValue:
    """Whole weeks from 6 to 26, written like `12w`."""
    weeks = read_season(text)
    if weeks is None:
        low, high = SEASON_WEEKS.start, SEASON_WEEKS.stop - 1
        raise Bad(
            f"{quote(text)} isn't a season length: use whole weeks from `{low}w` to `{high}w`, like `12w`.",
            topic,
        )
    return weeks


def _welcome(text: str, topic: str) -> SettingValue:
    """Free text, kept in Slack's escaped mrkdwn."""
    if not any(ch.isalnum() for ch in text):
        raise Bad("Write the welcome message after `set welcome`.", topic)
    return text


def _admins(rest: str) -> Command:
    """`admin admins add|remove @user ...`."""
    word, people = split_word(rest)
    action = ACTIONS.get(keyword(word))
    if action is None:
        raise Bad("Say `add` or `remove`, then @-mention the people.", "admin admins")
    return c.AdminAdmins(action=action, user_ids=_user_ids(people, "admin admins"))


def _user_ids(text: str, topic: str) -> tuple[str, ...]:
    """Slack user ids from `<@U123>` / `<@U123|name>` mentions; anything else is an error."""
    ids = tuple(dict.fromkeys(_MENTION.findall(text)))
    leftover = [word for word in re.split(r"[\s,]+", _MENTION.sub(" ", text)) if word and word != "and"]
    if leftover and leftover[0].startswith("@"):
        raise Bad(
            f"I can't tell who {quote(leftover[0])} is: pick the person from the @-mention list.", topic
        )
    if leftover:
        raise Bad(f"{quote(leftover[0])} isn't a person: @-mention them.", topic)
    if not ids:
        raise Bad("@-mention at least one person.", topic)
    return ids


_HANDLERS: dict[str, Callable[[str], Command]] = {
    "setup": no_argument("admin setup", c.AdminSetup()),
    "config": no_argument("admin config", c.AdminConfig()),
    "pause": no_argument("admin pause", c.AdminPause()),
    "resume": no_argument("admin resume", c.AdminResume()),
    "preview": _preview,
    "run": no_argument("admin run", c.AdminRun()),
    "stats": no_argument("admin stats", c.AdminStats()),
    "export": no_argument("admin export", c.AdminExport()),
    "set": _admin_set,
    "admins": _admins,
}
_SETTING_PARSERS: dict[AdminSetting, Callable[[str, str], SettingValue]] = {
    AdminSetting.FREQUENCY: _reader(c.read_frequency, "one of `weekly`, `biweekly`, `monthly`"),
    AdminSetting.DAY: _reader(c.read_weekday, "a day of the week, like `mon` or `tuesday`"),
    AdminSetting.TIME: _reader(c.read_time, "a 24-hour time, like `10:00` or `14:30`"),
    AdminSetting.TIMEZONE: _timezone,
    AdminSetting.SIZE: _size,
    AdminSetting.MODE: _reader(c.read_mode, "one of `prefer`, `strict`, `off`"),
    AdminSetting.COOLDOWN: _number_in(COOLDOWN_ROUNDS),
    AdminSetting.FOLLOWUP: switch,
    AdminSetting.WELCOME: _welcome,
    AdminSetting.KIND: _reader(read_kind, "one of `intros`, `circles`"),
    AdminSetting.SEASON: _season,
}
