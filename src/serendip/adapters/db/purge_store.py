"""The purge of an uninstalled workspace: every row of one scope, table by table, in the caller's
transaction.

Children go first by explicit statement (not by ON DELETE CASCADE), so each count is real on both
engines and the tables without a foreign key to the workspace (audit log, do-not-enrol markers,
rate budgets, sync progress, slack-sdk's installation rows) are reached too. One statement per table whatever the volume.
`tests/integration/test_workspace_purge.py` recounts every table of the live schema afterwards, so
a new table holding a workspace's data must be handled here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Delete, delete, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db import installation_rows
from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting, CircleVote, SeasonWaitlist
from serendip.adapters.db.lifecycle_store import locked
from serendip.adapters.db.models import (
    AuditEntry,
    Department,
    DirectorySyncProgress,
    DoNotEnrol,
    Enrolment,
    ExpertAsk,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberBlock,
    MemberTag,
    Program,
    ProgramAdmin,
    ProgramSnapshot,
    Round,
    SlackCallBudget,
    Workspace,
)
from serendip.adapters.db.types import affected_rows


def lock_if_due(session: Session, scope_id: str, cutoff: datetime) -> datetime | None:
    """Lock the workspace row and return its mark when it is still due for purging, else None.

    Taken first in the purge's transaction, so a reinstall that clears the mark meanwhile either
    lands before (and the workspace is kept) or waits for the purge to end.
    """
    query = select(Workspace.uninstalled_at).where(Workspace.id == scope_id)
    at = session.scalar(locked(session, query))
    return at if at is not None and at <= cutoff else None


def _statements(scope_id: str) -> list[tuple[str, Delete]]:
    """(table, delete) for every table holding the scope's rows, children before their parents."""
    members = select(Member.id).where(Member.workspace_id == scope_id)
    programs = select(Program.id).where(Program.workspace_id == scope_id)
    rounds = select(Round.id).where(Round.program_id.in_(programs))
    intros = select(Intro.id).where(Intro.round_id.in_(rounds))
    meetings = select(CircleMeeting.id).where(CircleMeeting.intro_id.in_(intros))

    return [
        (
            "circle_answers",
            delete(CircleAnswer).where(
                or_(CircleAnswer.meeting_id.in_(meetings), CircleAnswer.member_id.in_(members))
            ),
        ),
        ("circle_meetings", delete(CircleMeeting).where(CircleMeeting.intro_id.in_(intros))),
        (
            "circle_votes",
            delete(CircleVote).where(or_(CircleVote.intro_id.in_(intros), CircleVote.member_id.in_(members))),
        ),
        (
            "season_waitlist",
            delete(SeasonWaitlist).where(
                or_(SeasonWaitlist.round_id.in_(rounds), SeasonWaitlist.member_id.in_(members))
            ),
        ),
        (
            "intro_outcomes",
            delete(IntroOutcome).where(
                or_(IntroOutcome.intro_id.in_(intros), IntroOutcome.member_id.in_(members))
            ),
        ),
        (
            "intro_members",
            delete(IntroMember).where(
                or_(IntroMember.intro_id.in_(intros), IntroMember.member_id.in_(members))
            ),
        ),
        ("intros", delete(Intro).where(Intro.round_id.in_(rounds))),
        ("rounds", delete(Round).where(Round.program_id.in_(programs))),
        (
            "enrolments",
            delete(Enrolment).where(
                or_(Enrolment.program_id.in_(programs), Enrolment.member_id.in_(members))
            ),
        ),
        ("program_admins", delete(ProgramAdmin).where(ProgramAdmin.program_id.in_(programs))),
        ("program_snapshots", delete(ProgramSnapshot).where(ProgramSnapshot.program_id.in_(programs))),
        (
            "audit_log",
            delete(AuditEntry).where(
                or_(AuditEntry.workspace_id == scope_id, AuditEntry.program_id.in_(programs))
            ),
        ),
        (
            "expert_asks",
            delete(ExpertAsk).where(
                or_(
                    ExpertAsk.workspace_id == scope_id,
                    ExpertAsk.asker_id.in_(members),
                    ExpertAsk.expert_id.in_(members),
                )
            ),
        ),
        ("programs", delete(Program).where(Program.workspace_id == scope_id)),
        ("member_tags", delete(MemberTag).where(MemberTag.member_id.in_(members))),
        ("member_blocks", delete(MemberBlock).where(MemberBlock.member_id.in_(members))),
        ("members", delete(Member).where(Member.workspace_id == scope_id)),
        ("departments", delete(Department).where(Department.workspace_id == scope_id)),
        ("do_not_enrol", delete(DoNotEnrol).where(DoNotEnrol.workspace_id == scope_id)),
        ("slack_call_budgets", delete(SlackCallBudget).where(SlackCallBudget.workspace_id == scope_id)),
        (
            "directory_sync_progress",
            delete(DirectorySyncProgress).where(DirectorySyncProgress.workspace_id == scope_id),
        ),
        ("workspaces", delete(Workspace).where(Workspace.id == scope_id)),
    ]


def delete_scope(session: Session, scope_id: str) -> dict[str, int]:
    """Delete every row of the scope, its installations left over included; the rows deleted per
    table, in the order they went."""
    rows = {
        table: affected_rows(session.execute(statement.execution_options(synchronize_session=False)))
        for table, statement in _statements(scope_id)
    }
    return rows | installation_rows.delete_scope(session, scope_id)
