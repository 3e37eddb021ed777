"""Directory sync: members from users.list, departments from a custom profile field, in the background."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_departments as departments_repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.services import do_not_enrol, members
from serendip.services.members import DepartmentSource
from serendip.services.ports import Directory, DirectoryUser

log = logging.getLogger(__name__)

# Departments change rarely; users.profile.get is tier 4, so refresh each member at most daily.
DEPARTMENT_MAX_AGE = timedelta(days=1)
PROGRESS_EVERY = 100


@dataclass
class SyncReport:
    """What one directory sync did."""

    users: int = 0
    departments_checked: int = 0
    departments_set: int = 0
    field_found: bool = False


def sync_users(db: Database, directory: Directory, *, team_id: str) -> int:
    """Record every user from users.list (200 a page); returns how many were seen."""
    seen = 0
    for page in directory.users():
        with db.transaction() as session:
            # forget-me: nothing about them is stored again (otherwise this sync would restore it)
            forgotten = do_not_enrol.marked_among(session, team_id, [u.id for u in page])
            for user in page:
                if user.team_id and user.team_id != team_id:
                    continue  # Enterprise Grid lists other teams' users too
                if user.id in forgotten:
                    continue
                user = user if user.team_id else _with_team(user, team_id)
                # The department pass below reads profiles; no separate first read is needed.
                members.record_user(session, user, read_profile=False)
                seen += 1
        log.info("directory.users_page team=%s seen=%d", team_id, seen)
    return seen


def _with_team(user: DirectoryUser, team_id: str) -> DirectoryUser:
    return replace(user, team_id=team_id)


def resolve_department_field(db: Database, directory: Directory, *, team_id: str, label: str) -> str | None:
    """Find the custom field named ``label`` once (team.profile.get) and remember its id."""
    field_id = directory.department_field_id(label)
    with db.transaction() as session:
        repo.get_or_create_workspace(session, team_id).department_field_id = field_id
    if field_id is None:
        log.warning("directory.no_department_field team=%s label=%r", team_id, label)
    return field_id


def stale_department_members(db: Database, *, team_id: str, limit: int) -> list[str]:
    """People whose department was never fetched or is older than a day (HR values are final)."""
    cutoff = utcnow() - DEPARTMENT_MAX_AGE
    with db.transaction() as session:
        return departments_repo.stale_department_slack_ids(session, team_id, older_than=cutoff, limit=limit)


def refresh_department(
    db: Database, directory: Directory, *, team_id: str, user_id: str, field_id: str
) -> bool:
    """Fetch one member's department (users.profile.get) and store it; True when it changed."""
    value = directory.profile_field(user_id, field_id)
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        if member is None:
            return False
        member.department_synced_at = utcnow()
        return members.set_department(session, member, value, DepartmentSource.DIRECTORY)


def sync_directory(
    db: Database,
    directory: Directory,
    *,
    team_id: str,
    label: str,
    max_profiles: int = 100_000,
    should_stop: StopFlag | None = None,
) -> SyncReport:
    """A full pass: users, then departments incrementally (429s are waited out by the client)."""
    report = SyncReport(users=sync_users(db, directory, team_id=team_id))
    field_id = resolve_department_field(db, directory, team_id=team_id, label=label)
    report.field_found = field_id is not None
    if field_id is None:
        return report
    pending = stale_department_members(db, team_id=team_id, limit=max_profiles)
    started = time.monotonic()
    for index, user_id in enumerate(pending, start=1):
        if should_stop is not None and should_stop():
            break
        report.departments_checked += 1
        report.departments_set += refresh_department(
            db, directory, team_id=team_id, user_id=user_id, field_id=field_id
        )
        if index % PROGRESS_EVERY == 0 or index == len(pending):
            log.info(
                "directory.departments team=%s done=%d total=%d elapsed_s=%.0f",
                team_id,
                index,
                len(pending),
                time.monotonic() - started,
            )
    with db.transaction() as session:
        repo.get_or_create_workspace(session, team_id).directory_synced_at = utcnow()
    return report


class StopFlag:
    """A callable that says when a background sync should stop early."""

    def __init__(self) -> None:
        self.stopped = False

    def __call__(self) -> bool:
        """Whether stop() was called."""
        return self.stopped

    def stop(self) -> None:
        """Ask the sync to stop after the current member."""
        self.stopped = True
