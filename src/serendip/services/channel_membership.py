"""What Slack's events change: people joining and leaving program channels, and profile edits."""

from __future__ import annotations

from serendip.adapters.db import repositories as repo
from serendip.services import directory_sync, do_not_enrol, members, programs
from serendip.services.deps import Deps
from serendip.services.lifecycle import circle_changes, circle_joins
from serendip.services.ports import DirectoryUser
from serendip.services.welcome import welcome_members


def member_joined_channel(
    deps: Deps, *, team_id: str, channel_id: str, user_id: str, event_us: int | None = None
) -> bool:
    """Enrol and welcome a person who joined a program channel (and, in a circles program's season,
    add them to a circle or its waitlist); True when they were newly enrolled. ``event_us``: the
    event's Slack time (an event older than one already applied changes nothing)."""
    enrolled = programs.member_joined(
        deps.db, deps.gateway, team_id=team_id, channel_id=channel_id, user_id=user_id, event_us=event_us
    )
    if enrolled:
        welcome_members(deps, team_id=team_id, channel_id=channel_id, user_ids=[user_id])
        circle_joins.join_mid_season(
            deps.db, deps.publisher, team_id=team_id, channel_id=channel_id, user_id=user_id
        )
    return enrolled


def member_left_channel(
    deps: Deps, *, team_id: str, channel_id: str, user_id: str, event_us: int | None = None
) -> bool:
    """Opt out a person who left a program channel (and take them out of their circle there, if any);
    True when they were enrolled. An event older than one already applied changes nothing."""
    enrolled = programs.member_left(
        deps.db, team_id=team_id, channel_id=channel_id, user_id=user_id, event_us=event_us
    )
    if enrolled is None:  # a newer join or leave was applied already: it decided, circle included
        return False
    circle_changes.leave_with_program(
        deps.db, deps.publisher, team_id=team_id, user_id=user_id, channel_id=channel_id
    )
    return enrolled


def user_changed(deps: Deps, *, user: DirectoryUser) -> None:
    """Refresh a known member's directory facts, and their department from the profile field."""
    with deps.db.transaction() as session:
        if not members.is_known(session, user.team_id, user.id):
            return
        if do_not_enrol.is_marked(session, user.team_id, user.id):
            return  # forget-me: their own later actions may store facts, Slack's events don't
        members.record_user(session, user)
        field_id = repo.get_or_create_workspace(session, user.team_id).department_field_id
    if field_id and user.is_person:
        directory_sync.refresh_department(
            deps.db, deps.gateway, team_id=user.team_id, user_id=user.id, field_id=field_id
        )
