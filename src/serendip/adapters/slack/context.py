"""Who is asking, read once from any Slack payload, and the one apology for a failure on our side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

APOLOGY = ":sweat_smile: Sorry, something went wrong on our side. Please try again in a minute."


@dataclass(frozen=True)
class Asker:
    """The person behind a slash command, a button, a modal or an event, and where they are.

    ``team_id`` is the installation's scope id, which keys everything stored: the team id, or on
    Enterprise Grid with an org-wide install the enterprise id (one person, one row per org; a
    program's channel is found across the org's workspaces).
    """

    team_id: str
    user_id: str
    channel_id: str = ""
    trigger_id: str = ""


def asker(body: dict[str, Any]) -> Asker:
    """Read who is asking from a slash-command, interactivity or event payload."""
    found = _asker(body)
    enterprise_id = org_wide_enterprise(body)
    if enterprise_id:
        return Asker(enterprise_id, found.user_id, found.channel_id, found.trigger_id)
    return found


def org_wide_enterprise(body: dict[str, Any]) -> str:
    """The enterprise id when the payload comes through an org-wide (Enterprise Grid) install, else "".

    Events say so in `authorizations[0]`, commands in `is_enterprise_install` ("true"), interactive
    payloads in `is_enterprise_install` (true) with `enterprise.id`.
    """
    source: object = body
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        source = authorizations[0]
    if not isinstance(source, dict) or source.get("is_enterprise_install") not in (True, "true"):
        return ""
    enterprise = source.get("enterprise_id") or body.get("enterprise_id") or body.get("enterprise")
    if isinstance(enterprise, dict):
        enterprise = enterprise.get("id")
    if not enterprise:
        team = body.get("team")
        enterprise = team.get("enterprise_id") if isinstance(team, dict) else None
    return _text(enterprise)


def _asker(body: dict[str, Any]) -> Asker:
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
