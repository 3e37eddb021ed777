"""Who may administer a program (workspace admins and owners, its creator, named program admins),
and who may make a channel a program (workspace admins and owners; full members when allowed)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Member, Program
from serendip.services import members
from serendip.services.errors import NotAllowed, NotAProgramChannel
from serendip.services.ports import Directory, DirectoryUser

log = logging.getLogger(__name__)

OUTSIDE_PROGRAM = (
    "Admin commands work in a program's channel: run `/coffee admin {name}` in the intro channel "
    "you manage, or turn a channel into a program with `/coffee admin setup` there."
)
REFUSED = (
    ":no_entry: Only this program's admins can use `/coffee admin {name}` here: workspace admins "
    "and owners, the person who set it up{creator}, and the program admins they named. "
    "Nothing was changed. Ask one of them if something should be different."
)

SETUP_FOR_ADMINS = (
    ":no_entry: Only workspace admins and owners can make a channel a Serendip program, so nothing "
    "was set up. Ask one of them to run `/coffee admin setup` here, or ask whoever runs Serendip to "
    "let every full member set up programs (the `SERENDIP_ALLOW_MEMBER_SETUP` setting)."
)
SETUP_NOT_FOR_GUESTS = (
    ":no_entry: Guests can't make a channel a Serendip program, so nothing was set up. Ask a "
    "workspace admin or owner{members} to run `/coffee admin setup` here."
)


def may_set_up(user: DirectoryUser, *, members_may: bool) -> bool:
    """Whether a user may make a channel a program: admins and owners, full members when allowed, no guest."""
    if user.is_guest or user.is_deleted or user.is_bot:
        return False
    return user.is_workspace_admin or members_may


def require_setup_rights(session: Session, directory: Directory, *, user_id: str, members_may: bool) -> None:
    """Refuse (NotAllowed) unless the user may make a channel a program; their status is read fresh."""
    user = directory.user(user_id)  # users.info: a demoted admin or a new guest counts at once
    members.record_user(session, user)
    if may_set_up(user, members_may=members_may):
        return
    log.info("admin.setup_refused user=%s guest=%s", user_id, user.is_guest)
    if user.is_guest:
        raise NotAllowed(SETUP_NOT_FOR_GUESTS.format(members=" (or any full member)" if members_may else ""))
    raise NotAllowed(SETUP_FOR_ADMINS)


def can_administer(session: Session, directory: Directory, program: Program, user_id: str) -> bool:
    """Whether a user may administer the program; workspace admin status is read fresh from Slack."""
    if program.created_by == user_id or repo.is_program_admin(session, program.id, user_id):
        return True
    # users.info, not the cached member row: a demoted admin must lose access at once.
    member = members.record_user(session, directory.user(user_id))
    return member.is_workspace_admin and not member.is_deleted


def require_admin(
    session: Session, directory: Directory, *, team_id: str, channel_id: str, user_id: str, name: str
) -> Program:
    """The channel's program if the user may administer it; NotAProgramChannel or NotAllowed otherwise."""
    program = repo.find_program(session, team_id, channel_id)
    if program is None:
        raise NotAProgramChannel(OUTSIDE_PROGRAM.format(name=name))
    if not can_administer(session, directory, program, user_id):
        log.info("admin.refused program_id=%s user=%s command=%s", program.id, user_id, name)
        raise NotAllowed(
            REFUSED.format(name=name, creator=f" (<@{program.created_by}>)" if program.created_by else "")
        )
    return program


def administered_programs(session: Session, member: Member) -> list[Program]:
    """Programs of the member's workspace they may administer, from stored facts (no Slack call)."""
    return [
        program
        for program in repo.workspace_programs(session, member.workspace_id)
        if member.is_workspace_admin
        or program.created_by == member.slack_id
        or repo.is_program_admin(session, program.id, member.slack_id)
    ]
