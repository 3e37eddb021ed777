"""Slack mentions in our messages, and the plain notification text they become."""

from __future__ import annotations

import re

# <#C123|name> and <@U123|name>: mentions carrying the label Slack shows.
_LABELLED = re.compile(r"<([#@])[A-Z0-9]+\|([^>]*)>")
_BARE_CHANNEL = re.compile(r"<#[A-Z0-9]+>")
_BARE_USER = re.compile(r"<@[A-Z0-9]+>")


def channel_mention(channel_id: str, name: str | None) -> str:
    """A channel mention that also carries the name, so notification text can show "#name"."""
    return f"<#{channel_id}|{name}>" if name else f"<#{channel_id}>"


def notification_text(text: str) -> str:
    """The `text` of a post as notifications show it: names instead of raw channel and user ids."""
    text = _LABELLED.sub(lambda m: ("#" if m.group(1) == "#" else "") + m.group(2), text)
    text = _BARE_CHANNEL.sub("your intro channel", text)
    return _BARE_USER.sub("someone", text)
