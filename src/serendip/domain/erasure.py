"""What forget-me looks for in free text and JSON: a person's Slack id, names and e-mail.

Pure: the erasure service decides which stored values to pass through `scrub`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DELETED_USER = "deleted user"
# A one-letter name would erase every such word from other people's text.
MIN_NAME_LENGTH = 2


@dataclass(frozen=True)
class Identity:
    """What identifies a person in text: their Slack id, names (display and real) and e-mail."""

    slack_id: str
    names: tuple[str, ...] = ()
    email: str | None = None

    def pattern(self) -> re.Pattern[str]:
        """One case-insensitive pattern for all of it; names only as whole words."""
        parts = [re.escape(self.slack_id)]
        if self.email:
            parts.append(re.escape(self.email))
        for name in _names(self.names):
            parts.append(rf"(?<!\w){re.escape(name)}(?!\w)")
        return re.compile("|".join(parts), re.IGNORECASE)


def _names(names: Iterable[str]) -> list[str]:
    # Longest first, so "Ada Lovelace" goes before "Ada" leaves "deleted user Lovelace".
    kept = {" ".join(n.split()) for n in names if len(n.strip()) >= MIN_NAME_LENGTH}
    return sorted(kept, key=len, reverse=True)


def scrub(value: Any, identity: Identity) -> Any:
    """The value with every mention of the person replaced by "deleted user" (dict keys too)."""
    return _scrub(value, identity.pattern())


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, str):
        return pattern.sub(DELETED_USER, value)
    return value


def mentions(value: Any, identity: Identity) -> bool:
    """Whether the value (text or JSON) mentions the person."""
    return bool(scrub(value, identity) != value)
