"""Words and errors shared by the `/coffee` grammars (participant and admin).

Helpers raise `Bad`; `command_parser.parse_command` turns it into a UsageError.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from difflib import get_close_matches

from serendip.domain import commands as c
from serendip.domain.commands import Action, Command, keyword

ACTIONS: dict[str, Action] = {"add": "add", "remove": "remove", "rm": "remove", "delete": "remove"}
# Bidi controls and other invisible format characters go; joiners stay (emoji sequences need them).
_KEPT_FORMAT = frozenset("\u200c\u200d")
NUMBER = re.compile(r"[0-9]{1,6}")


class Bad(Exception):  # internal control flow, never escapes parse_command
    """Raised by helpers; parse_command turns it into a UsageError."""

    def __init__(self, message: str, topic: str) -> None:
        super().__init__(message)
        self.message = message
        self.topic = topic


def no_argument(name: str, command: Command) -> Callable[[str], Command]:
    """A handler for a command that takes no argument."""

    def handle(rest: str) -> Command:
        if rest:
            raise Bad(f"`/coffee {name}` takes no argument, but got {quote(rest)}.", name)
        return command

    return handle


def switch(text: str, topic: str) -> bool:
    """on|off."""
    enabled = c.read_switch(text)
    if enabled is None:
        raise Bad(f"Say `on` or `off`{f', not {quote(text)}' if text else ''}.", topic)
    return enabled


def unknown(kind: str, word: str, known: Iterable[str], prefix: str) -> str:
    """'Unknown command `x`', with a did-you-mean when one is close."""
    close = get_close_matches(keyword(word), list(known), n=1, cutoff=0.6)
    hint = f" Did you mean `{prefix}{close[0]}`?" if close else ""
    return f"Unknown {kind} {quote(word)}.{hint}"


def clean(text: str) -> str:
    """Drop control, bidi and other invisible format characters (newlines stay) and trim."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\t" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif ch == "\n" or category not in ("Cc", "Cf", "Cs") or ch in _KEPT_FORMAT:
            kept.append(ch)
    return "".join(kept).strip()


def split_word(text: str) -> tuple[str, str]:
    """The first word and the rest, both trimmed."""
    parts = text.split(maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text.strip(), "")


def plain(text: str) -> str:
    """Free text as the user meant it: unescaped, NFKC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", unescape(text)).split())


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Escape for Slack mrkdwn and keep backticks from breaking a code span."""
    return unescape(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def quote(text: str) -> str:
    """User text shown back in an error: escaped, on one line, shortened, as code."""
    short = shorten(text)
    return f"`{escape(short)}`" if short else "nothing"


def shorten(text: str, limit: int = 40) -> str:
    """Unescaped text on one line, cut to a length that fits in an error message."""
    short = " ".join(unescape(text).split())
    return short if len(short) <= limit else short[: limit - 1] + "…"
