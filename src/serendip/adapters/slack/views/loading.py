"""The small modals shown while a modal's content is read, and when it could not be."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.views.blocks import section

LOADING = ":hourglass_flowing_sand: Loading…"
UNAVAILABLE = (
    ":sweat_smile: Sorry, I couldn't load this just now and nothing was changed. "
    "Please close this and try again in a minute."
)


def loading_modal(title: str) -> dict[str, Any]:
    """A modal that opens at once (no database needed), replaced by the real one when it is read."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(LOADING)],
    }


def note_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (why the real one is not shown); the default is the apology."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }
