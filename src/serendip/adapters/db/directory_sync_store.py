"""How far a workspace's directory pass got: phase, the next users.list cursor and the counts.

Each users.list page is stored in the same transaction as the cursor after it, and each profile in
the same transaction as the count, so a restart continues exactly where the last commit left off.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import DirectorySyncProgress, Member

USERS, DEPARTMENTS, DONE = "users", "departments", "done"


def begin_or_resume(session: Session, team_id: str, *, now: datetime) -> tuple[DirectorySyncProgress, bool]:
    """The workspace's pass in progress (True: resumed), or a new one when the last one finished."""
    progress = session.get(DirectorySyncProgress, team_id)
    if progress is not None and progress.phase != DONE:
        return progress, True
    if progress is None:
        progress = DirectorySyncProgress(workspace_id=team_id)
        session.add(progress)
    progress.phase, progress.cursor, progress.started_at, progress.updated_at = USERS, None, now, now
    progress.pages = progress.users_seen = progress.profiles_done = progress.profiles_total = 0
    session.flush()
    return progress, False


def page_stored(session: Session, team_id: str, *, users: int, next_cursor: str | None, now: datetime) -> int:
    """One users.list page stored: keep the cursor of the next one; returns the users seen so far."""
    progress = _progress(session, team_id)
    progress.pages += 1
    progress.users_seen += users
    progress.cursor, progress.updated_at = next_cursor, now
    if next_cursor is None:
        progress.phase = DEPARTMENTS
    return progress.users_seen


def restart_listing(session: Session, team_id: str, *, now: datetime) -> None:
    """Slack no longer accepts the stored cursor: list users from the first page again."""
    progress = _progress(session, team_id)
    progress.cursor, progress.updated_at = None, now


def profiles_planned(session: Session, team_id: str, *, remaining: int) -> tuple[int, int]:
    """Set the total of profiles this pass reads; returns (done so far, total)."""
    progress = _progress(session, team_id)
    progress.profiles_total = progress.profiles_done + remaining
    return progress.profiles_done, progress.profiles_total


def profile_stored(session: Session, team_id: str, *, now: datetime) -> None:
    """One more profile read and stored."""
    progress = _progress(session, team_id)
    progress.profiles_done += 1
    progress.updated_at = now


def finish(session: Session, team_id: str, *, now: datetime) -> None:
    """The pass is complete: the next sync starts a new one."""
    progress = _progress(session, team_id)
    progress.phase, progress.cursor, progress.updated_at = DONE, None, now


def known_people(session: Session, team_id: str) -> int:
    """How many members the workspace has stored (to estimate how many users.list pages remain)."""
    return int(session.scalar(select(func.count(Member.id)).where(Member.workspace_id == team_id)) or 0)


def _progress(session: Session, team_id: str) -> DirectorySyncProgress:
    progress = session.get(DirectorySyncProgress, team_id)
    assert progress is not None
    return progress
