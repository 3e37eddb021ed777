"""A workspace's departments: the first-seen spelling of each department key, stored once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Department, Member


def shown_department(session: Session, workspace_id: str, key: str, spelling: str) -> str:
    """The shown name of a department key; ``spelling`` becomes it if the key is new to the workspace.

    Race-safe: two writers seeing a new key at once both insert with ON CONFLICT DO NOTHING, and
    both then read the one row that won.
    """
    name = _name(session, workspace_id, key)
    if name is not None:
        return name
    values = {"workspace_id": workspace_id, "key": key, "name": spelling}
    statement: Any
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(Department).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(Department).values(values).on_conflict_do_nothing()
    session.execute(statement)
    name = _name(session, workspace_id, key)
    # Unreachable unless the row was deleted between the insert and the read; the spelling is still right.
    return spelling if name is None else name


def workspace_departments(session: Session, workspace_id: str) -> dict[str, str]:
    """Every department of a workspace seen so far: key → shown name."""
    rows = session.execute(
        select(Department.key, Department.name).where(Department.workspace_id == workspace_id)
    )
    return {key: name for key, name in rows}


def _name(session: Session, workspace_id: str, key: str) -> str | None:
    return session.scalars(
        select(Department.name).where(Department.workspace_id == workspace_id, Department.key == key)
    ).one_or_none()


def stale_department_slack_ids(
    session: Session, team_id: str, *, older_than: datetime, limit: int
) -> list[str]:
    """People whose Slack department was never read or was read before ``older_than`` (HR values are final)."""
    return list(
        session.scalars(
            select(Member.slack_id)
            .where(
                Member.workspace_id == team_id,
                Member.is_deleted.is_(False),
                Member.is_bot.is_(False),
                or_(Member.department_source.is_(None), Member.department_source != "hr"),
                or_(Member.department_synced_at.is_(None), Member.department_synced_at < older_than),
            )
            .order_by(Member.department_synced_at.is_not(None), Member.id)
            .limit(limit)
        )
    )
