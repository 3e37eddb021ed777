"""Members: keeping directory facts, departments by source strength, and first sight of a user."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_departments as departments_repo
from serendip.adapters.db.models import Member
from serendip.adapters.db.types import utcnow
from serendip.domain import zones
from serendip.domain.departments import department_display, department_key
from serendip.services.ports import Directory, DirectoryUser

# Directory facts older than this are fetched again when the member acts.
PROFILE_MAX_AGE = timedelta(days=1)
# The width of the department and department_key columns.
MAX_NAME = 255
# session.info key: (team, user) of members created in this transaction, whose profile (the
# department field) is read in the background once it commits (see services.first_read).
NEW_MEMBERS = "serendip.new_members"
TZ_HR, TZ_SLACK = "hr", "slack"


class DepartmentSource(IntEnum):
    """Where a department came from; a stronger source is never overwritten by a weaker one."""

    SELF = 1
    DIRECTORY = 2
    HR = 3

    @property
    def label(self) -> str:
        """The stored name of the source."""
        return self.name.lower()


def source_of(member: Member) -> DepartmentSource | None:
    """The source of a member's current department, if any."""
    if member.department_source is None:
        return None
    return DepartmentSource[member.department_source.upper()]


def set_department(
    session: Session, member: Member, department: str | None, source: DepartmentSource
) -> bool:
    """Set the department if ``source`` is at least as strong as the current one; the one write path.

    Stores the department's key and the workspace's first-seen spelling of it, so "Sales" and
    " sales" are one team everywhere. A blank value is no department: it clears one from the same
    source and never overwrites another.
    """
    current = source_of(member)
    if current is not None and current > source and member.department:
        return False
    spelling = (department_display(department) or "")[:MAX_NAME].rstrip()
    key = (department_key(spelling) or "")[:MAX_NAME].rstrip()
    if not key:
        if current == source:
            member.department, member.department_key, member.department_source = None, None, None
        return False
    name = departments_repo.shown_department(session, member.workspace_id, key, spelling)
    member.department, member.department_key, member.department_source = name, key, source.label
    return True


def record_user(session: Session, user: DirectoryUser, *, read_profile: bool = True) -> Member:
    """Create or refresh a member from Slack's directory facts.

    A member seen for the first time gets their profile read in the background after the commit
    (``read_profile``; the directory sync reads departments itself and passes False).
    """
    repo.get_or_create_workspace(session, user.team_id)
    member = repo.find_member(session, user.team_id, user.id)
    if member is None:
        member = Member(workspace_id=user.team_id, slack_id=user.id)
        session.add(member)
        if read_profile:
            session.info.setdefault(NEW_MEMBERS, []).append((user.team_id, user.id))
    member.name = user.name
    member.real_name = user.real_name or user.name
    member.email = user.email
    member.title = user.title
    if member.tz_source != TZ_HR:  # an HR zone is final; Slack's never overwrites it
        member.tz = user.tz or "UTC"
        member.tz_offset_minutes = user.tz_offset_minutes
        member.tz_source = TZ_SLACK
    member.is_deleted = user.is_deleted
    member.is_bot = user.is_bot
    member.is_guest = user.is_guest
    member.is_workspace_admin = user.is_workspace_admin
    member.profile_synced_at = utcnow()
    session.flush()
    return member


def ensure_member(session: Session, directory: Directory, team_id: str, user_id: str) -> Member:
    """The member for a Slack user, fetched from Slack on first sight or when stale."""
    member = repo.find_member(session, team_id, user_id)
    fresh = (
        member is not None
        and member.profile_synced_at is not None
        and (utcnow() - member.profile_synced_at < PROFILE_MAX_AGE)
    )
    if member is not None and fresh:
        return member
    return record_user(session, directory.user(user_id))


def set_hr_timezone(member: Member, raw: str, offset_minutes: int) -> bool:
    """Store an HR zone (a zone name, or a fixed offset as a zone that keeps it); False if unusable."""
    name = raw.strip() if zones.is_zone_name(raw.strip()) else zones.zone_for_offset(offset_minutes)
    member.tz_offset_minutes = offset_minutes
    if name is None:
        return False  # no zone keeps this offset: the stored offset is kept, the Slack zone stays
    member.tz, member.tz_source = name, TZ_HR
    return True


def utc_offset_at(member: Member, at: datetime) -> int:
    """The member's minutes east of UTC at ``at``, from their zone name (so DST is followed).

    The stored offset is the fallback for a zone name this machine does not know.
    """
    return zones.offset_minutes_at(member.tz, at, member.tz_offset_minutes)


def display_name(member: Member) -> str:
    """The name to show for a member."""
    return member.real_name or member.name or member.slack_id


def is_known(session: Session, team_id: str, user_id: str) -> bool:
    """Whether Serendip already stores this user."""
    return repo.find_member(session, team_id, user_id) is not None
