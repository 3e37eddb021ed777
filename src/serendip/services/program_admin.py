"""Administering a program, one verb per `/coffee admin` command (and the settings modal)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program
from serendip.adapters.db.types import utcnow
from serendip.domain.commands import AdminSetting, SettingValue
from serendip.services import administration, permissions, programs
from serendip.services.administration import Outcome
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.programs import SetupResult
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

# A mention in a change line, e.g. "<@U123> is now a program admin".
MENTION_ID = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
NOT_FOUND = (
    "I can't find one of those people in this workspace: @-mention them from the "
    "list Slack offers. Nothing was changed."
)

SETUP_ELSEWHERE = (
    ":information_source: `/coffee admin setup` works in a channel Serendip is in, so nothing was set "
    "up here. Add Serendip to the channel that should be the program (`/invite @Serendip` there) "
    "and run `/coffee admin setup` in it."
)
# conversations.info's answers for a conversation the bot cannot see as a channel it is in:
# another's DM or a private channel (channel_not_found), its own DM or a group DM (missing_scope).
NOT_VISIBLE = frozenset(
    {"channel_not_found", "missing_scope", "not_in_channel", "method_not_supported_for_channel_type"}
)

# Reads the submitted settings form given the stored welcome text: the values, and errors by field.
SettingsReader = Callable[[str | None], tuple[Mapping[AdminSetting, SettingValue | None], Mapping[str, str]]]


@dataclass(frozen=True)
class AdminChange:
    """What an admin command changed, the actor's zone, and the names of the people it mentions."""

    outcome: Outcome
    actor_tz: str
    names: dict[str, str]  # Slack id → display name, for notification texts (which show no mentions)


@dataclass(frozen=True)
class InvalidSettings:
    """The settings modal was submitted with values that cannot be used: errors by field."""

    errors: dict[str, str]


def check_admin(deps: Deps, *, team_id: str, channel_id: str, user_id: str, name: str) -> None:
    """Refuse (a ServiceError) unless the user may run `/coffee admin <name>` here.

    Making a channel a program is for workspace admins and owners (any full member when the
    operator allows it), and only in a channel the bot is in; setup again is a program admin's.
    """
    with deps.db.transaction() as session:
        if name == "setup" and repo.find_program(session, team_id, channel_id) is None:
            permissions.require_setup_rights(
                session, deps.gateway, user_id=user_id, members_may=deps.settings.allow_member_setup
            )
        else:
            permissions.require_admin(
                session, deps.gateway, team_id=team_id, channel_id=channel_id, user_id=user_id, name=name
            )
    if name == "setup":
        _require_bot_channel(deps, team_id=team_id, channel_id=channel_id, user_id=user_id)


def _require_bot_channel(deps: Deps, *, team_id: str, channel_id: str, user_id: str) -> None:
    """Refuse setup outside a channel the bot is in (a DM, a group DM, a channel it was not added to)."""
    # Slack's DM ids start with D; the bot may not read DMs (no im:read), so ask nothing of Slack.
    where = "dm" if channel_id.startswith("D") else None
    if where is None:
        try:
            channel = deps.gateway.channel(channel_id)
        except SlackCallFailed as exc:
            if exc.reason not in NOT_VISIBLE:
                raise
            where = exc.reason
        else:
            if not channel.is_channel:
                where = "dm"
            elif not channel.bot_is_member:
                where = "not_in_channel"
    if where is not None:
        log.info("admin.setup_elsewhere team=%s user=%s reason=%s", team_id, user_id, where)
        raise ServiceError(SETUP_ELSEWHERE)


def program_here(session: Session, team_id: str, channel_id: str) -> Program:
    """The channel's program (checked by the guard just before); a ServiceError if it has gone since."""
    program = repo.find_program(session, team_id, channel_id)
    if program is None:  # deleted between the guard and now
        raise ServiceError(permissions.OUTSIDE_PROGRAM.format(name="…"))
    return program


def _with_people(session: Session, team_id: str, actor: str, outcome: Outcome) -> AdminChange:
    """The actor's time zone, and display names of everyone the outcome mentions.

    Read in the change's own transaction: a failure after the commit would otherwise tell the
    admin nothing was saved when it was.
    """
    wanted = [actor, *MENTION_ID.findall(" ".join(outcome.changes))]
    found = repo.members_by_slack_ids(session, team_id, wanted)
    names = {sid: m.real_name or m.name for sid, m in found.items() if m.real_name or m.name}
    tz = found[actor].tz if actor in found else outcome.timezone
    return AdminChange(outcome, tz, names)


def change_setting(
    deps: Deps, *, team_id: str, channel_id: str, user_id: str, setting: AdminSetting, value: SettingValue
) -> AdminChange:
    """`/coffee admin set <setting> <value>`: apply, audit, reschedule."""
    with deps.db.transaction() as session:
        outcome = administration.change_settings(
            session,
            program_here(session, team_id, channel_id),
            actor=user_id,
            values={setting: value},
            now=utcnow(),
        )
        return _with_people(session, team_id, user_id, outcome)


def set_paused(deps: Deps, *, team_id: str, channel_id: str, user_id: str, paused: bool) -> AdminChange:
    """`/coffee admin pause|resume`: stop or restart the program's rounds."""
    with deps.db.transaction() as session:
        outcome = administration.set_paused(
            session, program_here(session, team_id, channel_id), actor=user_id, paused=paused, now=utcnow()
        )
        return _with_people(session, team_id, user_id, outcome)


def change_admins(
    deps: Deps, *, team_id: str, channel_id: str, user_id: str, action: str, user_ids: Sequence[str]
) -> AdminChange:
    """`/coffee admin admins add|remove @user`: name or unname program admins."""
    try:
        with deps.db.transaction() as session:
            outcome = administration.change_admins(
                session,
                deps.gateway,
                program_here(session, team_id, channel_id),
                actor=user_id,
                action=action,
                user_ids=user_ids,
            )
            return _with_people(session, team_id, user_id, outcome)
    except SlackCallFailed as exc:
        if exc.reason not in ("user_not_found", "user_not_visible"):
            raise
        raise ServiceError(NOT_FOUND) from None


def current_settings(deps: Deps, *, team_id: str, channel_id: str) -> dict[AdminSetting, Any]:
    """`/coffee admin config`: every setting's stored value, to fill the modal."""
    with deps.db.transaction() as session:
        return administration.current_settings(program_here(session, team_id, channel_id))


def save_settings(
    deps: Deps, *, team_id: str, user_id: str, channel_id: str, read: SettingsReader
) -> AdminChange | InvalidSettings:
    """The settings modal submitted: check the admin again, read the form, apply and audit the changes."""
    with deps.db.transaction() as session:
        program = permissions.require_admin(
            session, deps.gateway, team_id=team_id, channel_id=channel_id, user_id=user_id, name="config"
        )
        # The form reader needs the stored welcome text: unchanged text keeps its stored mrkdwn.
        values, errors = read(program.welcome_text)
        if errors:
            return InvalidSettings(dict(errors))
        try:
            outcome = administration.change_settings(
                session, program, actor=user_id, values=values, now=utcnow()
            )
        except administration.SettingRefused as refused:  # raised before anything was changed
            return InvalidSettings({refused.field: str(refused)})
        return _with_people(session, team_id, user_id, outcome)


def setup(deps: Deps, *, team_id: str, channel_id: str, user_id: str) -> SetupResult:
    """`/coffee admin setup`: make the channel a program and enrol its people."""
    return programs.setup_program(
        deps.db, deps.gateway, team_id=team_id, channel_id=channel_id, actor_id=user_id
    )
