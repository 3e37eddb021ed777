"""Parse the text after `/coffee` into a typed command, or a usage error saying what was wrong.

Pure and independent of "today": dates in the past and permissions are the services' concern.
Text arrives as Slack sends it with should_escape: `&`, `<`, `>` as entities and mentions as
`<@U123|name>`. Team names, tags and topics come out unescaped (the Slack layer escapes them
again when echoing); the welcome text stays in Slack's escaped mrkdwn so links and mentions work.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from difflib import get_close_matches

from serendip.domain import commands as c
from serendip.domain.commands import Action, AdminSetting, Command, SettingValue, UsageError, keyword
from serendip.domain.tags import MAX_TAG_LENGTH, MAX_TAGS_PER_KIND, TAG_SEPARATORS, normalise_tag, split_tags
from serendip.domain.usage import ADMIN_COMMANDS, ADMIN_SETTINGS, PARTICIPANT_COMMANDS, is_topic, usage_for

MAX_TEXT_LENGTH = 2000
MAX_TEAM_NAME_LENGTH = 80
MAX_PAUSE_DAYS = 365
GROUP_SIZES = range(2, 7)
COOLDOWN_ROUNDS = range(0, 53)

_ALIASES = {
    "?": "help",
    "forgetme": "forget-me",
    "forget_me": "forget-me",
    "unpause": "resume",
    "interest": "interests",
    "department": "team",
    "dept": "team",
}
_SETTING_ALIASES = {
    "freq": "frequency",
    "weekday": "day",
    "tz": "timezone",
    "zone": "timezone",
    "follow-up": "followup",
    "follow_up": "followup",
    "group-size": "size",
}
_ACTIONS: dict[str, Action] = {"add": "add", "remove": "remove", "rm": "remove", "delete": "remove"}
# Bidi controls and other invisible format characters go; joiners stay (emoji sequences need them).
_KEPT_FORMAT = frozenset("\u200c\u200d")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")
_DURATION = re.compile(r"(?:for )?([0-9]{1,6}) ?(d|days?|w|wks?|weeks?)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NUMBER = re.compile(r"[0-9]{1,6}")


class _Bad(Exception):  # internal control flow, never escapes parse_command
    """Raised by helpers; parse_command turns it into a UsageError."""

    def __init__(self, message: str, topic: str) -> None:
        super().__init__(message)
        self.message = message
        self.topic = topic


def parse_command(text: str) -> Command | UsageError:
    """Parse `/coffee` text; every input gives a Command or a UsageError, never an exception."""
    # A huge payload is too long whatever invisible characters it holds; skip cleaning it.
    cleaned = _clean(text) if len(text) <= 10 * MAX_TEXT_LENGTH else text
    word, rest = _split_word(cleaned)
    name = keyword(word)
    name = _ALIASES.get(name, name)
    try:
        if len(cleaned) > MAX_TEXT_LENGTH:
            topic = name if name in PARTICIPANT_COMMANDS or name == "admin" else ""
            raise _Bad(f"That's too long: {MAX_TEXT_LENGTH:,} characters at most.", topic)
        if not word:
            return c.Status()
        handler = _HANDLERS.get(name)
        if handler is None:
            raise _Bad(_unknown("command", word, (*PARTICIPANT_COMMANDS, "admin"), "/coffee "), "")
        return handler(rest)
    except _Bad as bad:
        return UsageError(message=bad.message, usage=usage_for(bad.topic))


# ---- participant commands


def _no_argument(name: str, command: Command) -> Callable[[str], Command]:
    """A handler for a command that takes no argument."""

    def handle(rest: str) -> Command:
        if rest:
            raise _Bad(f"`/coffee {name}` takes no argument, but got {_quote(rest)}.", name)
        return command

    return handle


def _help(rest: str) -> Command:
    """`help [command]`."""
    topic = " ".join(keyword(word) for word in rest.split())
    topic = _ALIASES.get(topic, topic)
    if not topic:
        return c.Help()
    if not is_topic(topic):
        raise _Bad(_unknown("command", rest, (*PARTICIPANT_COMMANDS, "admin"), "/coffee help "), "help")
    return c.Help(topic=topic)


def _forget(rest: str) -> Command:
    """`forget me`, spelt with a space."""
    if keyword(rest) != "me":
        raise _Bad(_unknown("command", "forget", PARTICIPANT_COMMANDS, "/coffee "), "forget-me")
    return c.ForgetMe()


def _pause(rest: str) -> Command:
    """`pause [Nd|Nw|until YYYY-MM-DD]`."""
    arg = " ".join(keyword(rest).split())
    if not arg:
        return c.Pause()
    if duration := _DURATION.fullmatch(arg):
        amount = int(duration[1])
        days = amount * 7 if duration[2].startswith("w") else amount
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise _Bad(f"A pause lasts 1 to {MAX_PAUSE_DAYS} days; {_quote(rest)} is {days} days.", "pause")
        return c.Pause(days=days)
    date_text = arg.removeprefix("until").strip()
    if not date_text:
        raise _Bad("Say until when, like `until 2026-12-24`.", "pause")
    if _NUMBER.fullmatch(arg):
        raise _Bad(f"Say `{arg}d` for days or `{arg}w` for weeks.", "pause")
    if date_text == arg and not _DATE.fullmatch(arg):
        raise _Bad(f"I can't read {_quote(rest)} as a pause: use days, weeks or a date.", "pause")
    return c.Pause(until=_date(date_text))


def _date(text: str) -> dt.date:
    """An ISO date, YYYY-MM-DD."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise _Bad(f"{_quote(text)} isn't a date: write it as YYYY-MM-DD, like `2026-12-24`.", "pause")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _Bad(f"{_quote(text)} isn't a day on the calendar.", "pause") from None


def _team(rest: str) -> Command:
    """`team <name>`."""
    name = _plain(rest).strip("\"'“”‘’")
    if not name:
        raise _Bad("Say which team, like `/coffee team Customer Success`.", "team")
    if len(name) > MAX_TEAM_NAME_LENGTH:
        raise _Bad(f"A team name has {MAX_TEAM_NAME_LENGTH} characters at most.", "team")
    return c.Team(name=name)


def _tag_command(kind: str, make: Callable[[Action, tuple[str, ...]], Command]) -> Callable[[str], Command]:
    """A handler for `expertise|interests add|remove <a, b>`."""

    def handle(rest: str) -> Command:
        word, tag_text = _split_word(rest)
        action = _ACTIONS.get(keyword(word))
        if action is None:
            example = f" Did you mean `/coffee {kind} add {_escape(_shorten(rest))}`?" if word else ""
            raise _Bad(f"Say `add` or `remove`, then the tags.{example}", kind)
        return make(action, _tags(tag_text, kind))

    return handle


def _tags(text: str, kind: str) -> tuple[str, ...]:
    """Comma-separated tags: normalised, distinct, each short enough, not too many."""
    text = _unescape(text)
    for piece in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        # A piece with letters or digits only normalises to None when it is too long.
        if normalise_tag(piece) is None and any(ch.isalnum() for ch in piece):
            raise _Bad(f"{_quote(piece)} is too long for a tag: {MAX_TAG_LENGTH} characters at most.", kind)
    tags = split_tags(text)
    if not tags:
        raise _Bad("Name at least one tag, like `python, public speaking`.", kind)
    if len(tags) > MAX_TAGS_PER_KIND:
        raise _Bad(f"That's {len(tags)} tags; {MAX_TAGS_PER_KIND} at most in one command.", kind)
    return tuple(tags)


def _ask(rest: str) -> Command:
    """`ask <topic>`."""
    topic = _plain(rest)
    if not any(ch.isalnum() for ch in topic):
        raise _Bad("Say what you'd like to ask about, like `/coffee ask kubernetes`.", "ask")
    return c.Ask(topic=topic)


def _asks(rest: str) -> Command:
    """`asks on|off`."""
    return c.Asks(enabled=_switch(rest, "asks"))


# ---- admin commands


def _admin(rest: str) -> Command:
    """`admin <subcommand> ...`."""
    word, args = _split_word(rest)
    name = keyword(word)
    if not name:
        raise _Bad("Say which admin command, like `/coffee admin stats`.", "admin")
    handler = _ADMIN_HANDLERS.get(name)
    if handler is None:
        raise _Bad(_unknown("admin command", word, ADMIN_COMMANDS, "/coffee admin "), "admin")
    return handler(args)


def _preview(rest: str) -> Command:
    """`admin preview [names]`."""
    arg = keyword(rest)
    if arg not in ("", "names", "name"):
        raise _Bad(f"`preview` takes only `names`, but got {_quote(rest)}.", "admin preview")
    return c.AdminPreview(names=bool(arg))


def _admin_set(rest: str) -> Command:
    """`admin set <setting> <value>`."""
    word, value = _split_word(rest)
    name = keyword(word)
    name = _SETTING_ALIASES.get(name, name)
    if not name:
        raise _Bad("Say which setting to change.", "admin set")
    if name not in ADMIN_SETTINGS:
        raise _Bad(_unknown("setting", word, ADMIN_SETTINGS, "/coffee admin set "), "admin set")
    setting = AdminSetting(name)
    topic = f"admin set {name}"
    if not value:
        raise _Bad(f"Say what to set `{name}` to.", topic)
    return c.AdminSet(setting=setting, value=_SETTING_PARSERS[setting](value, topic))


def _reader(read: Callable[[str], SettingValue | None], wanted: str) -> Callable[[str, str], SettingValue]:
    """A setting parser from a reader that gives None for what it cannot read."""

    def parse(text: str, topic: str) -> SettingValue:
        value = read(text)
        if value is None:
            raise _Bad(f"{_quote(text)} isn't {wanted}.", topic)
        return value

    return parse


def _timezone(text: str, topic: str) -> SettingValue:
    """An IANA time zone name; a near miss gets a suggestion."""
    zone = c.read_timezone(text)
    if zone is None:
        close = c.closest_timezone(text)
        hint = f" Did you mean `{close}`?" if close else ""
        raise _Bad(f"{_quote(text)} isn't a time zone I know: use an IANA name.{hint}", topic)
    return zone


def _number_in(allowed: range) -> Callable[[str, str], SettingValue]:
    """A parser for a whole number in a range."""

    def read(text: str) -> int | None:
        word = keyword(text)
        return int(word) if _NUMBER.fullmatch(word) and int(word) in allowed else None

    return _reader(read, f"a whole number from {allowed.start} to {allowed.stop - 1}")


def _welcome(text: str, topic: str) -> SettingValue:
    """Free text, kept in Slack's escaped mrkdwn."""
    if not any(ch.isalnum() for ch in text):
        raise _Bad("Write the welcome message after `set welcome`.", topic)
    return text


def _admins(rest: str) -> Command:
    """`admin admins add|remove @user ...`."""
    word, people = _split_word(rest)
    action = _ACTIONS.get(keyword(word))
    if action is None:
        raise _Bad("Say `add` or `remove`, then @-mention the people.", "admin admins")
    return c.AdminAdmins(action=action, user_ids=_user_ids(people, "admin admins"))


def _user_ids(text: str, topic: str) -> tuple[str, ...]:
    """Slack user ids from `<@U123>` / `<@U123|name>` mentions; anything else is an error."""
    ids = tuple(dict.fromkeys(_MENTION.findall(text)))
    leftover = [word for word in re.split(r"[\s,]+", _MENTION.sub(" ", text)) if word and word != "and"]
    if leftover and leftover[0].startswith("@"):
        raise _Bad(
            f"I can't tell who {_quote(leftover[0])} is: pick the person from the @-mention list.", topic
        )
    if leftover:
        raise _Bad(f"{_quote(leftover[0])} isn't a person: @-mention them.", topic)
    if not ids:
        raise _Bad("@-mention at least one person.", topic)
    return ids


# ---- shared helpers


def _switch(text: str, topic: str) -> bool:
    """on|off."""
    enabled = c.read_switch(text)
    if enabled is None:
        raise _Bad(f"Say `on` or `off`{f', not {_quote(text)}' if text else ''}.", topic)
    return enabled


def _unknown(kind: str, word: str, known: Iterable[str], prefix: str) -> str:
    """'Unknown command `x`', with a did-you-mean when one is close."""
    close = get_close_matches(keyword(word), list(known), n=1, cutoff=0.6)
    hint = f" Did you mean `{prefix}{close[0]}`?" if close else ""
    return f"Unknown {kind} {_quote(word)}.{hint}"


def _clean(text: str) -> str:
    """Drop control, bidi and other invisible format characters (newlines stay) and trim."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\t" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif ch == "\n" or category not in ("Cc", "Cf", "Cs") or ch in _KEPT_FORMAT:
            kept.append(ch)
    return "".join(kept).strip()


def _split_word(text: str) -> tuple[str, str]:
    """The first word and the rest, both trimmed."""
    parts = text.split(maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text.strip(), "")


def _plain(text: str) -> str:
    """Free text as the user meant it: unescaped, NFKC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", _unescape(text)).split())


def _unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape(text: str) -> str:
    """Escape for Slack mrkdwn and keep backticks from breaking a code span."""
    return _unescape(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def _quote(text: str) -> str:
    """User text shown back in an error: escaped, on one line, shortened, as code."""
    short = _shorten(text)
    return f"`{_escape(short)}`" if short else "nothing"


def _shorten(text: str, limit: int = 40) -> str:
    """Unescaped text on one line, cut to a length that fits in an error message."""
    short = " ".join(_unescape(text).split())
    return short if len(short) <= limit else short[: limit - 1] + "…"


_HANDLERS: dict[str, Callable[[str], Command]] = {
    "status": _no_argument("status", c.Status()),
    "help": _help,
    "join": _no_argument("join", c.Join()),
    "leave": _no_argument("leave", c.Leave()),
    "pause": _pause,
    "resume": _no_argument("resume", c.Resume()),
    "skip": _no_argument("skip", c.Skip()),
    "profile": _no_argument("profile", c.Profile()),
    "team": _team,
    "expertise": _tag_command("expertise", lambda action, tags: c.Expertise(action=action, tags=tags)),
    "interests": _tag_command("interests", lambda action, tags: c.Interests(action=action, tags=tags)),
    "ask": _ask,
    "asks": _asks,
    "history": _no_argument("history", c.History()),
    "forget-me": _no_argument("forget-me", c.ForgetMe()),
    "forget": _forget,
    "admin": _admin,
}
_ADMIN_HANDLERS: dict[str, Callable[[str], Command]] = {
    "setup": _no_argument("admin setup", c.AdminSetup()),
    "config": _no_argument("admin config", c.AdminConfig()),
    "pause": _no_argument("admin pause", c.AdminPause()),
    "resume": _no_argument("admin resume", c.AdminResume()),
    "preview": _preview,
    "run": _no_argument("admin run", c.AdminRun()),
    "stats": _no_argument("admin stats", c.AdminStats()),
    "export": _no_argument("admin export", c.AdminExport()),
    "set": _admin_set,
    "admins": _admins,
}
_SETTING_PARSERS: dict[AdminSetting, Callable[[str, str], SettingValue]] = {
    AdminSetting.FREQUENCY: _reader(c.read_frequency, "one of `weekly`, `biweekly`, `monthly`"),
    AdminSetting.DAY: _reader(c.read_weekday, "a day of the week, like `mon` or `tuesday`"),
    AdminSetting.TIME: _reader(c.read_time, "a 24-hour time, like `10:00` or `14:30`"),
    AdminSetting.TIMEZONE: _timezone,
    AdminSetting.SIZE: _number_in(GROUP_SIZES),
    AdminSetting.MODE: _reader(c.read_mode, "one of `prefer`, `strict`, `off`"),
    AdminSetting.COOLDOWN: _number_in(COOLDOWN_ROUNDS),
    AdminSetting.FOLLOWUP: _switch,
    AdminSetting.WELCOME: _welcome,
}
