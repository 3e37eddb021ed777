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
from collections.abc import Callable

from serendip.domain import commands as c
from serendip.domain.admin_command_parser import COOLDOWN_ROUNDS, GROUP_SIZES, parse_admin
from serendip.domain.command_words import (
    ACTIONS,
    NUMBER,
    Bad,
    clean,
    escape,
    no_argument,
    plain,
    quote,
    shorten,
    split_word,
    switch,
    unescape,
    unknown,
)
from serendip.domain.commands import Action, Command, UsageError, keyword
from serendip.domain.tags import MAX_TAG_LENGTH, MAX_TAGS_PER_KIND, TAG_SEPARATORS, normalise_tag, split_tags
from serendip.domain.usage import PARTICIPANT_COMMANDS, is_topic, usage_for

# Re-exported: the admin grammar owns the setting ranges; callers import them from here too.
__all__ = ["COOLDOWN_ROUNDS", "GROUP_SIZES", "MAX_TEXT_LENGTH", "parse_command"]

MAX_TEXT_LENGTH = 2000
MAX_TEAM_NAME_LENGTH = 80
MAX_PAUSE_DAYS = 365

_ALIASES = {
    "?": "help",
    "forgetme": "forget-me",
    "forget_me": "forget-me",
    "mydata": "my-data",
    "my_data": "my-data",
    "unpause": "resume",
    "interest": "interests",
    "department": "team",
    "dept": "team",
}
_DURATION = re.compile(r"(?:for )?([0-9]{1,6}) ?(d|days?|w|wks?|weeks?)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_command(text: str) -> Command | UsageError:
    """Parse `/coffee` text; every input gives a Command or a UsageError, never an exception."""
    # A huge payload is too long whatever invisible characters it holds; skip cleaning it.
    cleaned = clean(text) if len(text) <= 10 * MAX_TEXT_LENGTH else text
    word, rest = split_word(cleaned)
    name = keyword(word)
    name = _ALIASES.get(name, name)
    try:
        if len(cleaned) > MAX_TEXT_LENGTH:
            topic = name if name in PARTICIPANT_COMMANDS or name == "admin" else ""
            raise Bad(f"That's too long: {MAX_TEXT_LENGTH:,} characters at most.", topic)
        if not word:
            return c.Status()
        handler = _HANDLERS.get(name)
        if handler is None:
            raise Bad(unknown("command", word, (*PARTICIPANT_COMMANDS, "admin"), "/coffee "), "")
        return handler(rest)
    except Bad as bad:
        return UsageError(message=bad.message, usage=usage_for(bad.topic))


# ---- participant commands


def _help(rest: str) -> Command:
    """`help [command]`."""
    topic = " ".join(keyword(word) for word in rest.split())
    topic = _ALIASES.get(topic, topic)
    if not topic:
        return c.Help()
    if not is_topic(topic):
        raise Bad(unknown("command", rest, (*PARTICIPANT_COMMANDS, "admin"), "/coffee help "), "help")
    return c.Help(topic=topic)


def _forget(rest: str) -> Command:
    """`forget me`, spelt with a space."""
    if keyword(rest) != "me":
        raise Bad(unknown("command", "forget", PARTICIPANT_COMMANDS, "/coffee "), "forget-me")
    return c.ForgetMe()


def _my(rest: str) -> Command:
    """`my data`, spelt with a space."""
    if keyword(rest) != "data":
        raise Bad(unknown("command", "my", PARTICIPANT_COMMANDS, "/coffee "), "my-data")
    return c.MyData()


def _leave(rest: str) -> Command:
    """`leave`, or `leave circle`."""
    if not rest:
        return c.Leave()
    if keyword(rest) == "circle":
        return c.LeaveCircle()
    raise Bad(
        f"`/coffee leave` takes no argument, but got {quote(rest)}. "
        "To leave only your interest circle, say `/coffee leave circle`.",
        "leave",
    )


def _pause(rest: str) -> Command:
    """`pause [Nd|Nw|until YYYY-MM-DD]`."""
    arg = " ".join(keyword(rest).split())
    if not arg:
        return c.Pause()
    if duration := _DURATION.fullmatch(arg):
        amount = int(duration[1])
        days = amount * 7 if duration[2].startswith("w") else amount
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise Bad(f"A pause lasts 1 to {MAX_PAUSE_DAYS} days; {quote(rest)} is {days} days.", "pause")
        return c.Pause(days=days)
    date_text = arg.removeprefix("until").strip()
    if not date_text:
        raise Bad("Say until when, like `until 2026-12-24`.", "pause")
    if NUMBER.fullmatch(arg):
        raise Bad(f"Say `{arg}d` for days or `{arg}w` for weeks.", "pause")
    if date_text == arg and not _DATE.fullmatch(arg):
        raise Bad(f"I can't read {quote(rest)} as a pause: use days, weeks or a date.", "pause")
    return c.Pause(until=_date(date_text))


def _date(text: str) -> dt.date:
    """An ISO date, YYYY-MM-DD."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise Bad(f"{quote(text)} isn't a date: write it as YYYY-MM-DD, like `2026-12-24`.", "pause")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise Bad(f"{quote(text)} isn't a day on the calendar.", "pause") from None


def _team(rest: str) -> Command:
    """`team <name>`."""
    name = plain(rest).strip("\"'“”‘’")
    if not name:
        raise Bad("Say which team, like `/coffee team Customer Success`.", "team")
    if len(name) > MAX_TEAM_NAME_LENGTH:
        raise Bad(f"A team name has {MAX_TEAM_NAME_LENGTH} characters at most.", "team")
    return c.Team(name=name)


def _tag_command(kind: str, make: Callable[[Action, tuple[str, ...]], Command]) -> Callable[[str], Command]:
    """A handler for `expertise|interests add|remove <a, b>`."""

    def handle(rest: str) -> Command:
        word, tag_text = split_word(rest)
        action = ACTIONS.get(keyword(word))
        if action is None:
            example = f" Did you mean `/coffee {kind} add {escape(shorten(rest))}`?" if word else ""
            raise Bad(f"Say `add` or `remove`, then the tags.{example}", kind)
        return make(action, _tags(tag_text, kind))

    return handle


def _tags(text: str, kind: str) -> tuple[str, ...]:
    """Comma-separated tags: normalised, distinct, each short enough, not too many."""
    text = unescape(text)
    for piece in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        # A piece with letters or digits only normalises to None when it is too long.
        if normalise_tag(piece) is None and any(ch.isalnum() for ch in piece):
            raise Bad(f"{quote(piece)} is too long for a tag: {MAX_TAG_LENGTH} characters at most.", kind)
    tags = split_tags(text)
    if not tags:
        raise Bad("Name at least one tag, like `python, public speaking`.", kind)
    if len(tags) > MAX_TAGS_PER_KIND:
        raise Bad(f"That's {len(tags)} tags; {MAX_TAGS_PER_KIND} at most in one command.", kind)
    return tuple(tags)


def _ask(rest: str) -> Command:
    """`ask <topic>`."""
    topic = plain(rest)
    if not any(ch.isalnum() for ch in topic):
        raise Bad("Say what you'd like to ask about, like `/coffee ask kubernetes`.", "ask")
    return c.Ask(topic=topic)


def _asks(rest: str) -> Command:
    """`asks on|off`."""
    return c.Asks(enabled=switch(rest, "asks"))


_HANDLERS: dict[str, Callable[[str], Command]] = {
    "status": no_argument("status", c.Status()),
    "help": _help,
    "join": no_argument("join", c.Join()),
    "leave": _leave,
    "pause": _pause,
    "resume": no_argument("resume", c.Resume()),
    "skip": no_argument("skip", c.Skip()),
    "profile": no_argument("profile", c.Profile()),
    "team": _team,
    "expertise": _tag_command("expertise", lambda action, tags: c.Expertise(action=action, tags=tags)),
    "interests": _tag_command("interests", lambda action, tags: c.Interests(action=action, tags=tags)),
    "ask": _ask,
    "asks": _asks,
    "history": no_argument("history", c.History()),
    "my-data": no_argument("my-data", c.MyData()),
    "my": _my,
    "forget-me": no_argument("forget-me", c.ForgetMe()),
    "forget": _forget,
    "admin": parse_admin,
}
