"""Events API: people joining and leaving program channels, and profile changes."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from serendip.adapters.db import repositories as repo
from serendip.adapters.slack import welcome
from serendip.adapters.slack.gateway import to_directory_user
from serendip.bootstrap import Container
from serendip.services import directory_sync, do_not_enrol, members, programs

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the event listeners."""
    app.event("member_joined_channel")(on_member_joined)
    app.event("member_left_channel")(on_member_left)
    app.event("user_change")(on_user_change)


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(event.get("team") or body.get("team_id") or "")


def on_member_joined(body: dict[str, Any], event: dict[str, Any], services: Container) -> None:
    """Enrol and welcome a person who joined a program channel."""
    team_id, channel_id, user_id = _team(body, event), event["channel"], event["user"]
    if programs.member_joined(
        services.db, services.gateway, team_id=team_id, channel_id=channel_id, user_id=user_id
    ):
        welcome.welcome_members(services, team_id=team_id, channel_id=channel_id, user_ids=[user_id])


def on_member_left(body: dict[str, Any], event: dict[str, Any], services: Container) -> None:
    """Opt out a person who left a program channel."""
    programs.member_left(
        services.db, team_id=_team(body, event), channel_id=event["channel"], user_id=event["user"]
    )


def on_user_change(event: dict[str, Any], services: Container) -> None:
    """Refresh a known member's directory facts, and their department from the profile field."""
    user = to_directory_user(event["user"])
    with services.db.transaction() as session:
        if not members.is_known(session, user.team_id, user.id):
            return
        if do_not_enrol.is_marked(session, user.team_id, user.id):
            return  # forget-me: their own later actions may store facts, Slack's events don't
        members.record_user(session, user)
        field_id = repo.get_or_create_workspace(session, user.team_id).department_field_id
    if field_id and user.is_person:
        directory_sync.refresh_department(
            services.db, services.gateway, team_id=user.team_id, user_id=user.id, field_id=field_id
        )
