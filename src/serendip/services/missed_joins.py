"""Repairing missed `member_joined_channel` events: channel members with no enrolment row are enrolled.

Runs after a round is planned, so the round being planned never sees a repaired join: its people
were fixed when it was claimed, and the repaired member is matched from the next round on.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.domain.schedule import Frequency, next_run_after, parse_local_time
from serendip.services import do_not_enrol, participation
from serendip.services import members as member_service
from serendip.services.ports import Directory, DirectoryUser, IntroPublisher
from serendip.services.programs import is_local_person

log = logging.getLogger(__name__)


@dataclass
class RepairReport:
    """What one repair did."""

    enrolled: list[str] = field(default_factory=list)
    external: int = 0
    welcomed: int = 0


def candidates(db: Database, program_id: int, present: Collection[str]) -> tuple[str, list[str]]:
    """(team id, channel members with no enrolment row of any kind who are not forget-me marked)."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        team_id = program.workspace_id
        # Any row counts, opted out included: `/coffee leave` and leaving the channel stay respected.
        have = repo.program_member_slack_ids(session, program_id)
        bot = repo.get_or_create_workspace(session, team_id).bot_user_id
        missing = sorted(set(present) - have - {bot})
        forgotten = do_not_enrol.marked_among(session, team_id, missing)
        return team_id, [user_id for user_id in missing if user_id not in forgotten]


def repair_missed_joins(
    db: Database,
    directory: Directory,
    publisher: IntroPublisher,
    *,
    program_id: int,
    present: Collection[str],
    after: datetime,
) -> RepairReport:
    """Enrol and welcome channel members who have no enrolment row (humans of this workspace only)."""
    report = RepairReport()
    team_id, missing = candidates(db, program_id, present)
    if not missing:
        return report
    with db.transaction() as session:
        known = set(repo.members_by_slack_ids(session, team_id, missing))
    for user_id in missing:
        user: DirectoryUser | None = None
        if user_id not in known:  # stored facts are kept fresh by the directory sync
            try:
                user = directory.user(user_id)
            except Exception as exc:  # one unreadable person must not stop the others
                log.warning(
                    "membership.repair_lookup_failed program_id=%s error=%s", program_id, type(exc).__name__
                )
                continue
            if user.team_id and user.team_id != team_id:
                report.external += 1  # another org's member in a Slack Connect channel: store nothing
                continue
        if _enrol(db, program_id, team_id, user_id, user):
            report.enrolled.append(user_id)
    report.welcomed = _welcome(db, publisher, program_id, report.enrolled, after)
    if report.enrolled or report.external:
        log.info(
            "membership.joins_repaired program_id=%s enrolled=%d welcomed=%d external=%d",
            program_id,
            len(report.enrolled),
            report.welcomed,
            report.external,
        )
    return report


def _enrol(db: Database, program_id: int, team_id: str, user_id: str, user: DirectoryUser | None) -> bool:
    with db.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        member = (
            member_service.record_user(session, user)
            if user is not None
            else repo.find_member(session, team_id, user_id)
        )
        if member is None or not is_local_person(member, team_id):
            return False
        if repo.find_enrolment(session, program_id, member.id) is not None:
            return False  # enrolled (or opted out) since the candidates were read
        try:
            with session.begin_nested():
                _, new = participation.enrol(session, program, member)
        except IntegrityError:
            return False  # another process repaired the same join at the same moment
        return new


def _welcome(
    db: Database, publisher: IntroPublisher, program_id: int, user_ids: list[str], after: datetime
) -> int:
    if not user_ids:
        return 0
    with db.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        found = repo.members_by_slack_ids(session, program.workspace_id, user_ids)
        zones = {u: found[u].tz if u in found else "UTC" for u in user_ids}
        channel_id, text, next_round = program.channel_id, program.welcome_text, _next_round(program, after)
        channel_name, circles = program.channel_name, program.kind == "circles"
    sent = 0
    for user_id in user_ids:
        try:
            publisher.welcome(
                user_id,
                channel_id,
                next_round=next_round,
                tz=zones[user_id],
                welcome_text=text,
                channel_name=channel_name,
                circles=circles,
            )
            sent += 1
        except Exception as exc:  # a failed welcome leaves the enrolment in place
            log.warning(
                "welcome.failed program_id=%s user=%s error=%s", program_id, user_id, type(exc).__name__
            )
    return sent


def _next_round(program: Program, after: datetime) -> datetime:
    """The first round a repaired member is in: the next one after the round just planned."""
    if program.next_run_at is not None and program.next_run_at > after:
        return program.next_run_at
    return next_run_after(
        after=after,
        frequency=Frequency(program.frequency),
        weekday=program.weekday,
        local_time=parse_local_time(program.local_time),
        timezone=program.timezone,
        anchor=program.anchor_date.date(),
    )
