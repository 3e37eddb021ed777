"""Every statement forget-me runs: the member's own rows, and the rows of others that name them.

`services.erasure` decides what each stored text becomes; the statements are here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from serendip.adapters.db.models import (
    AuditEntry,
    Enrolment,
    ExpertAsk,
    IntroMember,
    IntroOutcome,
    Member,
    MemberBlock,
    MemberTag,
    Program,
    ProgramAdmin,
    Round,
)


def delete_own_rows(session: Session, member: Member) -> None:
    """The member's tags, blocks, enrolments, answers, pairing history, asks and admin roles."""
    session.execute(delete(MemberTag).where(MemberTag.member_id == member.id))
    session.execute(delete(MemberBlock).where(MemberBlock.member_id == member.id))
    session.execute(delete(Enrolment).where(Enrolment.member_id == member.id))
    session.execute(delete(IntroOutcome).where(IntroOutcome.member_id == member.id))
    session.execute(delete(IntroMember).where(IntroMember.member_id == member.id))
    session.execute(
        delete(ExpertAsk).where((ExpertAsk.asker_id == member.id) | (ExpertAsk.expert_id == member.id))
    )
    programs = select(Program.id).where(Program.workspace_id == member.workspace_id)
    session.execute(
        delete(ProgramAdmin).where(
            ProgramAdmin.program_id.in_(programs), ProgramAdmin.slack_id == member.slack_id
        )
    )


def drop_references(session: Session, workspace_id: str, slack_id: str) -> None:
    """The id in others' rows: block lists, managers, program creators and who added an admin."""
    colleagues = select(Member.id).where(Member.workspace_id == workspace_id)
    session.execute(
        delete(MemberBlock).where(
            MemberBlock.blocked_slack_id == slack_id, MemberBlock.member_id.in_(colleagues)
        )
    )
    session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.manager_slack_id == slack_id)
        .values(manager_slack_id=None)
    )
    session.execute(
        update(Program)
        .where(Program.workspace_id == workspace_id, Program.created_by == slack_id)
        .values(created_by=None)
    )
    programs = select(Program.id).where(Program.workspace_id == workspace_id)
    session.execute(
        update(ProgramAdmin)
        .where(ProgramAdmin.program_id.in_(programs), ProgramAdmin.added_by == slack_id)
        .values(added_by=None)
    )


def audit_entries(session: Session, workspace_id: str) -> Sequence[AuditEntry]:
    """The workspace's audit rows (actor and detail may name anyone)."""
    return session.scalars(select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)).all()


def programs_with_text(session: Session, workspace_id: str) -> Sequence[Program]:
    """The workspace's programs that have a welcome text (free text that may name anyone)."""
    return session.scalars(
        select(Program).where(Program.workspace_id == workspace_id, Program.welcome_text.is_not(None))
    ).all()


def rounds_with_notes(session: Session, workspace_id: str) -> Sequence[Round]:
    """The workspace's rounds that store quality notes (who sat out or was alone, by id)."""
    programs = select(Program.id).where(Program.workspace_id == workspace_id)
    return session.scalars(
        select(Round).where(Round.program_id.in_(programs), Round.quality.is_not(None))
    ).all()


def other_asks(session: Session, workspace_id: str) -> Sequence[ExpertAsk]:
    """The workspace's remaining expert asks (a topic is free text that may name anyone)."""
    return session.scalars(select(ExpertAsk).where(ExpertAsk.workspace_id == workspace_id)).all()


def delete_member(session: Session, member: Member) -> None:
    """The member's own row, last."""
    session.delete(member)
    session.flush()
