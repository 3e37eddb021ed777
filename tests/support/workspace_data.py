"""One emulator workspace's data in every table Serendip keeps, written through the real services
(the few rows no command writes are stored as the code that reads them expects)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import snapshot_store
from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting, CircleVote, SeasonWaitlist
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Member, MemberBlock, Program
from serendip.adapters.db.types import utcnow
from serendip.services import administration, asks, directory_sync, do_not_enrol
from serendip.services.lifecycle import deliver, followup, plan
from serendip_sandbox import SlackEmulator
from tests.support.installations import install
from tests.support.rounds import gateway_for, publisher_for, set_up_program


@dataclass(frozen=True)
class WorkspaceData:
    """What was written for one workspace: its scope id, its people's Slack ids, its bot user."""

    scope_id: str
    slack_ids: frozenset[str]
    program_id: int
    bot_user_id: str


def fill_workspace(database: Database, slack: SlackEmulator) -> WorkspaceData:
    """A program with a delivered, answered round; synced departments; tags, a block, an ask, a
    do-not-enrol marker, an added admin, a dashboard snapshot, the Slack budget rows, and two
    installs (the bot's, and a later one that left only the installer's user token)."""
    team = slack.workspace.team.id
    gateway = gateway_for(slack)
    directory_sync.sync_directory(database, gateway, team_id=team, label="Department")
    program_id = set_up_program(database, slack)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), seed=5)
    assert planned is not None
    deliver.deliver_pending(database, publisher_for(slack), deliver.DeliveryPolicy(sleep=lambda _: None))
    with database.transaction() as session:
        people = list(session.scalars(select(Member).where(Member.workspace_id == team).order_by(Member.id)))
        intro = session.scalars(
            select(Intro).where(Intro.round_id == planned.round_id).order_by(Intro.id)
        ).first()
        assert intro is not None and len(people) > 4
        answering = session.get(Member, intro.members[0].member_id)
        assert answering is not None
        answerer = answering.slack_id
        active = {e.member_id for e in repo.active_enrolments(session, program_id)}
        enrolled = [m for m in people if m.id in active and not m.is_bot]
        asker, blocker, forgotten = enrolled[0], enrolled[1], enrolled[2]
        expert = next(m for m in enrolled if m.department_key != asker.department_key)
        repo.add_tags(session, expert.id, "expertise", ["kubernetes"])
        repo.add_tags(session, asker.id, "interest", ["chess"])
        session.add(MemberBlock(member_id=blocker.id, blocked_slack_id=asker.slack_id))
        asks.search(session, asker, "kubernetes", utcnow())
        do_not_enrol.mark(session, team, forgotten.slack_id)
        snapshot_store.store(
            session, program_id, utcnow(), [("Participants", str(len(people)))], [["kubernetes", 1]]
        )
        program = session.get(Program, program_id)
        assert program is not None and program.created_by is not None
        administration.change_admins(
            session, gateway, program, actor=program.created_by, action="add", user_ids=[answerer]
        )
        # Slackbot's id is the same in every workspace: it names no one of this one.
        slack_ids = frozenset(m.slack_id for m in people if m.slack_id != "USLACKBOT")
        intro_id, asker_id = intro.id, asker.id
    followup.record_outcome(database, team_id=team, intro_id=intro_id, user_id=answerer, outcome="met")
    _circle_rows(database, planned.round_id, intro_id, asker_id)
    bot = slack.workspace.bot.id
    install(database, installer=answerer, team_id=team, bot_user_id=bot)
    install(database, installer=sorted(slack_ids - {answerer})[0], team_id=team)
    return WorkspaceData(team, slack_ids, program_id, bot)


def _circle_rows(database: Database, round_id: int, intro_id: int, member_id: int) -> None:
    """A meeting with its nudge answered, a season vote and a waitlist row, on the round's first
    intro: they stand in for a circles season, so every circles table holds the workspace's rows."""
    now = utcnow()
    with database.transaction() as session:
        meeting = CircleMeeting(intro_id=intro_id, number=1, host_member_id=member_id, due_at=now)
        session.add(meeting)
        session.flush()
        session.add_all(
            [
                CircleAnswer(meeting_id=meeting.id, member_id=member_id, answer="met", answered_at=now),
                CircleVote(intro_id=intro_id, member_id=member_id, keep=True, voted_at=now),
                SeasonWaitlist(round_id=round_id, member_id=member_id, reason="no topics listed"),
            ]
        )
