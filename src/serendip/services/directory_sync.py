"""Directory sync: members from users.list, departments from a custom profile field, in the background."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.orm import Session

from serendip.adapters.db import directory_sync_store as sync_store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_departments as departments_repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.observability import metrics
from serendip.services import do_not_enrol, members
from serendip.services.members import DepartmentSource
from serendip.services.ports import Directory, DirectoryUser
from serendip.services.slack_errors import SlackCallFailed

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
    resumed: bool = False  # it continued a pass a restart had interrupted
    stopped: bool = False  # asked to stop before the pass was complete


def sync_users(
    db: Database, directory: Directory, *, team_id: str, should_stop: StopFlag | None = None
) -> int:
    """Record every user from users.list (200 a page), resuming at the stored cursor; returns how
    many this pass has seen (before a restart too)."""
    with db.transaction() as session:
        progress, _ = sync_store.begin_or_resume(session, team_id, now=utcnow())
        cursor, seen, phase = progress.cursor, progress.users_seen, progress.phase
        expected = sync_store.known_people(session, team_id)
    started, seen_at_start = time.monotonic(), seen
    while phase == sync_store.USERS:
        if should_stop is not None and should_stop():
            return seen
        try:
            page, next_cursor = directory.users_page(cursor)
        except SlackCallFailed as error:
            if error.reason != "invalid_cursor" or cursor is None:
                raise
            log.warning("directory.cursor_expired team=%s", team_id)  # list again from the start
            with db.transaction() as session:
                sync_store.restart_listing(session, team_id, now=utcnow())
            cursor = None
            continue
        with db.transaction() as session:
            stored = _store_page(session, team_id, page)
            seen = sync_store.page_stored(
                session, team_id, users=stored, next_cursor=next_cursor, now=utcnow()
            )
        rate = (seen - seen_at_start) / max(time.monotonic() - started, 1e-6)
        log.info(
            "directory.users_page team=%s seen=%d expected=%d eta_s=%.0f",
            team_id,
            seen,
            max(expected, seen),
            max(expected - seen, 0) / rate if rate > 0 else 0,
        )
        cursor, phase = next_cursor, sync_store.USERS if next_cursor else sync_store.DEPARTMENTS
    return seen


def _store_page(session: Session, team_id: str, page: list[DirectoryUser]) -> int:
    # forget-me: nothing about them is stored again (otherwise this sync would restore it)
    forgotten = do_not_enrol.marked_among(session, team_id, [u.id for u in page])
    stored = 0
    for user in page:
        if user.team_id and user.team_id != team_id:
            continue  # Enterprise Grid lists other teams' users too
        if user.id in forgotten:
            continue
        user = user if user.team_id else _with_team(user, team_id)
        # The department pass below reads profiles; no separate first read is needed.
        members.record_user(session, user, read_profile=False)
        stored += 1
    return stored


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
    db: Database,
    directory: Directory,
    *,
    team_id: str,
    user_id: str,
    field_id: str,
    in_pass: bool = False,
) -> bool:
    """Fetch one member's department (users.profile.get) and store it; True when it changed.

    `in_pass`: part of a directory pass, whose progress counts it in the same transaction.
    """
    value = directory.profile_field(user_id, field_id)
    with db.transaction() as session:
        if in_pass:
            sync_store.profile_stored(session, team_id, now=utcnow())
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
    """A full pass: users, then departments incrementally (429s are waited out by the client).

    Resumable: a pass a restart interrupted continues at its stored cursor, and profiles already
    read in it are not read again (they are fresh); a finished pass makes the next one start over.
    """
    with db.transaction() as session:
        _, resumed = sync_store.begin_or_resume(session, team_id, now=utcnow())
    report = SyncReport(resumed=resumed)
    report.users = sync_users(db, directory, team_id=team_id, should_stop=should_stop)
    if should_stop is not None and should_stop():
        report.stopped = True
        return report
    field_id = resolve_department_field(db, directory, team_id=team_id, label=label)
    report.field_found = field_id is not None
    if field_id is not None:
        report.stopped = _sync_departments(
            db, directory, team_id, field_id, max_profiles, should_stop, report
        )
    if report.stopped:
        return report
    with db.transaction() as session:
        sync_store.finish(session, team_id, now=utcnow())
        repo.get_or_create_workspace(session, team_id).directory_synced_at = utcnow()
    return report


def _sync_departments(
    db: Database,
    directory: Directory,
    team_id: str,
    field_id: str,
    max_profiles: int,
    should_stop: StopFlag | None,
    report: SyncReport,
) -> bool:
    """Read each stale department; True when stopped early."""
    pending = stale_department_members(db, team_id=team_id, limit=max_profiles)
    with db.transaction() as session:
        before, total = sync_store.profiles_planned(session, team_id, remaining=len(pending))
    metrics.directory_sync_progress(before, total)
    started = time.monotonic()
    for index, user_id in enumerate(pending, start=1):
        if should_stop is not None and should_stop():
            return True
        report.departments_checked += 1
        report.departments_set += refresh_department(
            db, directory, team_id=team_id, user_id=user_id, field_id=field_id, in_pass=True
        )
        if index % PROGRESS_EVERY == 0 or index == len(pending):
            metrics.directory_sync_progress(before + index, total)
            rate = index / max(time.monotonic() - started, 1e-6)
            log.info(
                "directory.departments team=%s done=%d total=%d elapsed_s=%.0f eta_s=%.0f",
                team_id,
                before + index,
                total,
                time.monotonic() - started,
                (len(pending) - index) / rate,
            )
    return False


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
