"""Who may administer a program: workspace admins and owners, its creator, and named program admins."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Member, Program
from serendip.services import members
from serendip.services.errors import NotAllowed, NotAProgramChannel
from serendip.services.ports import Directory

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
