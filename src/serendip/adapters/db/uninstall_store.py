"""Uninstalled workspaces: the mark on `workspaces.uninstalled_at`, and the clauses that keep their
rounds, deliveries and follow-ups from running while it is set.

A scope id is what `workspace_id` columns hold: the team id, or the enterprise id of an org-wide
install.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Intro, Program, Round, Workspace
from serendip.adapters.db.types import affected_rows


def mark_uninstalled(session: Session, scope_id: str, at: datetime, *, create: bool = True) -> bool:
    """Set the mark (creating the workspace row if it was never seen, with ``create``); True when
    it was not set.

    An earlier mark is kept, also against a revocation event handled at the same moment: the
    update only matches an unmarked row, and the database serialises the two.
    """
    if create:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(Workspace).values(id=scope_id).on_conflict_do_nothing())
    result = session.execute(
        update(Workspace)
        .where(Workspace.id == scope_id, Workspace.uninstalled_at.is_(None))
        .values(uninstalled_at=at)
    )
    return bool(affected_rows(result))


def clear_mark(session: Session, scope_id: str) -> bool:
    """Clear the mark (a reinstall); True when it was set."""
    result = session.execute(
        update(Workspace)
        .where(Workspace.id == scope_id, Workspace.uninstalled_at.is_not(None))
        .values(uninstalled_at=None)
    )
    return bool(affected_rows(result))


def uninstalled_at(session: Session, scope_id: str) -> datetime | None:
    """When the scope was marked uninstalled, or None (installed, or never seen)."""
    return session.scalar(select(Workspace.uninstalled_at).where(Workspace.id == scope_id))


def uninstalled_scopes() -> Select[str]:
    """The scope ids marked uninstalled, as a subquery."""
    return select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))


def installed(workspace_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """A clause: the row's workspace is not marked uninstalled (rounds, follow-ups may run)."""
    return workspace_id.not_in(uninstalled_scopes())


def program_installed(program_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """A clause: the program of the row belongs to a workspace not marked uninstalled."""
    return program_id.not_in(select(Program.id).where(Program.workspace_id.in_(uninstalled_scopes())))


def round_uninstalled(session: Session, round_id: int) -> bool:
    """Whether the round's workspace is marked uninstalled."""
    query = (
        select(Workspace.uninstalled_at)
        .join(Program, Program.workspace_id == Workspace.id)
        .join(Round, Round.program_id == Program.id)
        .where(Round.id == round_id)
    )
    return session.scalar(query) is not None


def intro_uninstalled(session: Session, intro_id: int) -> bool:
    """Whether the workspace of the intro's round is marked uninstalled."""
    query = (
        select(Workspace.uninstalled_at)
        .join(Program, Program.workspace_id == Workspace.id)
        .join(Round, Round.program_id == Program.id)
        .join(Intro, Intro.round_id == Round.id)
        .where(Intro.id == intro_id)
    )
    return session.scalar(query) is not None


def due_for_purge(session: Session, cutoff: datetime) -> list[tuple[str, datetime]]:
    """(scope id, marked at) of every workspace marked uninstalled at or before ``cutoff``."""
    rows = session.execute(
        select(Workspace.id, Workspace.uninstalled_at)
        .where(Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at <= cutoff)
        .order_by(Workspace.uninstalled_at, Workspace.id)
    )
    return [(scope_id, at) for scope_id, at in rows if at is not None]
