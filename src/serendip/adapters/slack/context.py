"""Who is asking, read once from any Slack payload, and the one apology for a failure on our side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

APOLOGY = ":sweat_smile: Sorry, something went wrong on our side. Please try again in a minute."


@dataclass(frozen=True)
class Asker:
    """The person behind a slash command, a button, a modal or an event, and where they are."""

    team_id: str
    user_id: str
    channel_id: str = ""
    trigger_id: str = ""


def asker(body: dict[str, Any]) -> Asker:
    """Read who is asking from a slash-command, interactivity or event payload."""
    user = body.get("user")
    if isinstance(user, dict):  # block actions, view submissions, shortcuts
        team = body.get("team")
        team_id = user.get("team_id") or (team.get("id") if isinstance(team, dict) else None) or ""
        channel = body.get("channel")
        container = body.get("container")
        channel_id = (channel.get("id") if isinstance(channel, dict) else None) or (
            container.get("channel_id") if isinstance(container, dict) else None
        )
        return Asker(_text(team_id), _text(user.get("id")), _text(channel_id), _text(body.get("trigger_id")))
    event = body.get("event")
    if isinstance(event, dict):  # Events API
        who = event.get("user")
        user_id = who.get("id") if isinstance(who, dict) else who
        return Asker(_text(body.get("team_id")), _text(user_id), _text(event.get("channel")))
    return Asker(  # slash commands
        _text(body.get("team_id")),
        _text(body.get("user_id")),
        _text(body.get("channel_id")),
        _text(body.get("trigger_id")),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
